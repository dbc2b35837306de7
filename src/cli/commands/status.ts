// `baton status <run>` and `baton result <run>`.
import type { Config } from '../../client/config.js';
import type { Connected } from '../../client/connection.js';
import { readFinalSnapshot, readFreshSnapshot } from '../../client/status-snapshot.js';
import { resolveTarget, runUrl, type Target } from '../../client/target.js';
import type { UnservedQueue } from '../../client/worker-check.js';
import type { Phase, RunStatus } from '../../workflows/status.js';
import { skipCodeCache } from '../code-cache.js';
import { statusReport } from '../format.js';

export interface StatusOptions {
  runId: string;
  json?: boolean;
}

/**
 * While a run is busy its worker keeps a snapshot of its status, at most two seconds old, and reading it spares
 * the Temporal client's start-up and the wait of a query behind the run's workflow tasks. Without a fresh one —
 * and when a running task waits on another task queue, whose workers only Temporal knows — the run is asked.
 */
export async function statusCommand(config: Config, options: StatusOptions): Promise<number> {
  const snapshot = readFreshSnapshot(config.artifactsDir, options.runId);
  if (snapshot) skipCodeCache();
  if (snapshot && options.json) {
    process.stdout.write(`${snapshot.json()}\n`);
    return exitCodeOf(snapshot);
  }
  if (snapshot && !snapshot.status().tasks.some((t) => t.state === 'running' && t.taskQueue)) {
    return print(options, snapshot.status(), await resolveTarget(config, note), []);
  }
  const { getStatus } = await import('../../client/runs.js');
  // A finished run's last snapshot is its final status: it spares fetching and decoding the result (2 MB for
  // 5,000 tasks), and it keeps every task's summary, which the result of a large run leaves out.
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
    const { unservedQueueMessage } = await import('../../client/worker-check.js');
    const unserved = options.json ? [] : (await waitingForWorkers(connected, status)).map(unservedQueueMessage);
    return print(options, status, connected.target, unserved);
  } finally {
    await connected.close();
  }
}

function print(options: StatusOptions, status: RunStatus, target: Target | undefined, unserved: string[]): number {
  if (options.json) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
  else {
    const url = target && runUrl(target, status.runId);
    process.stdout.write(`${statusReport(status, url, unserved)}\n`);
  }
  return exitCodeOf(status);
}

function exitCodeOf(status: Pick<RunStatus, 'phase'>): number {
  return status.phase === 'failed' || status.phase === 'cancelled' ? 1 : 0;
}

/** The queues that running tasks were routed to and that no worker serves (their tasks wait for one). */
export async function waitingForWorkers(connected: Connected, status: RunStatus): Promise<UnservedQueue[]> {
  const { unservedQueues } = await import('../../client/worker-check.js');
  return await unservedQueues(
    connected,
    status.tasks.filter((t) => t.state === 'running'),
  );
}

function note(message: string): void {
  process.stderr.write(`${message}\n`);
}
