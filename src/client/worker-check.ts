// The MCP server runs no worker, yet a running run answers queries and updates only through one: without
// it a status query hangs 30 s and ends in "Failed to query Workflow", and an update waits forever.
// So the tools look for a worker on the run's task queue first and say plainly when there is none.
import { WorkflowNotFoundError } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { Connected } from './connection.js';
import { NotFoundError } from './errors.js';

const { TaskQueueKind, TaskQueueType } = proto.temporal.api.enums.v1;

export class NoWorkerError extends Error {
  override name = 'NoWorkerError';
}

/**
 * Whether a worker has polled `taskQueue` lately (Temporal remembers pollers for a few minutes), for workflow
 * tasks or for activity tasks; null when the server cannot say.
 */
export async function workerPolls(
  connected: Connected,
  taskQueue: string,
  kind: 'workflow' | 'activity' = 'workflow',
): Promise<boolean | null> {
  try {
    const answer = await connected.connection.workflowService.describeTaskQueue({
      namespace: connected.target.namespace,
      taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType:
        kind === 'workflow' ? TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW : TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    });
    return (answer.pollers ?? []).length > 0;
  } catch {
    return null;
  }
}

/** A task queue a plan routes tasks to (`taskQueue`) that no worker serves: those tasks wait for one. */
export interface UnservedQueue {
  taskQueue: string;
  taskIds: string[];
}

/**
 * The routed queues of `tasks` that no worker has polled for activities lately. A task on such a queue sits in
 * `running`: Temporal holds its activity until a worker polls (schedule-to-start has no limit), so this is
 * how people learn why.
 */
export async function unservedQueues(
  connected: Connected,
  tasks: readonly { id: string; taskQueue?: string | null }[],
): Promise<UnservedQueue[]> {
  const byQueue = new Map<string, string[]>();
  for (const task of tasks) {
    if (task.taskQueue) byQueue.set(task.taskQueue, [...(byQueue.get(task.taskQueue) ?? []), task.id]);
  }
  const checked = await Promise.all(
    [...byQueue].map(async ([taskQueue, taskIds]) =>
      (await workerPolls(connected, taskQueue, 'activity')) === false ? [{ taskQueue, taskIds }] : [],
    ),
  );
  return checked.flat();
}

/** What to tell people about an unserved queue. */
export function unservedQueueMessage({ taskQueue, taskIds }: UnservedQueue): string {
  const shown = taskIds.slice(0, 5).join(', ') + (taskIds.length > 5 ? `, … (${taskIds.length} tasks)` : '');
  return (
    `no worker serves task queue "${taskQueue}": ${taskIds.length === 1 ? 'task' : 'tasks'} ${shown} ` +
    `${taskIds.length === 1 ? 'waits' : 'wait'} in running until one does ` +
    `(\`baton worker --task-queue ${taskQueue} --activities-only\` where ${taskIds.length === 1 ? 'it' : 'they'} can run)`
  );
}

function noWorker(runId: string, taskQueue: string): NoWorkerError {
  return new NoWorkerError(
    `run ${runId} is running in Temporal, but no baton worker serves its task queue "${taskQueue}", so it can neither answer nor make progress. Start one (\`baton worker\` with BATON_TASK_QUEUE=${taskQueue} and the same Temporal), then ask again.`,
  );
}

/**
 * Runs `work` (a query or an update of run `runId`) once a worker can answer it: an unknown run is a
 * NotFoundError, a running run whose task queue nobody polls a NoWorkerError, both without waiting.
 */
export async function withWorker<T>(connected: Connected, runId: string, work: () => Promise<T>): Promise<T> {
  let description;
  try {
    description = await connected.client.workflow.getHandle(runId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new NotFoundError(`no run with id ${runId}`);
    throw err;
  }
  const running = description.status.name === 'RUNNING';
  if (running && (await workerPolls(connected, description.taskQueue)) === false) {
    throw noWorker(runId, description.taskQueue);
  }
  try {
    return await work();
  } catch (err) {
    // A worker that stopped a moment ago still shows among the pollers for a while.
    if (running && err instanceof Error && /failed to query workflow/i.test(err.message)) {
      throw noWorker(runId, description.taskQueue);
    }
    throw err;
  }
}
