// A task's worktree: its own branch `baton/<run>/<task>`, starting from the run's base with the work of its
// dependencies merged in, so the agent sees what it depends on and nothing that runs beside it. A retry
// finds the worktree as the last attempt left it (partial work included); `reset` starts clean.
import { mkdir, rm, stat } from 'node:fs/promises';
import { OWNER_ONLY_DIR } from '../../files/owner-only.js';
import path from 'node:path';
import {
  commonDir,
  conflictedFiles,
  git,
  GitError,
  identityEnv,
  isAncestor,
  isDirty,
  mergeHead,
  revParse,
} from './git.js';
import { WorkspaceError, WorkspaceFailureType } from './failures.js';
import { integrationBranch, runWorktreesDir, taskBranch, taskWorktree } from './names.js';
import { withRepoLock, type LockOptions } from './repo-lock.js';
import type { PrepareWorktreeInput, PreparedWorktree } from '../../contract/workspace.js';
import { findWorktree } from './worktree-list.js';

export async function prepareWorktree(
  worktreesDir: string,
  input: PrepareWorktreeInput,
  lock: LockOptions = {},
): Promise<PreparedWorktree> {
  const repo = input.base.toplevel;
  const folder = taskWorktree(worktreesDir, input.runId, input.taskId);
  const branch = taskBranch(input.runId, input.taskId);
  return await withRepoLock(
    await commonDir(repo),
    async () => {
      await git(repo, ['worktree', 'prune']);
      if (input.reset) await removeTaskWorktree(repo, folder, branch);

      const existing = await findWorktree(repo, folder);
      let reused = false;
      if (existing && existing.branch === `refs/heads/${branch}` && (await exists(folder))) {
        reused = true;
      } else {
        if (existing) await git(repo, ['worktree', 'remove', '--force', folder]);
        // A folder git does not know as this task's worktree (a crash mid-way): only ever inside worktreesDir.
        await rm(folder, { recursive: true, force: true });
        await mkdir(runWorktreesDir(worktreesDir, input.runId), { recursive: true, mode: OWNER_ONLY_DIR });
        if (await revParse(repo, `refs/heads/${branch}`)) {
          // The branch outlived its worktree (removed by a clean-up): its commits are the task's work so far.
          await git(repo, ['worktree', 'add', folder, branch]);
        } else {
          const first = input.dependencies[0];
          const start = first ? await branchTip(repo, first.branch) : input.base.commit;
          await git(repo, ['worktree', 'add', '-b', branch, folder, start]);
        }
      }
      const merged = await mergeDependencies(folder, input);
      const conflicts = input.conflictFrom ? await mergeLeavingConflicts(folder, input.conflictFrom, input) : [];
      const head = (await revParse(folder, 'HEAD')) ?? input.base.commit;
      return {
        path: folder,
        cwd: input.base.prefix ? path.join(folder, input.base.prefix) : folder,
        branch,
        head,
        reused,
        merged,
        conflicts,
      };
    },
    lock,
  );
}

/**
 * Merges each dependency branch the worktree does not contain yet. On a fresh worktree that is all but the
 * first; on a reused one, whatever a dependency gained since (a person's retry of it). A worktree with
 * uncommitted work is left alone: merging into it could mix the agent's partial work with others'.
 */
async function mergeDependencies(folder: string, input: PrepareWorktreeInput): Promise<string[]> {
  const merged: string[] = [];
  if (input.dependencies.length === 0 || (await mergeHead(folder)) || (await isDirty(folder))) return merged;
  const env = await identityEnv(folder);
  for (const dep of input.dependencies) {
    const tip = await branchTip(folder, dep.branch);
    if (await isAncestor(folder, tip, 'HEAD')) continue;
    const message = `baton ${input.runId}: ${input.taskId} starts from ${dep.id}`;
    const result = await git(folder, ['merge', '--no-edit', '-m', message, tip], { env, okExitCodes: [1] });
    if (result.exitCode !== 0) {
      const files = await conflictedFiles(folder);
      await git(folder, ['merge', '--abort'], { okExitCodes: [128] });
      if (files.length === 0)
        throw new GitError(['merge', tip], folder, result.exitCode, result.stderr || result.stdout);
      // Dependencies that conflict with each other were reconciled when they were integrated (a person or an
      // agent resolved it there): start from that integrated state instead.
      const integrated = await mergeIntegrated(folder, input, tip, env);
      if (integrated) {
        merged.push(integrated);
        continue;
      }
      throw new WorkspaceError(
        WorkspaceFailureType.DependencyConflict,
        `the work of dependency ${dep.id} (${dep.branch}) conflicts with what task ${input.taskId} already has in ${files.join(', ')}; merge them on ${integrationBranch(input.runId)}, then retry the task`,
        files,
      );
    }
    merged.push(dep.branch);
  }
  return merged;
}

/**
 * Merges the integration branch, when it holds the dependency's work (with the conflict resolved): the
 * integration branch's name, or null when it does not hold it or merging it conflicts too.
 */
async function mergeIntegrated(
  folder: string,
  input: PrepareWorktreeInput,
  tip: string,
  env: Record<string, string>,
): Promise<string | null> {
  const branch = integrationBranch(input.runId);
  const integrated = await revParse(folder, `refs/heads/${branch}`);
  if (!integrated || !(await isAncestor(folder, tip, integrated))) return null;
  const message = `baton ${input.runId}: ${input.taskId} starts from ${branch} (its dependencies reconciled)`;
  const result = await git(folder, ['merge', '--no-edit', '-m', message, integrated], { env, okExitCodes: [1] });
  if (result.exitCode === 0) return branch;
  await git(folder, ['merge', '--abort'], { okExitCodes: [128] });
  return null;
}

/** Merge `branch` in; a conflict stays in the files, for an agent (or a person) to resolve and commit. */
async function mergeLeavingConflicts(folder: string, branch: string, input: PrepareWorktreeInput): Promise<string[]> {
  const pending = await mergeHead(folder);
  const tip = await branchTip(folder, branch);
  if (pending === tip) return await conflictedFiles(folder);
  if (pending) await git(folder, ['merge', '--abort']);
  if (await isAncestor(folder, tip, 'HEAD')) return [];
  const message = `baton ${input.runId}: ${input.taskId} takes in ${branch}`;
  const env = await identityEnv(folder);
  const result = await git(folder, ['merge', '--no-edit', '-m', message, tip], { env, okExitCodes: [1] });
  if (result.exitCode === 0) return [];
  const files = await conflictedFiles(folder);
  if (files.length === 0) throw new GitError(['merge', tip], folder, result.exitCode, result.stderr || result.stdout);
  return files;
}

async function branchTip(repo: string, branch: string): Promise<string> {
  const tip = await revParse(repo, `refs/heads/${branch}`);
  if (!tip) {
    throw new WorkspaceError(WorkspaceFailureType.BranchMissing, `branch ${branch} does not exist (was it deleted?)`);
  }
  return tip;
}

/** For a clean start: the worktree and the branch go (only this task's, only inside worktreesDir). */
async function removeTaskWorktree(repo: string, folder: string, branch: string): Promise<void> {
  if (await findWorktree(repo, folder)) await git(repo, ['worktree', 'remove', '--force', folder]);
  await rm(folder, { recursive: true, force: true });
  await git(repo, ['worktree', 'prune']);
  if (await revParse(repo, `refs/heads/${branch}`)) await git(repo, ['branch', '-D', branch]);
}

async function exists(folder: string): Promise<boolean> {
  return (await stat(folder).catch(() => null))?.isDirectory() === true;
}
