// Start runs and read them back: the operations the CLI, the MCP server and library users share.
import { randomBytes } from 'node:crypto';
import {
  ApplicationFailure,
  CancelledFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import type { Plan } from '../plan/schema.js';
import type { OrchestrateInput, OrchestrateOptions } from '../workflows/orchestrate.js';
import { statusQuery } from '../workflows/messages.js';
import type { RunStatus } from '../workflows/status.js';
import { BadInputError, NotFoundError } from './errors.js';

export const WORKFLOW_TYPE = 'orchestrate';

export interface StartRunOptions {
  plan: Plan;
  taskQueue: string;
  workflowId?: string;
  options?: OrchestrateOptions;
}

export function newRunId(planName: string): string {
  return `baton-${planName}-${randomBytes(3).toString('hex')}`;
}

export async function startRun(client: Client, start: StartRunOptions): Promise<WorkflowHandle> {
  const workflowId = start.workflowId ?? newRunId(start.plan.name);
  const input: OrchestrateInput = { plan: start.plan, options: start.options };
  const taskCount = start.plan.tasks.length;
  try {
    return await client.workflow.start(WORKFLOW_TYPE, {
      taskQueue: start.taskQueue,
      workflowId,
      args: [input],
      staticSummary:
        `${start.plan.name}: ${taskCount} task${taskCount === 1 ? '' : 's'}${start.plan.goal ? ` — ${start.plan.goal}` : ''}`.slice(
          0,
          200,
        ),
      staticDetails: start.plan.goal ?? undefined,
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new BadInputError(`a run with id ${workflowId} already exists; choose another --id`);
    }
    throw err;
  }
}

interface PendingActivity {
  activityId?: string | null;
  attempt?: number | null;
}

/** The status JSON of a run (DESIGN.md §7), wherever the run is in its life. */
export async function getStatus(client: Client, runId: string): Promise<RunStatus> {
  const handle = client.workflow.getHandle(runId);
  let description;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new NotFoundError(`no run with id ${runId}`);
    throw err;
  }
  if (description.status.name !== 'RUNNING') {
    const final = await finalStatus(handle);
    if (final) return final;
  }
  const status = await handle.query(statusQuery);
  // The workflow knows finished attempts; the server knows the attempt of each running activity.
  const pending = (description.raw.pendingActivities ?? []) as PendingActivity[];
  for (const activity of pending) {
    const taskId = activity.activityId?.replace(/\.\d+$/, '');
    const task = status.tasks.find((t) => t.id === taskId && t.state === 'running');
    if (task && activity.attempt) task.attempts += activity.attempt;
  }
  return status;
}

/** The status a finished run ended with, from its result or failure; null for a cancelled run. */
export async function finalStatus(handle: WorkflowHandle): Promise<RunStatus | null> {
  try {
    return (await handle.result()) as RunStatus;
  } catch (err) {
    if (err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure) {
      const details = err.cause.details?.[0] as RunStatus | undefined;
      if (details && typeof details === 'object' && 'tasks' in details) return details;
    }
    if (err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure) return null;
    throw err;
  }
}

/** Wait for a run to end and return its final status (cancelled runs: their last status). */
export async function waitForResult(client: Client, runId: string): Promise<RunStatus> {
  const handle = client.workflow.getHandle(runId);
  const final = await finalStatus(handle);
  if (final) return final;
  return await handle.query(statusQuery);
}

export interface RunSummary {
  runId: string;
  status: string;
  startTime: Date;
  closeTime: Date | undefined;
}

export async function listRuns(
  client: Client,
  options: { waiting?: boolean; limit?: number } = {},
): Promise<RunSummary[]> {
  const query = `WorkflowType = '${WORKFLOW_TYPE}'${options.waiting ? ' AND BatonWaiting = true' : ''}`;
  const runs: RunSummary[] = [];
  for await (const w of client.workflow.list({ query })) {
    runs.push({ runId: w.workflowId, status: w.status.name, startTime: w.startTime, closeTime: w.closeTime });
    if (runs.length >= (options.limit ?? 100)) break;
  }
  return runs;
}
