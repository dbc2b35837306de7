// Worktree isolation's part of the state: the run's base commit, each task's branch, and a merge into the
// integration branch that conflicts — it waits for a person, and holds the integration branch (the conflicted
// merge is in its worktree) until it is resolved, retried or skipped.
import type { RunAgentResult } from '../../contract/agent.js';
import type { MergeTaskResult, WorkspaceBase } from '../../contract/workspace.js';
import { mergeConflictError } from '../wording.js';
import type { Core } from './core.js';
import { recordResult } from './lifecycle.js';
import type { MergeConflict } from './state.js';

/** Records the run's base commit once (a run continued-as-new already has it); the base the run keeps. */
export function recordBase(core: Core, base: WorkspaceBase): WorkspaceBase {
  core.state.base ??= base;
  return core.state.base;
}

export function branchPrepared(core: Core, id: string, branch: string): void {
  core.record(id).branch = branch;
}

/** `result`: the agent's, when the conflict comes right after it. */
export function mergeConflict(
  core: Core,
  id: string,
  merge: MergeTaskResult,
  now: string,
  result?: RunAgentResult,
): void {
  const r = core.record(id);
  if (result) recordResult(core, r, result, now);
  r.state = 'merge-conflict';
  r.endedAt = now;
  r.conflict = { files: merge.files, worktree: merge.worktree, integrationBranch: merge.integrationBranch };
  r.errorType = 'MergeConflict';
  r.error = mergeConflictError(r.branch ?? id, merge);
  core.state.integrationHold = id;
}

/** Whether an approval of the task must first merge it (worktree isolation: after its review, or its conflict). */
export function mergesOnApprove(core: Core, id: string): boolean {
  const state = core.record(id).state;
  return core.isolated && (state === 'merge-conflict' || state === 'awaiting-review');
}

/** What the next run of the task does to its worktree; used once, by the run that starts now. */
export function takeWorkspaceFlags(core: Core, id: string): { reset: boolean; resolve: MergeConflict | null } {
  const r = core.record(id);
  const flags = { reset: r.reset === true, resolve: r.resolve ?? null };
  r.reset = false;
  r.resolve = null;
  return flags;
}

/** The task's conflict is over (approved, handed to a resolver, skipped): other merges may go on. */
export function releaseHold(core: Core, id: string): void {
  if (core.state.integrationHold === id) core.state.integrationHold = null;
}
