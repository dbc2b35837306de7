// `baton worker`: serve a task queue until SIGINT/SIGTERM (running agents get a grace time). With
// --activities-only it runs no workflows: a host serving the tasks a plan routes to its queue (`taskQueue`). With
// --rehearse it serves the rehearsal queue instead, its agents talking to the built-in scripted model.
import type { Config } from '../../config/index.js';
import type { WorkerMemory } from '../../config/worker-memory.js';
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
import { activityDeps, checkedArtifactStore, policySummary, startRehearsal, type Rehearsal } from '../worker-setup.js';
import type { ActivityDeps } from '../../activities/index.js';
import { rehearsalTaskQueue } from '../../rehearsal/env.js';

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
  /** Serve rehearsals (`baton start --rehearse`) on the rehearsal queue, with the scripted model. */
  rehearse?: boolean;
  /** Refuse plans' `verify` commands (DESIGN.md §11): this worker runs agents only. */
  noCommands?: boolean;
  /** Claudes started ahead of their task at most at once (0: none). */
  warmAgents?: number;
  /** How the worker's heap trades memory for CPU (default BATON_WORKER_MEMORY, else small). */
  memory?: WorkerMemory;
}

/** `baton worker`'s flags as commander gives them (`--no-commands` sets `commands: false`). */
export type WorkerFlags = Omit<WorkerCommandOptions, 'maxConcurrentAgents' | 'noCommands'> & {
  maxAgents?: number;
  commands?: boolean;
};

export async function workerCommand(config: Config, options: WorkerCommandOptions): Promise<number> {
  const grace = options.grace ?? DEFAULT_SHUTDOWN_GRACE;
  if (!DurationSchema.safeParse(grace).success) {
    throw new BadInputError(`--grace wants a duration such as "30s" or "2m", got "${grace}"`);
  }
  const served = options.taskQueue ?? config.taskQueue;
  const queueCheck = TaskQueueSchema.safeParse(served);
  if (!queueCheck.success) {
    throw new BadInputError(`--task-queue "${served}" ${queueCheck.error.issues[0]?.message ?? 'is not valid'}`);
  }
  if (options.rehearse && options.activitiesOnly) {
    throw new BadInputError(
      '--rehearse runs whole rehearsals (a rehearsal routes no task elsewhere): not with --activities-only',
    );
  }
  // A rehearsal worker serves the rehearsal queue only: real runs never meet the scripted model.
  const taskQueue = options.rehearse ? rehearsalTaskQueue(served) : served;
  // Before Temporal: a worker whose results nobody could read must not start taking tasks.
  const policy = workerPolicy(config.policy, {
    defaultRoots: [config.cwd],
    allowBypassPermissions: options.allowBypassPermissions,
    noCommands: options.noCommands,
  });
  const store = await checkedArtifactStore(config);
  const rehearsal = options.rehearse ? await startRehearsal(config) : undefined;
  try {
    return await serve(config, options, taskQueue, activityDeps(config, rehearsal?.env, store, policy), rehearsal);
  } finally {
    await rehearsal?.stop();
  }
}

async function serve(
  config: Config,
  options: WorkerCommandOptions,
  taskQueue: string,
  activities: ActivityDeps,
  rehearsal: Rehearsal | undefined,
): Promise<number> {
  const grace = options.grace ?? DEFAULT_SHUTDOWN_GRACE;
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
    ...warmAgentsOf(options, config),
    memory: options.memory ?? config.workerMemory,
    shutdownGraceTime: grace,
    progress: note,
    dataConverter: batonDataConverter(config.encryption.keys),
    tracing,
  });
  const serves = options.activitiesOnly ? 'activities only (agents, worktrees), ' : '';
  const { profile } = config.temporal;
  const from = profile ? ` (profile "${profile.name}" of ${profile.file})` : '';
  note(
    `baton worker on ${target.address}${from}, namespace ${target.namespace}, task queue "${taskQueue}", ${serves}pid ${process.pid}; artifacts in ${activities.store?.location ?? config.artifactsDir}.${config.tracing.url ? ` Traces to ${config.tracing.url}.` : ''} Ctrl-C to stop.`,
  );
  note(policySummary(activities.policy));
  if (rehearsal) {
    note(
      `rehearsal: agents talk to a scripted model at ${rehearsal.model.url} (no API key, no cost); this worker runs the runs of \`baton start --rehearse\` only`,
    );
  }
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

/** `--warm-agents`, else BATON_WARM_AGENTS, else the worker's default. */
export function warmAgentsOf(options: WorkerCommandOptions, config: Config): { warmAgents?: number } {
  const warmAgents = options.warmAgents ?? config.warmAgents;
  return warmAgents === undefined ? {} : { warmAgents };
}
