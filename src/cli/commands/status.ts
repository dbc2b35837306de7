// `baton status <run>` and `baton result <run>`.
import type { Config } from '../../config/index.js';
import type { Connected } from '../../client/connection.js';
import { readFinalSnapshot } from '../../snapshot/reader.js';
import type { Phase, RunStatus } from '../../workflows/status.js';
import { skipCodeCache } from '../code-cache.js';
import { answerFromSnapshot, printStatus, type StatusOptions } from '../snapshot-status.js';

export type { StatusOptions } from '../snapshot-status.js';

/**
 * While a run is busy its worker keeps a snapshot of its status, at most two seconds old, and reading it spares
 * the Temporal client's start-up and the wait of a query behind the run's workflow tasks (../snapshot-status.ts;
 * ./main.ts usually answers from it before this module is loaded). Without a fresh one — and when a running task
 * waits on another task queue, whose workers only Temporal knows — the run is asked.
 */
export async function statusCommand(config: Config, options: StatusOptions): Promise<number> {
  const answered = await answerFromSnapshot(config, options);
  if (answered !== undefined) {
    skipCodeCache();
    return answered;
  }
  const { getStatus } = await import('../../client/runs.js');
  // A finished run's last snapshot is its final status: it spares fetching and decoding the result (large for a
  // large run), and it keeps every task's summary, which the result of a large run leaves out.
  const keptFinalStatus = (executionRunId: string, phase: Phase) =>
    readFinalSnapshot(config.artifactsDir, options.runId, executionRunId, phase);
  return await show(config, options, (client) => getStatus(client, options.runId, { keptFinalStatus }));
}

/** Waits for the run to end, then prints its final status; exit 0 only if it completed. */
export async function resultCommand(config: Config, options: StatusOptions): Promise<number> {
  const [{ waitForResult }, { WorkflowNotFoundError }, { NotFoundError }] = await Promise.all([
    import('../../client/runs.js'),
    import('@temporalio/client'),
    import('../../client/errors.js'),
  ]);
  return await show(config, options, async (client) => {
    try {
      return await waitForResult(client, options.runId);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new NotFoundError(`no run with id ${options.runId}`);
      throw err;
    }
  });
}

async function show(
  config: Config,
  options: StatusOptions,
  read: (client: Connected['client']) => Promise<RunStatus>,
): Promise<number> {
  const { openClient } = await import('../temporal.js');
  const connected = await openClient(config);
  try {
    const status = await read(connected.client);
    const unserved = options.json ? [] : await waitingForWorkers(connected, status);
    return printStatus(options, status, connected.target, unserved);
  } finally {
    await connected.close();
  }
}

/**
 * What running tasks wait for, in lines for people: a worker on the queue they were routed to (nobody serves it),
 * or a free agent slot on a worker of the run's own queue (Temporal holds their agents until one is free).
 */
export async function waitingForWorkers(connected: Connected, status: RunStatus): Promise<string[]> {
  const [{ unservedQueues, unservedQueueMessage }, { heldForWorkers, heldMessage }] = await Promise.all([
    import('../../client/worker-check.js'),
    import('../../client/worker-slots.js'),
  ]);
  const running = status.tasks.filter((t) => t.state === 'running');
  const [unserved, held] = await Promise.all([
    unservedQueues(connected, running),
    heldForWorkers(connected.client, status).catch(() => ({ taskQueue: '', taskIds: [] })),
  ]);
  return [...unserved.map(unservedQueueMessage), ...(held.taskIds.length > 0 ? [heldMessage(held)] : [])];
}
