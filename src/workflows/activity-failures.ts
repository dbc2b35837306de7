// What an activity's failure means for the run, in words a person understands.
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  TimeoutFailure,
  isCancellation,
} from '@temporalio/workflow';
import type { AgentFailureDetails } from '../contract/failures.js';
import type { TaskFailure } from './scheduler/index.js';

/** `maxAttempts`: what a timeout used up (Temporal retries a timed-out attempt until they are spent). */
export function describeFailure(err: unknown, maxAttempts: number): TaskFailure {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (isCancellation(err) || cause instanceof CancelledFailure) {
    return { type: 'Cancelled', message: 'cancelled while running', attempts: 1, costUsd: 0, cancelled: true };
  }
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as AgentFailureDetails | undefined;
    return {
      type: cause.type ?? 'Error',
      message: cause.message,
      attempts: details?.attempt ?? 1,
      costUsd: details?.costUsd ?? 0,
      sessionId: details?.sessionId,
    };
  }
  if (cause instanceof TimeoutFailure) {
    const kind =
      cause.timeoutType === 'HEARTBEAT' ? 'heartbeat timeout (the worker or agent stopped responding)' : 'time limit';
    return { type: 'AgentTimedOut', message: `attempt hit its ${kind}`, attempts: maxAttempts, costUsd: 0 };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { type: 'Error', message, attempts: 1, costUsd: 0 };
}
