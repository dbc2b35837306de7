// Integration: a finished task's branch is merged into `baton/<run>/integration` (one merge commit per
// task, in the order tasks finish — which respects dependencies, since a task starts only after its
// dependencies are integrated). One merge at a time per repository; merging what is merged is a no-op.
// A conflict stays in the integration worktree, where a person resolves it and commits; nothing is lost.
import { mkdir, rm } from 'node:fs/promises';
import { OWNER_ONLY_DIR } from '../../files/owner-only.js';
import { commonDir, conflictedFiles, git, GitError, identityEnv, isAncestor, mergeHead, revParse } from './git.js';
import { WorkspaceError, WorkspaceFailureType } from './failures.js';
import { integrationBranch, integrationWorktree, runWorktreesDir, taskBranch, taskCommitMessage } from './names.js';
import { withRepoLock, type LockOptions } from './repo-lock.js';
import type { MergeTaskInput, MergeTaskResult } from '../../contract/workspace.js';
import { findWorktree } from './worktree-list.js';

export async function mergeTask(
  worktreesDir: string,
  input: MergeTaskInput,
  lock: LockOptions = {},
): Promise<MergeTaskResult> {
  const repo = input.base.toplevel;
  const branch = taskBranch(input.runId, input.taskId);
  const target = integrationBranch(input.runId);
  const folder = integrationWorktree(worktreesDir, input.runId);
  return await withRepoLock(
    await commonDir(repo),
    async () => {
      await ensureIntegrationWorktree(worktreesDir, input, folder, target);
      const tip = await revParse(repo, `refs/heads/${branch}`);
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

      if (await isAncestor(folder, tip, 'HEAD')) return result('already-merged', await head(folder));
      const message = `${taskCommitMessage(input.runId, input.taskId, input.title)} (merged)`;
      const merge = await git(folder, ['merge', '--no-ff', '--no-edit', '-m', message, tip], {
        env: await identityEnv(folder),
        okExitCodes: [1],
      });
      if (merge.exitCode === 0) return result('merged', await head(folder));
      const files = await conflictedFiles(folder);
      if (files.length === 0) {
        // Not a conflict (e.g. a person's uncommitted change in the way): nothing was merged; say why.
        throw new GitError(['merge', branch], folder, merge.exitCode, merge.stderr || merge.stdout);
      }
      return result('conflict', await head(folder), files);
    },
    lock,
  );
}

/** The integration branch's worktree, created on first use from the run's base. */
async function ensureIntegrationWorktree(
  worktreesDir: string,
  input: MergeTaskInput,
  folder: string,
  target: string,
): Promise<void> {
  const repo = input.base.toplevel;
  const existing = await findWorktree(repo, folder);
  if (existing?.branch === `refs/heads/${target}`) return;
  await git(repo, ['worktree', 'prune']);
  if (existing) await git(repo, ['worktree', 'remove', '--force', folder]);
  await rm(folder, { recursive: true, force: true });
  await mkdir(runWorktreesDir(worktreesDir, input.runId), { recursive: true, mode: OWNER_ONLY_DIR });
  if (await revParse(repo, `refs/heads/${target}`)) await git(repo, ['worktree', 'add', folder, target]);
  else await git(repo, ['worktree', 'add', '-b', target, folder, input.base.commit]);
}

async function head(folder: string): Promise<string> {
  return (await revParse(folder, 'HEAD')) ?? '';
}
