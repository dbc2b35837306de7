// Start runs and read them back: the operations the CLI, the MCP server and library users share.
import {
  ApplicationFailure,
  CancelledFailure,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import type { ArtifactStore } from '../artifacts/store.js';
import type { Plan } from '../plan/schema.js';
import type { OrchestrateInput, OrchestrateOptions } from '../workflows/orchestrate.js';
import { planQuery, statusQuery } from '../workflows/messages.js';
import { taskIdOfActivity, type RunStatus } from '../workflows/status.js';
import { waiting } from '../workflows/wording.js';
import { BadInputError, NotFoundError } from './errors.js';
import { checkRunId, newRunId, shownId } from './run-id.js';
import { externalizeLargePrompts } from './large-prompts.js';

export const WORKFLOW_TYPE = 'orchestrate';

export interface StartRunOptions {
  /** The plan to run; or a `goal` the run's first step turns into a plan (planGoal). */
  plan?: Plan;
  goal?: string;
  /** With a goal: wait for a person's approve (or reject with a reason) of the plan before running it. */
  approvePlan?: boolean;
  taskQueue: string;
  workflowId?: string;
  options?: OrchestrateOptions;
  /** Where prompts too large for Temporal's history are kept (BATON_HOME/inputs, or the S3 store). */
  artifacts?: ArtifactStore;
}

export { newRunId } from './run-id.js';

export async function startRun(client: Client, start: StartRunOptions): Promise<WorkflowHandle> {
  const goal = start.goal?.trim();
  if (!start.plan && !goal) throw new BadInputError('give a plan or a goal');
  if (start.plan && goal) throw new BadInputError('give a plan or a goal, not both');
  if (start.workflowId !== undefined) checkRunId(start.workflowId);
  const workflowId =
    start.workflowId ??
    newRunId(start.plan ? start.plan.name : (await import('../workflows/planning.js')).goalSlug(goal!));
  const plan = start.plan && (await externalizeLargePrompts(start.plan, workflowId, start.artifacts));
  const input: OrchestrateInput = plan
    ? { plan, options: start.options }
    : { goal, options: { ...start.options, approvePlan: start.approvePlan ?? start.options?.approvePlan } };
  const taskCount = plan?.tasks.length ?? 0;
  const summary = plan
    ? `${plan.name}: ${taskCount} task${taskCount === 1 ? '' : 's'}${plan.goal ? ` — ${plan.goal}` : ''}`
    : `planned from a goal: ${goal}`;
  try {
    return await client.workflow.start(WORKFLOW_TYPE, {
      taskQueue: start.taskQueue,
      workflowId,
      args: [input],
      staticSummary: summary.slice(0, 200),
      staticDetails: plan?.goal ?? goal ?? undefined,
      // A run id is never reused, open or closed: nothing a run left (artifacts, branches) is another's to overwrite.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw await alreadyExists(client, workflowId);
    throw err;
  }
}

async function alreadyExists(client: Client, workflowId: string): Promise<BadInputError> {
  const state = await client.workflow
    .getHandle(workflowId)
    .describe()
    .then((d) => ` (${d.status.name.toLowerCase()})`)
    .catch(() => '');
  return new BadInputError(
    `a run with id ${shownId(workflowId)} already exists${state}; run ids are never reused, so that nothing it left is overwritten: choose another --id`,
  );
}

interface PendingActivity {
  activityId?: string | null;
  attempt?: number | null;
  /** Paused by an operator (`temporal activity pause`, the Web UI's "Pause"): no attempt starts until unpaused. */
  paused?: boolean | null;
}

/** The status JSON of a run (DESIGN.md §7), wherever the run is in its life. */
export interface GetStatusOptions {
  /**
   * The status a finished run's worker kept on this machine, if it is that of `executionRunId` (Temporal's id of
   * the run's last execution) and ended as `phase`: the same as the run's result, without fetching and decoding it.
   */
  keptFinalStatus?: (executionRunId: string, phase: 'completed' | 'failed' | 'cancelled') => RunStatus | null;
}

/** How a run that is no longer running ended, by its execution's status (terminated ones are left to the query). */
const FINAL_PHASE = { COMPLETED: 'completed', FAILED: 'failed', CANCELLED: 'cancelled' } as const;

export async function getStatus(client: Client, runId: string, options: GetStatusOptions = {}): Promise<RunStatus> {
  const handle = client.workflow.getHandle(runId);
  let description;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new NotFoundError(`no run with id ${runId}`);
    throw err;
  }
  if (description.status.name !== 'RUNNING') {
    const phase = FINAL_PHASE[description.status.name as keyof typeof FINAL_PHASE];
    const kept = phase && options.keptFinalStatus?.(description.runId, phase);
    if (kept) return kept;
    const final = await finalStatus(handle);
    if (final) return final;
  }
  // A run no worker has picked up yet cannot answer a query (the call would wait ~30 s and fail); nothing
  // has happened in it, so its status is the plan's initial one.
  if (description.historyLength < FIRST_WORKFLOW_TASK_COMPLETED) {
    // Loaded only here: the scheduler and the codec helpers are most of what reading a run costs at start-up.
    const { initialStatus } = await import('./initial-status.js');
    const initial = await initialStatus(client, handle, description);
    if (initial) return initial;
  }
  let status: RunStatus;
  try {
    status = await queryStatus(handle);
  } catch (err) {
    if (!(err instanceof ServiceError)) throw err;
    // Queries are answered by a worker: the usual reason for none is that no worker runs this task queue.
    throw new Error(
      `run ${runId} did not answer the status query (${err.message}); is a worker running on task queue ` +
        `"${description.taskQueue}"? Start one with \`baton worker\``,
    );
  }
  mergePendingActivities(status, (description.raw.pendingActivities ?? []) as PendingActivity[]);
  return status;
}

/**
 * What only the server knows of a running task's agent: which attempt it is in (the workflow counts a running task
 * in its first), and whether an operator paused it — Temporal tells the workflow nothing of a pause (DESIGN.md §4).
 */
export function mergePendingActivities(status: RunStatus, pending: readonly PendingActivity[]): void {
  for (const activity of pending) {
    if (!activity.activityId) continue;
    const taskId = taskIdOfActivity(activity.activityId);
    const task = status.tasks.find((t) => t.id === taskId && t.state === 'running');
    if (!task) continue;
    if (activity.attempt && activity.attempt > 1) task.attempts += activity.attempt - 1;
    if (activity.paused) {
      task.paused = true;
      status.waitingOn.push(waiting.agentPaused(task.id, activity.activityId));
    }
  }
}

/** Events of a run up to its first completed workflow task: started, task scheduled, started, completed. */
const FIRST_WORKFLOW_TASK_COMPLETED = 4;
/**
 * The status a finished run ended with: its result, or the details of its failure (RunFailed) or of its
 * cancellation (an aborted or cancelled run; runs of an earlier baton ended as the failure RunAborted). Null for a
 * run cancelled without one (by an earlier baton).
 */
export async function finalStatus(handle: WorkflowHandle): Promise<RunStatus | null> {
  try {
    return (await handle.result()) as RunStatus;
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    if (err.cause instanceof ApplicationFailure || err.cause instanceof CancelledFailure) {
      const details = err.cause.details?.[0] as RunStatus | undefined;
      if (details && typeof details === 'object' && 'tasks' in details) return details;
    }
    if (err.cause instanceof CancelledFailure) return null;
    throw err;
  }
}

/** Wait for a run to end and return its final status (cancelled runs: their last status). */
export async function waitForResult(client: Client, runId: string): Promise<RunStatus> {
  const handle = client.workflow.getHandle(runId);
  const final = await finalStatus(handle);
  if (final) return final;
  return await queryStatus(handle);
}

/** Tasks per status query: a page of a large plan fits one message. */
export const STATUS_PAGE_SIZE = 500;

/** The status query, read a page of tasks at a time so that plans of thousands of tasks work. */
export async function queryStatus(handle: WorkflowHandle): Promise<RunStatus> {
  try {
    // Every task in one answer: each query waits its turn at the run's worker, so one is what keeps `baton
    // status` fast on a busy run. A large answer travels compressed (the data converter's ZlibCodec).
    return await handle.query(statusQuery);
  } catch (err) {
    // Too large even so (results of many kilobytes on thousands of tasks, or a worker without the codec):
    // a page at a time fits.
    if (!TOO_LARGE.test(String(err))) throw err;
  }
  return await queryStatusPages(handle);
}

const TOO_LARGE = /too large|exceed|RESOURCE_EXHAUSTED|size limit|larger than/i;

/** The status query a page at a time. */
export async function queryStatusPages(handle: WorkflowHandle): Promise<RunStatus> {
  const first = await handle.query(statusQuery, { offset: 0, limit: STATUS_PAGE_SIZE });
  // A run started by an earlier baton may not know pages: it answers every task at once.
  const total = first.taskCount ?? first.tasks.length;
  const tasks = [...first.tasks];
  while (tasks.length < total) {
    const page = await handle.query(statusQuery, { offset: tasks.length, limit: STATUS_PAGE_SIZE });
    if (page.tasks.length === 0) break;
    tasks.push(...page.tasks);
  }
  return { ...first, taskCount: total, tasks };
}

/** The plan of a run: the accepted one, or while it waits for approval, the proposed one; null while planning. */
export async function getPlan(client: Client, runId: string): Promise<Plan | null> {
  const handle = client.workflow.getHandle(runId);
  try {
    await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new NotFoundError(`no run with id ${runId}`);
    throw err;
  }
  try {
    return await handle.query(planQuery);
  } catch (err) {
    if (!(err instanceof ServiceError)) throw err;
    throw new Error(`run ${runId} did not answer the plan query (${err.message}); is a worker running its task queue?`);
  }
}
