// Worktree isolation's part of the state: the run's base commit, each task's branch, and a merge into the
// integration branch that conflicts — it waits for a person, and holds the integration branch (the conflicted
// merge is in its worktree) until it is resolved, retried or skipped; or a merge the plan's verify failed on (undone).
import type { RunAgentResult } from '../../contract/agent.js';
import type { MergeTaskResult, WorkspaceBase } from '../../contract/workspace.js';
import { FailureType } from '../../contract/failures.js';
import type { TaskState } from '../status.js';
import { mergeConflictError } from '../wording.js';
import type { Core } from './core.js';
import { recordResult } from './lifecycle.js';
import type { MergeConflict, PlanFix, PlanVerifyFailure } from './state.js';

/** Records the run's base commit once (a run continued-as-new already has it); the base the run keeps. */
export function recordBase(core: Core, base: WorkspaceBase): WorkspaceBase {
  core.state.base ??= base;
  return core.state.base;
}

export function branchPrepared(core: Core, id: string, branch: string): void {
  core.record(id).branch = branch;
}

/** A merge that did not stand: it conflicts (and holds the branch), or the plan's verify failed on it (undone). */
export type MergeFailure = { conflict: MergeTaskResult } | { verifyFailed: PlanVerifyFailure };

/** `result`: the agent's, when the failure comes right after it. */
export function mergeFailed(core: Core, id: string, failure: MergeFailure, now: string, result?: RunAgentResult): void {
  const r = core.record(id);
  if (result) recordResult(core, r, result, now);
  r.endedAt = now;
  if ('verifyFailed' in failure) {
    // The merge is undone: the branch is free, and the task waits for a person (retry, skip, approve).
    r.state = 'verification-failed';
    r.verification = { ...failure.verifyFailed.verification };
    r.errorType = FailureType.VerificationFailed;
    r.error = failure.verifyFailed.message;
    return;
  }
  const merge = failure.conflict;
  r.state = 'merge-conflict';
  r.conflict = { files: merge.files, worktree: merge.worktree, integrationBranch: merge.integrationBranch };
  r.errorType = 'MergeConflict';
  r.error = mergeConflictError(r.branch ?? id, merge);
  core.state.integrationHold = id;
}

/** States an approval accepts by merging first (worktree isolation): a review, a conflict, the plan's failed verify. */
const MERGED_ON_APPROVE: readonly TaskState[] = ['merge-conflict', 'awaiting-review', 'verification-failed'];

/** Whether an approval of the task must first merge it (worktree isolation). */
export function mergesOnApprove(core: Core, id: string): boolean {
  return core.isolated && MERGED_ON_APPROVE.includes(core.record(id).state);
}

export interface WorkspaceFlags {
  reset: boolean;
  resolve: MergeConflict | null;
  fix: PlanFix | null;
}

/** What the next run of the task does to its worktree and its agent; used once, by the run that starts now. */
export function takeWorkspaceFlags(core: Core, id: string): WorkspaceFlags {
  const r = core.record(id);
  const flags = { reset: r.reset === true, resolve: r.resolve ?? null, fix: r.planFix ?? null };
  r.reset = false;
  r.resolve = null;
  if (r.planFix) r.planFix = null;
  return flags;
}

/** The task's conflict is over (approved, handed to a resolver, skipped): other merges may go on. */
export function releaseHold(core: Core, id: string): void {
  if (core.state.integrationHold === id) core.state.integrationHold = null;
}
