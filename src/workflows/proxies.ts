// The one module of workflow code that calls proxyActivities. The activities' types are those of the factories
// a worker registers (imported as types only: activities never run in the sandbox), and their timeouts and
// retry policies are set here, once.
import type { Duration, RetryPolicy } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time.js';
import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { createNotifyActivities } from '../activities/notify.js';
import type { createPlanActivities } from '../activities/plan-goal.js';
import type { createActivities } from '../activities/run-agent.js';
import type { createVerifyActivities } from '../activities/verify/verify-task.js';
import type { createWorkspaceActivities } from '../activities/workspace/activities.js';
import { FailureType, NON_RETRYABLE_FAILURE_TYPES, NON_RETRYABLE_WORKSPACE_FAILURES } from '../contract/failures.js';
import { durationMs, type Duration as PlanDuration, type EffectiveTask } from '../plan/schema.js';
import { agentActivityId } from './status.js';

export type AgentActivities = ReturnType<typeof createActivities>;
export type PlanActivities = ReturnType<typeof createPlanActivities>;
export type NotifyActivities = ReturnType<typeof createNotifyActivities>;
export type WorkspaceActivities = ReturnType<typeof createWorkspaceActivities>;
export type VerifyActivities = ReturnType<typeof createVerifyActivities>;

/** The run's options that shape its activities (see OrchestrateOptions). */
export interface ActivityTiming {
  /** First retry delay of an agent, planner or git attempt (doubles each time). */
  retryInitialInterval?: Duration;
  /** How long an agent or planner may go without a heartbeat before its worker is presumed dead. */
  heartbeatTimeout?: Duration;
  /** Wall-clock limit of one planner attempt. */
  plannerTimeout?: PlanDuration;
}

export const DEFAULT_HEARTBEAT_TIMEOUT = '10s';
export const DEFAULT_PLANNER_TIMEOUT = '20m';
/** Attempts of one planner request when claude itself fails (rate limits, crashes). */
export const PLANNER_ATTEMPTS = 3;
/** The activity's own wall-clock limit fires first and says so; Temporal's is the backstop. */
const TIMEOUT_SLACK_MS = 15_000;

/** Temporal refuses a retry policy whose maximum interval is below its initial one: a longer first delay raises it. */
function maximumInterval(initialInterval: Duration, usual: Duration): Duration {
  return msToNumber(initialInterval) > msToNumber(usual) ? initialInterval : usual;
}

/** An agent's or the planner's attempts: doubling delays up to a minute; a failure no attempt can fix ends them. */
function claudeRetry(maximumAttempts: number, timing: ActivityTiming): RetryPolicy {
  return {
    maximumAttempts,
    initialInterval: timing.retryInitialInterval ?? '1s',
    backoffCoefficient: 2,
    maximumInterval: maximumInterval(timing.retryInitialInterval ?? '1s', '1m'),
    nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURE_TYPES],
  };
}

/** Git work: a lock held by a person's git or a full disk may pass; a missing repository or branch will not. */
function workspaceRetry(initialInterval: Duration): RetryPolicy {
  return {
    maximumAttempts: 5,
    initialInterval,
    backoffCoefficient: 2,
    maximumInterval: maximumInterval(initialInterval, '30s'),
    nonRetryableErrorTypes: [...NON_RETRYABLE_WORKSPACE_FAILURES],
  };
}

/** A few quick tries: a notification that cannot be delivered must not hold the run. */
const NOTIFY_RETRY: RetryPolicy = { maximumAttempts: 3, initialInterval: '2s' };

/** The agent of one run (generation) of a task; `fixRound`: a verify failure given back to it (DESIGN §11). */
export function agentActivities(
  task: EffectiveTask,
  generation: number,
  timing: ActivityTiming,
  fixRound?: number,
): AgentActivities {
  const fix = fixRound ? ` · fix ${fixRound}` : '';
  return proxyActivities<AgentActivities>({
    activityId: agentActivityId(task.id, generation),
    // Routing: the workers serving the task's queue (a host, a repository, a tool); else the run's own queue.
    // A queue nobody serves leaves the task `running`, waiting for a worker (schedule-to-start is unbounded).
    taskQueue: task.taskQueue,
    // A run of the task (a person's retry starts the next); Temporal's Attempt counts the attempts within it, and the
    // task's `attempts` in status counts them over every run (docs/STATUS.md).
    summary: `${task.id} · run ${generation}${fix} · ${task.agent ?? 'claude'}`,
    startToCloseTimeout: durationMs(task.timeout) + TIMEOUT_SLACK_MS,
    heartbeatTimeout: timing.heartbeatTimeout ?? DEFAULT_HEARTBEAT_TIMEOUT,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: claudeRetry(task.retries + 1, timing),
  });
}

/**
 * A round of a task's `verify` commands (DESIGN §11), on the task's queue (where its workspace is), under its
 * timeout. A failing command is the round's answer; the activity fails only when it cannot run them.
 */
export function verifyActivities(
  task: EffectiveTask,
  generation: number,
  round: number,
  timing: ActivityTiming,
): VerifyActivities {
  return proxyActivities<VerifyActivities>({
    activityId: `${agentActivityId(task.id, generation)}.verify-${round}`,
    taskQueue: task.taskQueue,
    summary: `${task.id} · run ${generation} · verify ${round + 1}`,
    startToCloseTimeout: durationMs(task.timeout) + TIMEOUT_SLACK_MS,
    heartbeatTimeout: timing.heartbeatTimeout ?? DEFAULT_HEARTBEAT_TIMEOUT,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { ...claudeRetry(3, timing), nonRetryableErrorTypes: [FailureType.PolicyRefused] },
  });
}

/**
 * The plan's `verify` after a task's merge (DESIGN §11), on the run's queue: the integration branch's worktree is
 * where the merges are, which that queue owns. Under the task's timeout, like its own verify.
 */
export function planVerifyActivities(
  task: EffectiveTask,
  generation: number,
  timing: ActivityTiming,
): VerifyActivities {
  return proxyActivities<VerifyActivities>({
    activityId: `${agentActivityId(task.id, generation)}.plan-verify`,
    summary: `${task.id} · run ${generation} · plan verify`,
    startToCloseTimeout: durationMs(task.timeout) + TIMEOUT_SLACK_MS,
    heartbeatTimeout: timing.heartbeatTimeout ?? DEFAULT_HEARTBEAT_TIMEOUT,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { ...claudeRetry(3, timing), nonRetryableErrorTypes: [FailureType.PolicyRefused] },
  });
}

/** The planner of one round of planning. */
export function plannerActivities(round: number, timing: ActivityTiming): PlanActivities {
  return proxyActivities<PlanActivities>({
    activityId: `planner.${round}`,
    summary: `planner · round ${round}`,
    startToCloseTimeout: durationMs(timing.plannerTimeout ?? DEFAULT_PLANNER_TIMEOUT) + TIMEOUT_SLACK_MS,
    heartbeatTimeout: timing.heartbeatTimeout ?? DEFAULT_HEARTBEAT_TIMEOUT,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: claudeRetry(PLANNER_ATTEMPTS, timing),
  });
}

/** Git work of worktree isolation, on the run's queue or (a task's own worktree) on the task's. */
export function workspaceActivities(
  summary: string,
  retryInitialInterval: Duration = '1s',
  taskQueue?: string,
): WorkspaceActivities {
  return proxyActivities<WorkspaceActivities>({
    summary,
    taskQueue,
    startToCloseTimeout: '10m',
    // The activities heartbeat every second while git works or waits for the repository's lock.
    heartbeatTimeout: '30s',
    retry: workspaceRetry(retryInitialInterval),
  });
}

export const { notify } = proxyActivities<NotifyActivities>({
  startToCloseTimeout: '1m',
  retry: NOTIFY_RETRY,
  summary: 'notify · the run waits on a person',
});
