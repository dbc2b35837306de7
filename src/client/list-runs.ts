// The runs in a namespace, in the status JSON's vocabulary (DESIGN.md §7): each row says its phase and what it
// waits on a person for, as `baton status` would, not Temporal's execution status.
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { BatonPhase, BatonWaiting } from '../workflows/search-attributes.js';
import type { Phase } from '../workflows/status.js';
import { getStatus, WORKFLOW_TYPE } from './runs.js';

/** One row of `baton list --json` and of the MCP tool baton_list_runs. */
export interface RunRow {
  runId: string;
  phase: Phase;
  /** What the run waits on a person for, as its status says; [] for a run that waits on nobody. */
  waitingOn: string[];
  startedAt: string;
  endedAt: string | null;
  taskQueue: string;
}

export interface ListRunsOptions {
  /** Only runs that wait on a person (the search attribute BatonWaiting). */
  waiting?: boolean;
  limit?: number;
}

/** The Temporal visibility query of `baton list` (also what the Web UI's list can be filtered by). */
export function listQuery(waiting?: boolean): string {
  return `WorkflowType = '${WORKFLOW_TYPE}'${waiting ? ' AND BatonWaiting = true' : ''}`;
}

/** A waiting run's status is asked for its waitingOn lines; one that does not answer this soon is left at a hint. */
const WAITING_READ_MS = 5_000;

export async function listRuns(client: Client, options: ListRunsOptions = {}): Promise<RunRow[]> {
  const found: WorkflowExecutionInfo[] = [];
  for await (const w of client.workflow.list({ query: listQuery(options.waiting) })) {
    // A run's sub-plans (child runs, DESIGN.md §10) are part of it: its status lists their tasks, not `baton list`.
    // Left out here, not in the query: the visibility store does not yet know a new run has no parent.
    if (w.parentExecution) continue;
    found.push(w);
    if (found.length >= (options.limit ?? 100)) break;
  }
  return await Promise.all(found.map((w) => rowOf(client, w)));
}

async function rowOf(client: Client, w: WorkflowExecutionInfo): Promise<RunRow> {
  const row: RunRow = {
    runId: w.workflowId,
    phase: phaseOf(w),
    waitingOn: [],
    startedAt: w.startTime.toISOString(),
    endedAt: w.closeTime?.toISOString() ?? null,
    taskQueue: w.taskQueue,
  };
  if (w.status.name === 'RUNNING' && w.typedSearchAttributes.get(BatonWaiting) === true) {
    row.waitingOn = await waitingOn(client, w.workflowId);
  }
  return row;
}

/** The run's phase: what it last published while it runs (BatonPhase); once closed, how Temporal closed it. */
function phaseOf(w: WorkflowExecutionInfo): Phase {
  const published = w.typedSearchAttributes.get(BatonPhase) as Phase | undefined;
  switch (w.status.name) {
    case 'RUNNING':
      return published ?? 'running';
    case 'COMPLETED':
      return 'completed';
    case 'CANCELLED':
      return 'cancelled';
    // Runs aborted by an earlier baton closed as failed, and published `cancelled` first.
    case 'FAILED':
      return published === 'cancelled' ? 'cancelled' : 'failed';
    default:
      // Terminated or timed out: ended without completing.
      return 'failed';
  }
}

async function waitingOn(client: Client, runId: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), WAITING_READ_MS)));
  try {
    const status = await Promise.race([getStatus(client, runId).catch(() => undefined), late]);
    return status?.waitingOn ?? [`waits on a person — baton status ${runId}`];
  } finally {
    clearTimeout(timer);
  }
}
