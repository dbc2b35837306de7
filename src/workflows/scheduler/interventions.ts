// What a person's interventions (DESIGN.md §4) do to the tasks. Each check throws a Refusal saying why not; its
// apply checks again (a signal has no validator) and changes the state.
import { dependencyCycle } from '../../plan/dag.js';
import { hierarchyIssues } from '../../plan/hierarchy.js';
import { DEFAULT_MAX_DEPTH, isSubPlanTask, type Task } from '../../plan/schema.js';
import { refuse } from '../wording.js';
import type { Core } from './core.js';
import { refresh } from './derivation.js';
import { addNote } from './guidance.js';
import { releaseHold } from './merges.js';
import { newRecord, type TaskRecord } from './state.js';
import { dropQuestion } from './talk.js';

export function checkApprove(core: Core, taskId: string | undefined): void {
  if (taskId === undefined) throw refuse.planNotWaiting();
  const r = core.record(taskId);
  if (!['awaiting-approval', 'awaiting-review', 'merge-conflict', 'verification-failed'].includes(r.state)) {
    throw refuse.notAwaitingApproval(taskId, r.state);
  }
}

export function approve(core: Core, taskId: string, note: string | undefined): TaskRecord {
  checkApprove(core, taskId);
  const r = core.record(taskId);
  if (r.state === 'awaiting-approval') {
    r.beforeApproved = true;
    r.state = 'ready';
  } else {
    if (r.state === 'merge-conflict' || r.state === 'verification-failed') {
      r.conflict = null;
      r.error = null;
      r.errorType = null;
      releaseHold(core, taskId);
    }
    r.state = 'succeeded';
  }
  if (note) r.note = note;
  refresh(core, [taskId]);
  return r;
}

export function checkReject(core: Core, taskId: string | undefined): void {
  if (taskId === undefined) throw refuse.planNotWaiting();
  const r = core.record(taskId);
  if (r.state !== 'awaiting-approval' && r.state !== 'awaiting-review') throw refuse.notAwaitingReview(taskId, r.state);
}

export function reject(core: Core, taskId: string, reason: string, now: string): TaskRecord {
  checkReject(core, taskId);
  const r = core.record(taskId);
  if (r.state === 'awaiting-approval') {
    r.state = 'skipped';
    r.error = `rejected before start: ${reason}`;
    r.endedAt = now;
  } else {
    r.guidance.push(`A reviewer rejected your previous result. Reviewer feedback: ${reason}`);
    r.state = 'ready';
  }
  refresh(core, [taskId]);
  return r;
}

export function checkPause(core: Core): void {
  if (core.state.aborted) throw refuse.aborted();
  if (core.state.paused) throw refuse.alreadyPaused();
}

export function pause(core: Core): void {
  checkPause(core);
  core.state.paused = true;
}

export function checkResume(core: Core, budgetUsd: number | undefined): void {
  const { state } = core;
  if (!state.paused) throw refuse.notPaused();
  if (budgetUsd !== undefined && !(budgetUsd > 0)) throw refuse.badBudget();
  if (state.pausedForBudget && state.budgetUsd !== null) {
    const budget = budgetUsd ?? state.budgetUsd;
    if (budget <= state.costUsd) throw refuse.budgetSpent(state.costUsd);
  }
}

export function resume(core: Core, budgetUsd: number | undefined): void {
  checkResume(core, budgetUsd);
  if (budgetUsd !== undefined) core.state.budgetUsd = budgetUsd;
  core.state.paused = false;
  core.state.pausedForBudget = false;
}

export function checkRetry(core: Core, taskId: string, reset?: boolean): void {
  const r = core.record(taskId);
  if (r.state === 'merge-conflict') {
    if (reset) throw refuse.resetLosesResolution(taskId);
    return;
  }
  if (!['failed', 'cancelled', 'verification-failed'].includes(r.state)) throw refuse.notFailed(taskId, r.state);
  if (reset && !core.isolated) throw refuse.resetNeedsWorktrees();
}

/** A failed or cancelled task runs again; a task in a merge conflict runs an agent that resolves it. */
export function retry(
  core: Core,
  taskId: string,
  prompt: string | undefined,
  note: string | undefined,
  reset?: boolean,
): TaskRecord {
  checkRetry(core, taskId, reset);
  const r = core.record(taskId);
  if (r.state === 'merge-conflict') {
    // The conflicted merge is left; the agent merges the integration branch into its own worktree instead.
    r.resolve = r.conflict ?? null;
    r.conflict = null;
    releaseHold(core, taskId);
  }
  // Its agent's conversation goes on in its worktree, on its branch (the merge was undone), told what failed.
  if (r.state === 'verification-failed' && r.sessionId && r.error)
    r.planFix = { sessionId: r.sessionId, message: r.error };
  if (reset) r.reset = true;
  if (prompt) r.prompt = prompt;
  if (note) r.guidance.push(note);
  r.state = 'pending';
  r.error = null;
  r.errorType = null;
  r.endedAt = null;
  refresh(core, [taskId]);
  return r;
}

export function checkSkip(core: Core, taskId: string): void {
  const r = core.record(taskId);
  if (['running', 'verifying', 'succeeded', 'skipped'].includes(r.state) || agentWaits(r)) {
    throw refuse.notSkippable(taskId, r.state);
  }
}

/** The task waits on an answer while its agent still runs (cancel it first). */
function agentWaits(r: TaskRecord): boolean {
  return r.state === 'awaiting-answer' && r.question?.held === false;
}

export function skip(core: Core, taskId: string, reason: string | undefined, now: string): TaskRecord {
  checkSkip(core, taskId);
  const r = core.record(taskId);
  if (r.state === 'merge-conflict') {
    // Its conflicted merge is abandoned: the next merge into the integration branch aborts it.
    r.conflict = null;
    releaseHold(core, taskId);
  }
  dropQuestion(r);
  r.state = 'skipped';
  r.error = reason ? `skipped: ${reason}` : r.error;
  r.endedAt = now;
  refresh(core, [taskId]);
  return r;
}

/** Cancelling a task is the workflow's work (its activity's scope); the state follows from the activity's end. */
export function checkCancelTask(core: Core, taskId: string): void {
  const r = core.record(taskId);
  if (r.state === 'awaiting-answer' && !agentWaits(r)) throw refuse.heldQuestion(taskId);
  if (r.state !== 'running' && r.state !== 'verifying' && !agentWaits(r)) throw refuse.notRunning(taskId, r.state);
}

export function checkGuide(core: Core, taskId: string, message: string): void {
  if (!message.trim()) throw refuse.emptyGuidance();
  const r = core.record(taskId);
  if (['succeeded', 'skipped'].includes(r.state)) throw refuse.finished(taskId, r.state);
  // No agent of its own reads a note: its sub-plan's agents do, each by its path id.
  if (isSubPlanTask(core.task(taskId))) throw refuse.guideSubPlan(taskId);
}

/** A note for the task's agent: its next turn when it runs, else its next prompt (./guidance.ts). */
export function guide(core: Core, taskId: string, message: string, now: string): TaskRecord {
  checkGuide(core, taskId, message);
  addNote(core, taskId, message, now);
  return core.record(taskId);
}

export function checkAddTasks(core: Core, tasks: readonly Task[]): void {
  if (core.state.aborted) throw refuse.aborted();
  if (tasks.length === 0) throw refuse.noTasksToAdd();
  const problems: string[] = [];
  const known = new Set(core.state.records.map((r) => r.id));
  const adding = new Set<string>();
  for (const t of tasks) {
    if (known.has(t.id) || adding.has(t.id)) problems.push(refuse.duplicateTask(t.id));
    adding.add(t.id);
  }
  for (const t of tasks) {
    for (const d of t.dependsOn) {
      if (!known.has(d) && !adding.has(d)) problems.push(refuse.unknownDependency(t.id, d));
    }
  }
  // New tasks may depend on each other: check that part for cycles.
  const cycle = dependencyCycle(tasks);
  if (cycle) problems.push(refuse.cycle(cycle));
  // Their sub-plans nest below this run's level, inline (DESIGN.md §10).
  const context = { level: core.state.level ?? 1, maxDepth: core.state.plan.maxDepth ?? DEFAULT_MAX_DEPTH };
  for (const issue of hierarchyIssues({ tasks }, context)) problems.push(`${issue.path}: ${issue.message}`);
  if (problems.length > 0) throw refuse.addedTasks(problems);
}

export function addTasks(core: Core, tasks: readonly Task[]): TaskRecord[] {
  checkAddTasks(core, tasks);
  core.state.plan = { ...core.state.plan, tasks: [...core.state.plan.tasks, ...tasks] };
  for (const t of tasks) core.state.records.push(newRecord(t.id));
  core.index();
  refresh(core);
  return tasks.map((t) => core.record(t.id));
}

export function checkAbort(core: Core): void {
  if (core.state.aborted) throw refuse.alreadyAborted();
}

export function abort(core: Core, reason: string | undefined): void {
  checkAbort(core);
  core.state.aborted = true;
  core.state.reason = reason ? `aborted: ${reason}` : 'aborted';
}
