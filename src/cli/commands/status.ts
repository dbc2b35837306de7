// `baton status <run>` and `baton result <run>`.
import type { Config } from '../../client/config.js';
import { runUrl, type Connected } from '../../client/connection.js';
import { getStatus, waitForResult } from '../../client/runs.js';
import { NotFoundError } from '../../client/errors.js';
import { unservedQueueMessage, unservedQueues, type UnservedQueue } from '../../client/worker-check.js';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { RunStatus } from '../../workflows/status.js';
import { statusReport } from '../format.js';
import { openClient } from '../temporal.js';

export interface StatusOptions {
  runId: string;
  json?: boolean;
}

export async function statusCommand(config: Config, options: StatusOptions): Promise<number> {
  return await show(config, options, (client) => getStatus(client, options.runId));
}

/** Waits for the run to end, then prints its final status; exit 0 only if it completed. */
export async function resultCommand(config: Config, options: StatusOptions): Promise<number> {
  const code = await show(config, options, async (client) => {
    try {
      return await waitForResult(client, options.runId);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new NotFoundError(`no run with id ${options.runId}`);
      throw err;
    }
  });
  return code;
}

async function show(
  config: Config,
  options: StatusOptions,
  read: (client: Awaited<ReturnType<typeof openClient>>['client']) => Promise<RunStatus>,
): Promise<number> {
  const connected = await openClient(config);
  const { client, target, close } = connected;
  try {
    const status = await read(client);
    if (options.json) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    else {
      const unserved = (await waitingForWorkers(connected, status)).map(unservedQueueMessage);
      process.stdout.write(`${statusReport(status, runUrl(target, status.runId), unserved)}\n`);
    }
    return status.phase === 'failed' || status.phase === 'cancelled' ? 1 : 0;
  } finally {
    await close();
  }
}

/** The queues that running tasks were routed to and that no worker serves (their tasks wait for one). */
export async function waitingForWorkers(connected: Connected, status: RunStatus): Promise<UnservedQueue[]> {
  return await unservedQueues(
    connected,
    status.tasks.filter((t) => t.state === 'running'),
  );
}
