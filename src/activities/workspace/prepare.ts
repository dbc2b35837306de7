// A task's worktree: its own branch `baton/<run>/<task>`, starting from the run's base with the work of its
// dependencies merged in, so the agent sees what it depends on and nothing that runs beside it. A retry
// finds the worktree as the last attempt left it (partial work included); `reset` starts clean. With a remote
// (shared.ts) that holds on any host: the worktree is made from the remote's branch and newest checkpoint.
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
import { baseRef, checkpointRef, push, sharedTip } from './remote.js';
import { runRepo, type RunRepo } from './run-repo.js';
import { publishTask, syncTaskWorktree, taskPlace, type TaskPlace } from './shared.js';

export async function prepareWorktree(
  worktreesDir: string,
  input: PrepareWorktreeInput,
  lock: LockOptions = {},
): Promise<PreparedWorktree> {
  const repo = await runRepo(worktreesDir, input.runId, input.base.toplevel, input.remote);
  const folder = taskWorktree(worktreesDir, input.runId, input.taskId);
  const branch = taskBranch(input.runId, input.taskId);
  return await withRepoLock(
    await commonDir(repo.dir),
    async () => {
      await git(repo.dir, ['worktree', 'prune']);
      await repo.refresh();
      if (input.reset) await removeTaskWorktree(repo, folder, input);
      const place = repo.remote ? taskPlace(repo, worktreesDir, input) : null;
      const { reused, restored } = place
        ? await placeShared(repo, place, input)
        : await placeLocal(repo, worktreesDir, folder, input);
      const merged = await mergeDependencies(repo, folder, input);
      const conflicts = input.conflictFrom ? await mergeLeavingConflicts(repo, folder, input.conflictFrom, input) : [];
      const head = place ? await publishTask(place) : ((await revParse(folder, 'HEAD')) ?? input.base.commit);
      return {
        path: folder,
        cwd: input.base.prefix ? path.join(folder, input.base.prefix) : folder,
        branch,
        head,
        reused,
        merged,
        conflicts,
        ...(restored ? { restored } : {}),
      };
    },
    lock,
  );
}

/** One filesystem: an earlier attempt's worktree is kept; else one is made on the branch, or on a new one. */
async function placeLocal(
  repo: RunRepo,
  worktreesDir: string,
  folder: string,
  input: PrepareWorktreeInput,
): Promise<{ reused: boolean; restored?: string }> {
  const branch = taskBranch(input.runId, input.taskId);
  const existing = await findWorktree(repo.dir, folder);
  if (existing && existing.branch === `refs/heads/${branch}` && (await exists(folder))) return { reused: true };
  if (existing) await git(repo.dir, ['worktree', 'remove', '--force', folder]);
  // A folder git does not know as this task's worktree (a crash mid-way): only ever inside worktreesDir.
  await rm(folder, { recursive: true, force: true });
  await mkdir(runWorktreesDir(worktreesDir, input.runId), { recursive: true, mode: OWNER_ONLY_DIR });
  if (await repo.tip(branch)) {
    // The branch outlived its worktree (removed by a clean-up): its commits are the task's work so far.
    await git(repo.dir, ['worktree', 'add', folder, branch]);
  } else {
    await git(repo.dir, ['worktree', 'add', '-b', branch, folder, await startOf(repo, input)]);
  }
  return { reused: false };
}

/**
 * With a remote: the worktree holds the remote's newest state of the task (its branch, and the files of its
 * newest checkpoint) — kept when it does, made again when it is missing or another host worked on since.
 */
async function placeShared(
  repo: RunRepo,
  place: TaskPlace,
  input: PrepareWorktreeInput,
): Promise<{ reused: boolean; restored?: string }> {
  const synced = await syncTaskWorktree(place);
  if (synced.tip) return { reused: !synced.made || synced.restored !== null, restored: synced.restored ?? undefined };
  await rm(place.folder, { recursive: true, force: true });
  await mkdir(runWorktreesDir(place.worktreesDir, input.runId), { recursive: true, mode: OWNER_ONLY_DIR });
  const branch = taskBranch(input.runId, input.taskId);
  await git(repo.dir, ['branch', '--force', branch, await startOf(repo, input)]);
  await git(repo.dir, ['worktree', 'add', '--quiet', place.folder, branch]);
  return { reused: false };
}

/** Where a new task branch starts: its first dependency's work, or the run's base. */
async function startOf(repo: RunRepo, input: PrepareWorktreeInput): Promise<string> {
  const first = input.dependencies[0];
  if (first) return await branchTip(repo, first.branch);
  return (repo.remote && (await sharedTip(repo.dir, baseRef(input.runId)))) || input.base.commit;
}

/**
 * Merges each dependency branch the worktree does not contain yet. On a fresh worktree that is all but the
 * first; on a reused one, whatever a dependency gained since (a person's retry of it). A worktree with
 * uncommitted work is left alone: merging into it could mix the agent's partial work with others'.
 */
async function mergeDependencies(repo: RunRepo, folder: string, input: PrepareWorktreeInput): Promise<string[]> {
  const merged: string[] = [];
  if (input.dependencies.length === 0 || (await mergeHead(folder)) || (await isDirty(folder))) return merged;
  const env = await identityEnv(folder);
  for (const dep of input.dependencies) {
    const tip = await branchTip(repo, dep.branch);
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
      const integrated = await mergeIntegrated(repo, folder, input, tip, env);
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
  repo: RunRepo,
  folder: string,
  input: PrepareWorktreeInput,
  tip: string,
  env: Record<string, string>,
): Promise<string | null> {
  const branch = integrationBranch(input.runId);
  const integrated = await repo.tip(branch);
  if (!integrated || !(await isAncestor(folder, tip, integrated))) return null;
  const message = `baton ${input.runId}: ${input.taskId} starts from ${branch} (its dependencies reconciled)`;
  const result = await git(folder, ['merge', '--no-edit', '-m', message, integrated], { env, okExitCodes: [1] });
  if (result.exitCode === 0) return branch;
  await git(folder, ['merge', '--abort'], { okExitCodes: [128] });
  return null;
}

/** Merge `branch` in; a conflict stays in the files, for an agent (or a person) to resolve and commit. */
async function mergeLeavingConflicts(
  repo: RunRepo,
  folder: string,
  branch: string,
  input: PrepareWorktreeInput,
): Promise<string[]> {
  const pending = await mergeHead(folder);
  const tip = await branchTip(repo, branch);
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

async function branchTip(repo: RunRepo, branch: string): Promise<string> {
  const tip = await repo.tip(branch);
  if (!tip) {
    throw new WorkspaceError(WorkspaceFailureType.BranchMissing, `branch ${branch} does not exist (was it deleted?)`);
  }
  return tip;
}

/** For a clean start: the worktree and the branch go (only this task's, only inside worktreesDir; and the remote's). */
async function removeTaskWorktree(repo: RunRepo, folder: string, input: PrepareWorktreeInput): Promise<void> {
  const branch = taskBranch(input.runId, input.taskId);
  if (await findWorktree(repo.dir, folder)) await git(repo.dir, ['worktree', 'remove', '--force', folder]);
  await rm(folder, { recursive: true, force: true });
  await git(repo.dir, ['worktree', 'prune']);
  if (await revParse(repo.dir, `refs/heads/${branch}`)) await git(repo.dir, ['branch', '-D', branch]);
  if (repo.remote) {
    await push(repo.dir, repo.remote, [`:refs/heads/${branch}`, `:${checkpointRef(input.runId, input.taskId)}`]);
    await repo.refresh();
  }
}

async function exists(folder: string): Promise<boolean> {
  return (await stat(folder).catch(() => null))?.isDirectory() === true;
}
