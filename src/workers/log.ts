// The log of a process that runs a worker (`baton worker`, `baton run`): the Temporal SDK's, less the warnings
// that only repeat, with a stack and a task token, what baton says better itself — an agent's or planner's attempt
// that failed (the worker's progress line tells it, ./progress.ts; the run's status keeps it) and a run that ended
// as failed (an outcome, not a fault). Every other warning and error is kept.
import { DefaultLogger, type LogEntry, type LogLevel } from '@temporalio/worker';
import { RUN_FAILED_MESSAGE } from '../workflows/endings.js';
import { AGENT_ACTIVITY } from '../workflows/status.js';

const TOLD_BY_BATON = new Set<string>([AGENT_ACTIVITY, 'planGoal']);

export function workerLogger(level: LogLevel): DefaultLogger {
  const plain = new DefaultLogger(level);
  return new DefaultLogger(level, (entry) => {
    if (!isExpected(entry)) plain.log(entry.level, entry.message, entry.meta);
  });
}

/** A warning the SDK logs for what is, to baton, an expected outcome that it reports itself. */
export function isExpected({ message, meta }: Pick<LogEntry, 'message' | 'meta'>): boolean {
  const error = meta?.error as { name?: string; message?: string } | undefined;
  if (message === 'Activity failed') {
    return error?.name === 'ApplicationFailure' && TOLD_BY_BATON.has(String(meta?.activityType));
  }
  // From the workflow's thread the error arrives as a plain Error (its type left behind): its message tells.
  if (message === 'Workflow failed') {
    return meta?.workflowType === 'orchestrate' && RUN_FAILED_MESSAGE.test(error?.message ?? '');
  }
  return false;
}
