// The baton worker: the orchestrate workflow and the agent activities on one task queue; or, for routing
// (a plan's `taskQueue`), the activities alone on the queue of the tasks this host can run.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import { createNotifyActivities } from '../activities/notify.js';
import { createPlanActivities } from '../activities/plan-goal.js';
import { createWorkspaceActivities } from '../activities/workspace/activities.js';
import { metricsInterceptors } from './metrics.js';

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
  /** Payload codecs (encryption): must match the clients' (see batonDataConverter). */
  dataConverter?: DataConverter;
  /**
   * Serve activities only (agents, worktrees), not the orchestrate workflow: a worker for the tasks a plan
   * routes to this queue. Runs are started on a queue whose workers run the workflow.
   */
  activitiesOnly?: boolean;
}

export const DEFAULT_MAX_CONCURRENT_AGENTS = 16;

/** How long running agents may finish after a shutdown signal before they are cancelled (see shutdown.ts). */
export const DEFAULT_SHUTDOWN_GRACE = '30s';

/** The workflow code: the bundle `npm run build` prepared, else the sources (bundled at start). */
function workflowCode(): { workflowBundle: { codePath: string } } | { workflowsPath: string } {
  const bundle = fileURLToPath(new URL('../../workflow-bundle.js', import.meta.url));
  if (existsSync(bundle)) return { workflowBundle: { codePath: bundle } };
  return { workflowsPath: fileURLToPath(new URL('../workflows/index.js', import.meta.url)) };
}

export async function createBatonWorker(options: BatonWorkerOptions): Promise<Worker> {
  return await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    // Without workflow code the SDK polls the queue for activity tasks only.
    ...(options.activitiesOnly ? {} : workflowCode()),
    activities: {
      ...createActivities(options.activities),
      ...createPlanActivities(options.activities),
      ...createNotifyActivities(options.notifyCommand),
      ...createWorkspaceActivities(options.activities),
    },
    dataConverter: options.dataConverter,
    interceptors: metricsInterceptors(),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentAgents ?? DEFAULT_MAX_CONCURRENT_AGENTS,
    // Heartbeats carry cancellation to the agent: send them often so a cancel kills it at once.
    maxHeartbeatThrottleInterval: '1s',
    defaultHeartbeatThrottleInterval: '1s',
    shutdownGraceTime: options.shutdownGraceTime ?? DEFAULT_SHUTDOWN_GRACE,
  });
}
