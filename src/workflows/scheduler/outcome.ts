// How the run stands as a whole: whether it has ended and how, its phase, what it waits on a person for, and
// the ways it ends early.
import { DONE_STATES, GATE_STATES, type Phase } from '../status.js';
import { waiting, waitingInSubPlan, type SubPlanWording } from '../wording.js';
import type { Core } from './core.js';
import { cancelUnsettled } from './lifecycle.js';
import type { TaskRecord } from './state.js';

export type Outcome = 'running' | 'completed' | 'failed' | 'cancelled';

/** Whether the run has ended, and how. */
export function outcome(core: Core, running: number): Outcome {
  const { state } = core;
  if (state.aborted) return running === 0 ? 'cancelled' : 'running';
  if (running > 0) return 'running';
  if (state.unstartable) return 'failed';
  const records = state.records;
  if (records.every((r) => DONE_STATES.includes(r.state))) return 'completed';
  // fail: the first failure ends the run, once what was running has stopped.
  if (state.plan.onFailure === 'fail' && firstFailure(core)) return 'failed';
  if (state.plan.onFailure !== 'continue') return 'running';
  // continue: ends when nothing can run any more and nobody is asked anything.
  const open = records.some((r) => r.state === 'ready' || r.state === 'pending' || GATE_STATES.includes(r.state));
  if (open || state.paused) return 'running';
  return 'failed';
}

/** The first task that failed for good, for onFailure: fail. */
export function firstFailure(core: Core): TaskRecord | undefined {
  return core.state.records.find((r) => r.state === 'failed');
}

/** A run's phase is final once its end is recorded (`end`): no view shows a final phase beside unsettled tasks. */
export function phase(core: Core, running: number): Phase {
  const ended = outcome(core, running);
  if (ended !== 'running' && core.state.endedAt !== null) return ended;
  return core.state.paused ? 'paused' : 'running';
}

/**
 * What the run waits on a person for, one line each, naming the command that answers; then what its sub-plans wait
 * on (as they reported it). `sub`: a sub-plan's run words its lines as the root run shows them (path ids).
 */
export function waitingOn(core: Core, running: number, sub?: SubPlanWording): string[] {
  const { state } = core;
  // A run that is ending or has ended (aborted, failed, completed) waits on nobody.
  if (state.aborted || outcome(core, running) !== 'running') return [];
  const id = (taskId: string): string => (sub ? `${sub.path}/${taskId}` : taskId);
  const waits: string[] = [];
  const budget = state.budgetUsd ?? 0;
  if (state.pausedForBudget && state.paused) {
    waits.push(
      sub ? waitingInSubPlan.budget(sub.path, sub.runId, state.costUsd, budget) : waiting.budget(state.costUsd, budget),
    );
  } else if (state.paused) waits.push(sub ? waitingInSubPlan.paused(sub.path, sub.runId) : waiting.paused());
  for (const r of state.records) {
    if (r.state === 'awaiting-approval') waits.push(waiting.approval(id(r.id)));
    if (r.state === 'awaiting-answer' && r.question) waits.push(waiting.question(id(r.id), r.question.text));
    if (r.state === 'awaiting-review') waits.push(waiting.review(id(r.id)));
    if (r.state === 'merge-conflict') waits.push(waiting.mergeConflict(id(r.id), r.conflict));
    if (r.state === 'verification-failed') waits.push(waiting.verificationFailed(id(r.id)));
  }
  const stuck =
    running === 0 && !state.paused && !state.records.some((r) => r.state === 'ready' || r.state === 'pending');
  if (stuck && state.plan.onFailure === 'wait') {
    for (const r of state.records) {
      if (r.state === 'failed' || r.state === 'cancelled') waits.push(waiting.failed(id(r.id), r.state));
    }
  }
  for (const r of state.records) if (r.child && !r.child.ended) waits.push(...r.child.waitingOn);
  return waits;
}

/** The run ends: what has not run is cancelled with `reason`, and the end is recorded. */
export function end(core: Core, now: string, reason: string): void {
  cancelUnsettled(core, now, reason);
  core.state.endedAt = now;
}

/** The run could not start its tasks (worktree isolation without a base commit): none will run. */
export function notStarted(core: Core, reason: string, taskError: string, now: string): void {
  core.state.reason = reason;
  core.state.unstartable = true;
  cancelUnsettled(core, now, taskError);
}

/** The run was cancelled (Temporal's cancellation): every task gets its final state. */
export function cancelled(core: Core, now: string): void {
  core.state.aborted = true;
  core.state.reason ??= 'cancelled';
  end(core, now, 'the run was cancelled');
}
