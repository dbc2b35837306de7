// `baton worker`: serve the task queue until SIGINT/SIGTERM (running agents get a grace time).
import type { Config } from '../../client/config.js';
import { connectWorkerConnection } from '../../client/connection.js';
import { ensureSearchAttributes } from '../../workers/search-attributes.js';
import { createBatonWorker } from '../../workers/worker.js';
import { note, openClient } from '../temporal.js';
import { activityDeps } from '../worker-setup.js';

export interface WorkerCommandOptions {
  maxConcurrentAgents?: number;
}

export async function workerCommand(config: Config, options: WorkerCommandOptions): Promise<number> {
  const connected = await openClient(config);
  const { target } = connected;
  try {
    const added = await ensureSearchAttributes(connected.connection, target.namespace);
    if (added.length > 0) note(`added search attributes ${added.join(', ')} to namespace ${target.namespace}`);
  } finally {
    await connected.close();
  }
  const connection = await connectWorkerConnection(config, target);
  const worker = await createBatonWorker({
    connection,
    namespace: target.namespace,
    taskQueue: config.taskQueue,
    activities: activityDeps(config),
    maxConcurrentAgents: options.maxConcurrentAgents,
  });
  note(
    `baton worker on ${target.address}, namespace ${target.namespace}, task queue "${config.taskQueue}"; artifacts in ${config.artifactsDir}. Ctrl-C to stop.`,
  );
  await worker.run();
  await connection.close();
  return 0;
}
