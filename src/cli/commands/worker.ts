// `baton worker`: serve a task queue until SIGINT/SIGTERM (running agents get a grace time). With
// --activities-only it runs no workflows: a host serving the tasks a plan routes to its queue (`taskQueue`).
import type { Config } from '../../config/index.js';
import { batonDataConverter } from '../../codec/data-converter.js';
import { connectWorkerConnection } from '../../client/connection.js';
import { ensureSearchAttributes } from '../../workers/search-attributes.js';
import { DurationSchema, TaskQueueSchema, durationMs } from '../../plan/schema.js';
import { BadInputError } from '../../client/errors.js';
import { startTracing } from '../../tracing/tracing.js';
import { handleShutdownSignals } from '../../workers/shutdown.js';
import { createBatonWorker, DEFAULT_SHUTDOWN_GRACE } from '../../workers/worker.js';
import { note, openClient } from '../temporal.js';
import { workerPolicy } from '../../config/policy.js';
import { activityDeps, checkedArtifactStore, policySummary } from '../worker-setup.js';

export interface WorkerCommandOptions {
  maxConcurrentAgents?: number;
  /** How long running agents may finish after SIGINT/SIGTERM before they are cancelled ("30s", "2m"). */
  grace?: string;
  /** The task queue to serve (default BATON_TASK_QUEUE). */
  taskQueue?: string;
  /** Serve the agent and workspace activities only, not the orchestrate workflow. */
  activitiesOnly?: boolean;
  /** Let plans ask for permissionMode bypassPermissions (DESIGN.md §9). */
  allowBypassPermissions?: boolean;
}

export async function workerCommand(config: Config, options: WorkerCommandOptions): Promise<number> {
  const grace = options.grace ?? DEFAULT_SHUTDOWN_GRACE;
  if (!DurationSchema.safeParse(grace).success) {
    throw new BadInputError(`--grace wants a duration such as "30s" or "2m", got "${grace}"`);
  }
  const taskQueue = options.taskQueue ?? config.taskQueue;
  const queueCheck = TaskQueueSchema.safeParse(taskQueue);
  if (!queueCheck.success) {
    throw new BadInputError(`--task-queue "${taskQueue}" ${queueCheck.error.issues[0]?.message ?? 'is not valid'}`);
  }
  // Before Temporal: a worker whose results nobody could read must not start taking tasks.
  const policy = workerPolicy(config.policy, {
    defaultRoots: [config.cwd],
    allowBypassPermissions: options.allowBypassPermissions,
  });
  const activities = activityDeps(config, undefined, await checkedArtifactStore(config), policy);
  const connected = await openClient(config);
  const { target } = connected;
  try {
    // Only workflows write search attributes: an activities-only worker needs no operator rights.
    if (!options.activitiesOnly) {
      const added = await ensureSearchAttributes(connected.connection, target.namespace);
      if (added.length > 0) note(`added search attributes ${added.join(', ')} to namespace ${target.namespace}`);
    }
  } finally {
    await connected.close();
  }
  const connection = await connectWorkerConnection(config, target);
  const tracing = await startTracing(config.tracing, 'worker', { warn: note });
  const worker = await createBatonWorker({
    connection,
    namespace: target.namespace,
    taskQueue,
    activitiesOnly: options.activitiesOnly,
    activities,
    notifyCommand: config.notifyCommand,
    maxConcurrentAgents: options.maxConcurrentAgents,
    shutdownGraceTime: grace,
    dataConverter: batonDataConverter(config.encryption.keys),
    tracing,
  });
  const serves = options.activitiesOnly ? 'activities only (agents, worktrees), ' : '';
  const { profile } = config.temporal;
  const from = profile ? ` (profile "${profile.name}" of ${profile.file})` : '';
  note(
    `baton worker on ${target.address}${from}, namespace ${target.namespace}, task queue "${taskQueue}", ${serves}pid ${process.pid}; artifacts in ${activities.store?.location ?? config.artifactsDir}.${config.tracing.url ? ` Traces to ${config.tracing.url}.` : ''} Ctrl-C to stop.`,
  );
  note(policySummary(policy));
  const stopHandlingSignals = handleShutdownSignals({ worker, graceMs: durationMs(grace), note });
  try {
    await worker.run();
  } finally {
    stopHandlingSignals();
    await tracing?.shutdown();
  }
  await connection.close();
  return 0;
}
