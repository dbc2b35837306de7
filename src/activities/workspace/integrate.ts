// Integration: a finished task's branch is merged into `baton/<run>/integration` (one merge commit per
// task, in the order tasks finish — which respects dependencies, since a task starts only after its
// dependencies are integrated). One merge at a time per repository; merging what is merged is a no-op.
// A conflict stays in the integration worktree, where a person resolves it and commits; nothing is lost.
// With a remote, the integration branch lives there: fetched before, pushed after each merge.
import { mkdir, rm } from 'node:fs/promises';
import { OWNER_ONLY_DIR } from '../../files/owner-only.js';
import { commonDir, conflictedFiles, git, GitError, identityEnv, isAncestor, mergeHead, revParse } from './git.js';
import { WorkspaceError, WorkspaceFailureType } from './failures.js';
import { integrationBranch, integrationWorktree, runWorktreesDir, taskBranch, taskCommitMessage } from './names.js';
import { withRepoLock, type LockOptions } from './repo-lock.js';
import type { MergeTaskInput, MergeTaskResult } from '../../contract/workspace.js';
import { findWorktree } from './worktree-list.js';
import { baseRef, checkpointRef, push, sharedTip, undoneMerges } from './remote.js';
import { runRepo, type RunRepo } from './run-repo.js';

/** The integration branch's place, for work under the repository's lock: its worktree made where it is missing. */
export interface IntegrationPlace {
  repo: RunRepo;
  /** The task's branch and the run's integration branch. */
  branch: string;
  target: string;
  /** The integration branch's worktree. */
  folder: string;
}

/** Runs `work` on the integration branch's worktree, under the repository's lock, the remote's state fetched. */
export async function onIntegrationBranch<T>(
  worktreesDir: string,
  input: MergeTaskInput,
  lock: LockOptions,
  work: (place: IntegrationPlace) => Promise<T>,
): Promise<T> {
  const repo = await runRepo(worktreesDir, input.runId, input.base.toplevel, input.remote);
  const target = integrationBranch(input.runId);
  const folder = integrationWorktree(worktreesDir, input.runId);
  return await withRepoLock(
    await commonDir(repo.dir),
    async () => {
      await repo.refresh();
      await ensureIntegrationWorktree(repo, worktreesDir, input, folder, target);
      return await work({ repo, branch: taskBranch(input.runId, input.taskId), target, folder });
    },
    lock,
  );
}

export async function mergeTask(
  worktreesDir: string,
  input: MergeTaskInput,
  lock: LockOptions = {},
): Promise<MergeTaskResult> {
  return await onIntegrationBranch(worktreesDir, input, lock, async ({ repo, branch, target, folder }) => {
    const tip = await repo.tip(branch);
    if (!tip) {
      throw new WorkspaceError(
        WorkspaceFailureType.BranchMissing,
        `branch ${branch} of task ${input.taskId} does not exist (was it deleted?)`,
      );
    }
    const result = (outcome: MergeTaskResult['outcome'], head: string, files: string[] = []): MergeTaskResult => ({
      outcome,
      integrationBranch: target,
      worktree: folder,
      head,
      files,
    });

    const pending = await mergeHead(folder);
    if (pending === tip) {
      // This task's conflict, still waiting: unresolved files, or resolved and not yet committed.
      const files = await conflictedFiles(folder);
      return { ...result('conflict', await head(folder), files), uncommitted: files.length === 0 };
    }
    // A merge left by a task that was since skipped, or re-done by a resolver: it is not wanted any more.
    if (pending) await git(folder, ['merge', '--abort']);

    if (await isAncestor(folder, tip, 'HEAD'))
      return result('already-merged', await published(repo, folder, target, input));
    const message = `${taskCommitMessage(input.runId, input.taskId, input.title)} (merged)`;
    const merge = await git(folder, ['merge', '--no-ff', '--no-edit', '-m', message, tip], {
      env: await identityEnv(folder),
      okExitCodes: [1],
    });
    if (merge.exitCode === 0) return result('merged', await published(repo, folder, target, input));
    const files = await conflictedFiles(folder);
    if (files.length === 0) {
      // Not a conflict (e.g. a person's uncommitted change in the way): nothing was merged; say why.
      throw new GitError(['merge', branch], folder, merge.exitCode, merge.stderr || merge.stdout);
    }
    return result('conflict', await head(folder), files);
  });
}

/** The integration branch's worktree, created on first use from the run's base. */
export async function ensureIntegrationWorktree(
  repo: RunRepo,
  worktreesDir: string,
  input: MergeTaskInput,
  folder: string,
  target: string,
): Promise<void> {
  const existing = await findWorktree(repo.dir, folder);
  if (existing?.branch === `refs/heads/${target}`) {
    if (repo.remote) await catchUp(repo, folder, target, input.runId);
    return;
  }
  await git(repo.dir, ['worktree', 'prune']);
  if (existing) await git(repo.dir, ['worktree', 'remove', '--force', folder]);
  await rm(folder, { recursive: true, force: true });
  await mkdir(runWorktreesDir(worktreesDir, input.runId), { recursive: true, mode: OWNER_ONLY_DIR });
  if (repo.remote) {
    // The remote's integration branch, or the run's base as recordBase put it there.
    const start = (await repo.tip(target)) ?? (await sharedTip(repo.dir, baseRef(input.runId))) ?? input.base.commit;
    await git(repo.dir, ['branch', '--force', target, start]);
    await git(repo.dir, ['worktree', 'add', '--quiet', folder, target]);
  } else if (await revParse(repo.dir, `refs/heads/${target}`)) {
    await git(repo.dir, ['worktree', 'add', folder, target]);
  } else {
    await git(repo.dir, ['worktree', 'add', '-b', target, folder, input.base.commit]);
  }
}

/**
 * With a remote, another host may have merged since this worktree last did: it moves on to the remote's
 * integration branch. A conflict waiting here stays; work here the remote never got (a push that failed) is
 * pushed after the next merge, unless the remote went on without it — the remote is the run's record.
 */
async function catchUp(repo: RunRepo, folder: string, target: string, runId: string): Promise<void> {
  const remote = await repo.tip(target);
  const here = await revParse(folder, 'HEAD');
  if (!remote || !here || remote === here || (await mergeHead(folder))) return;
  if (await isAncestor(folder, remote, here)) {
    // Ahead of the remote by a merge another host undid (the plan's verify failed on it): step back with it.
    for (const undone of await undoneMerges(repo.dir, runId)) {
      if ((await isAncestor(folder, undone, here)) && !(await isAncestor(folder, undone, remote))) {
        await git(folder, ['reset', '--quiet', '--hard', remote]);
        return;
      }
    }
    return;
  }
  if (await isAncestor(folder, here, remote)) await git(folder, ['merge', '--quiet', '--ff-only', remote]);
  else await git(folder, ['reset', '--quiet', '--hard', remote]);
}

/**
 * The integration worktree's HEAD, on the remote too when there is one (it only ever moves forward there). The
 * merged task's checkpoint goes from the remote in the same push: its work is merged, and a checkpoint a late
 * attempt sent after the task's commit (one that outlived its timeout) must not outlive the task.
 */
async function published(repo: RunRepo, folder: string, target: string, task: MergeTaskInput): Promise<string> {
  const commit = await head(folder);
  if (repo.remote) {
    await push(repo.dir, repo.remote, [`${commit}:refs/heads/${target}`, `:${checkpointRef(task.runId, task.taskId)}`]);
  }
  return commit;
}

async function head(folder: string): Promise<string> {
  return (await revParse(folder, 'HEAD')) ?? '';
}
