// How a run ends: its final status is its result, or the details of what says why it did not complete — the
// failure RunFailed, or the cancellation of a run that was aborted or cancelled (./cancellation.ts makes Temporal
// record it as Canceled) — so `baton result` reads the same status every way.
import { ApplicationFailure, CancelledFailure, allHandlersFinished, condition } from '@temporalio/workflow';
import type { Planning } from './planning.js';
import type { Scheduler, StatusPage } from './scheduler/index.js';
import type { RunStatus } from './status.js';

/** The message of a run's RunFailed failure: how a worker's log knows it (an error's type does not reach the log). */
export const RUN_FAILED_MESSAGE = /^\d+ of \d+ tasks did not succeed: /;

/** Above this many tasks the final result leaves out summaries (each task's artifact has its result). */
const COMPACT_RESULT_ABOVE_TASKS = 1_000;

export async function finish(
  sched: Scheduler,
  outcome: 'completed' | 'failed' | 'cancelled',
  status: (page?: StatusPage) => RunStatus,
  publish: () => void,
  /** Removes the run's worktrees (worktree isolation): nothing uses them once the run has ended. */
  cleanUp?: () => Promise<void>,
): Promise<RunStatus> {
  sched.end(new Date().toISOString(), 'the run ended before this task could run');
  // The final status is the run's result payload: for thousands of tasks, summaries would not fit it.
  const final = status({ compact: sched.state.records.length > COMPACT_RESULT_ABOVE_TASKS });
  publish();
  await condition(allHandlersFinished);
  await cleanUp?.();
  if (outcome === 'completed') return final;
  const notDone = final.tasks.filter((t) => t.state !== 'succeeded' && t.state !== 'skipped');
  const names = notDone
    .slice(0, 5)
    .map((t) => `${t.id} (${t.state})`)
    .join(', ');
  if (outcome === 'cancelled') throw runCancelled(`run ${final.reason ?? 'cancelled'}`, final);
  throw ApplicationFailure.create({
    type: 'RunFailed',
    message: `${notDone.length} of ${final.tasks.length} tasks did not succeed: ${names}${notDone.length > 5 ? ', …' : ''}`,
    nonRetryable: true,
    details: [final],
  });
}

/** A run aborted while planning ends as a cancelled one: no tasks, the reason, what planning cost. */
export async function endPlanning(planning: Planning, runId: string, publish: () => void): Promise<never> {
  const final = planning.status(runId, new Date().toISOString());
  publish();
  await condition(allHandlersFinished);
  throw runCancelled(`run ${final.reason ?? 'cancelled'} while planning`, final);
}

/** The end of a run that was aborted or cancelled: its final status rides in the cancellation's details. */
function runCancelled(message: string, final: RunStatus): CancelledFailure {
  return new CancelledFailure(message, [final]);
}

/** Whether `err` is a run's own end as cancelled (from here), not Temporal's cancellation reaching the workflow. */
export function isRunCancelled(err: unknown): boolean {
  return err instanceof CancelledFailure && err.details.length > 0;
}
