// The baton worker: the orchestrate workflow and the agent activities on one task queue; or, for routing
// (a plan's `taskQueue`), the activities alone on the queue of the tasks this host can run.
import v8 from 'node:v8';
import type { DataConverter } from '@temporalio/common';
import { Runtime, Worker, type NativeConnection } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import { batonDataConverter } from '../codec/data-converter.js';
import { answerSinks } from '../activities/agent-talk/answers.js';
import { warmUpLauncher } from '../activities/launcher/client.js';
import { noWarmAgents, WarmPool } from '../activities/warm-pool.js';
import { LocalArtifactStore } from '../artifacts/local-store.js';
import { createNotifyActivities } from '../activities/notify.js';
import { createPlanActivities } from '../activities/plan-goal.js';
import { createVerifyActivities } from '../activities/verify/verify-task.js';
import { createWorkspaceActivities } from '../activities/workspace/activities.js';
import { DISCARD_WORKFLOW_SPANS, type Tracing } from '../tracing/tracing.js';
import { metricsInterceptors } from './metrics.js';
import { StatusSnapshots } from '../snapshot/writer.js';
import { WorkerProgress } from './progress.js';
import { warmUpWorker } from './warm-up.js';
import { workflowCode } from './workflow-code.js';
import { DEFAULT_WORKER_MEMORY, type WorkerMemory } from '../config/worker-memory.js';

export interface BatonWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: ActivityDeps;
  /** BATON_NOTIFY_CMD, run when a run starts waiting on a person. */
  notifyCommand?: string[];
  /** Agents one worker runs at once; each `claude` costs a few hundred MB (DESIGN.md §5). */
  maxConcurrentAgents?: number;
  /** How long running agents may go on after shutdown is asked (then they are cancelled). */
  shutdownGraceTime?: string;
  /** Payload codecs (compression, encryption): must match the clients' (default: batonDataConverter without keys). */
  dataConverter?: DataConverter;
  /** Where the spans of workflows and activities go; undefined: tracing is off (see startTracing). */
  tracing?: Tracing;
  /**
   * Serve activities only (agents, worktrees), not the orchestrate workflow: a worker for the tasks a plan
   * routes to this queue. Runs are started on a queue whose workers run the workflow.
   */
  activitiesOnly?: boolean;
  /** Where the worker's progress lines go (an agent started or ended, a run ended); undefined: nowhere. */
  progress?: (line: string) => void;
  /** Claudes started ahead of their task (DESIGN §5 warm agents) at most at once; 0: none (default 4). */
  warmAgents?: number;
  /** How the worker's V8 heaps trade memory for CPU (workerV8Flags); default `small`. */
  memory?: WorkerMemory;
}

export const DEFAULT_WARM_AGENTS = 4;

export const DEFAULT_MAX_CONCURRENT_AGENTS = 16;

/** Activity slots beyond a plan's agents: its git work (worktree isolation) and notifications. */
const SPARE_SLOTS = 4;

/**
 * Agent slots for a worker that runs one plan alone (`baton run`): its maxParallel agents at once, and room for
 * its other activities; never fewer than a worker's default (a run from a goal has no plan yet).
 */
export function agentSlotsFor(plan: { maxParallel: number } | undefined): number {
  return Math.max(DEFAULT_MAX_CONCURRENT_AGENTS, (plan?.maxParallel ?? 0) + SPARE_SLOTS);
}

/**
 * Workflow tasks a worker works on at once (the SDK's default is 40). The SDK sends a new run's sandbox to the
 * workflow thread in two messages, its creation (~25 ms of that thread: the run's own copy of baton's modules) and
 * then its first activation, so 40 new runs at once queue 40 creations ahead of the first run's activation: 50 runs
 * started together had their first agent 1.8–2.1 s after the start with 40, 0.4 s with 8, and ended 8–13% sooner
 * (issue 22). One thread works on one task at a time; 8 still leaves seven on their way to or from the server.
 */
export const WORKFLOW_TASK_SLOTS = 8;

/** How long running agents may finish after a shutdown signal before they are cancelled (see shutdown.ts). */
export const DEFAULT_SHUTDOWN_GRACE = '30s';

/** Frames of the stack the Temporal SDK records for every promise a workflow creates (V8's default is 10). */
export const WORKFLOW_STACK_FRAMES = 4;

/**
 * The SDK's sandbox records a stack trace for every promise created in workflow code (for the "Stack Trace"
 * view of the Web UI), mapped through the bundle's source map: on a large run, much of the workflow thread's
 * CPU (docs/BENCHMARKS.md). Fewer frames make each capture cheaper and keep the top of every stack, which is
 * what that view shows. V8 reads the limit when a context is created, so it must be set before the worker
 * creates its workflow thread; contexts that exist already (this one) keep theirs.
 */
function shortenWorkflowStacks(): void {
  v8.setFlagsFromString(`--stack-trace-limit=${WORKFLOW_STACK_FRAMES}`);
}

/**
 * The V8 flags of a worker's memory setting. V8's flags are the process's: they are set before the worker creates
 * its workflow thread (V8 sizes a thread's heap when it starts) and hold for every worker of the process.
 * - `small`: `--optimize-for-size`. V8 collects the old generation sooner and gives memory back, which keeps the
 *   5,000-task run's worker near 300 MB (430–510 MB without). It also keeps every new generation at 1 MB, so a
 *   large run's worker spends much of its CPU collecting.
 * - `large`: V8's own sizing (new generations of up to 32 MB; the old generation grows to about twice what it
 *   holds): about a third less worker CPU on large runs, for 500–600 MB on the 5,000-task run (docs/BENCHMARKS.md).
 */
export function workerV8Flags(memory: WorkerMemory): string[] {
  return memory === 'small' ? ['--optimize-for-size'] : ['--no-optimize-for-size'];
}

export async function createBatonWorker(options: BatonWorkerOptions): Promise<Worker> {
  // Agents are started by a small launcher process: start it while the worker is still small, before the first task.
  warmUpLauncher();
  shortenWorkflowStacks();
  for (const flag of workerV8Flags(options.memory ?? DEFAULT_WORKER_MEMORY)) v8.setFlagsFromString(flag);
  // With a key, the bundle compiled with the failure converter that encrypts failure messages.
  const dataConverter = options.dataConverter ?? batonDataConverter(undefined);
  const code = workflowCode(dataConverter.failureConverterPath);
  const metrics = metricsInterceptors();
  const snapshots = new StatusSnapshots(options.activities.artifactsDir, (message) =>
    Runtime.instance().logger.warn(message),
  );
  const progress = options.progress && new WorkerProgress(options.progress);
  const slots = options.maxConcurrentAgents ?? DEFAULT_MAX_CONCURRENT_AGENTS;
  // Warmed on the word of the workflows this worker runs (a sink): an activities-only worker has none.
  const max = options.activitiesOnly ? 0 : (options.warmAgents ?? DEFAULT_WARM_AGENTS);
  const store = options.activities.store;
  const warm =
    max > 0
      ? new WarmPool(
          { ...options.activities, remoteStore: store !== undefined && !(store instanceof LocalArtifactStore) },
          { max, slots, warn: (message) => Runtime.instance().logger.warn(message) },
        )
      : undefined;
  const activityDeps: ActivityDeps = { ...options.activities, ...(warm ? { warmAgents: warm } : {}) };
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    // Without workflow code the SDK polls the queue for activity tasks only.
    ...(options.activitiesOnly ? {} : { workflowBundle: code.workflowBundle, workflowsPath: code.workflowsPath }),
    activities: {
      ...createActivities(activityDeps),
      ...createPlanActivities(options.activities),
      ...createVerifyActivities(options.activities),
      ...createNotifyActivities(options.notifyCommand),
      ...createWorkspaceActivities(options.activities),
    },
    dataConverter,
    interceptors: {
      // Tracing first, so that an activity's span covers everything else its attempt does.
      activity: [
        ...(options.tracing?.activityInterceptors() ?? []),
        ...metrics.activity,
        ...(options.activitiesOnly ? [] : [snapshots.activityInterceptor()]),
        ...(progress ? [progress.activityInterceptor()] : []),
      ],
      // Only when bundling from the sources: the prebuilt bundles have them compiled in.
      ...(options.activitiesOnly ? {} : { workflowModules: code.workflowModules }),
    },
    ...(options.activitiesOnly
      ? {}
      : {
          sinks: {
            ...(options.tracing?.workflowSinks() ?? DISCARD_WORKFLOW_SPANS),
            ...snapshots.sinks(progress && ((runId, phase) => progress.phase(runId, phase))),
            // An answer wakes the agent waiting for it at once when that agent runs here (agent-talk/answers.ts).
            ...answerSinks(),
            // Without warm agents the workflow's word is heard and ignored (an unregistered sink logs an error).
            ...(warm ? warm.sinks() : noWarmAgents()),
          },
        }),
    maxConcurrentActivityTaskExecutions: slots,
    maxConcurrentWorkflowTaskExecutions: WORKFLOW_TASK_SLOTS,
    // Heartbeats carry cancellation to the agent: send them often so a cancel kills it at once.
    maxHeartbeatThrottleInterval: '1s',
    defaultHeartbeatThrottleInterval: '1s',
    shutdownGraceTime: options.shutdownGraceTime ?? DEFAULT_SHUTDOWN_GRACE,
  });
  warmUpWorker({ usePidNamespace: options.activities.usePidNamespace, workflows: !options.activitiesOnly });
  if (!warm) return worker;
  // However the worker stops, no claude it started ahead outlives it.
  const run = worker.run.bind(worker);
  worker.run = () => run().finally(() => warm.close());
  return worker;
}
