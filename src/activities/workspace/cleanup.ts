// Removing a finished run's worktrees. Branches stay (they are the run's work); uncommitted work found in a
// worktree is committed on its branch first, so removing a worktree never loses anything. The workflow calls
// this when the run ends, and `baton clean <run>` only for a run that has ended: nothing a run uses goes.
import { readdir, realpath, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { commonDir, git, identityEnv, isDirty, mergeHead } from './git.js';
import { runWorktreesDir } from './names.js';
import { withRepoLock, type LockOptions } from './repo-lock.js';
import { push } from './remote.js';
import type { CleanUpInput, CleanUpResult } from '../../contract/workspace.js';

export async function cleanUpWorktrees(
  worktreesDir: string,
  input: CleanUpInput,
  lock: LockOptions = {},
): Promise<CleanUpResult> {
  const runDir = runWorktreesDir(worktreesDir, input.runId);
  const names = await readdir(runDir).catch(() => [] as string[]);
  const removed: string[] = [];
  const saved: string[] = [];
  for (const name of names.sort()) {
    const folder = path.join(runDir, name);
    const shared = await worktreeRepository(folder);
    if (shared === null) {
      // Not (any more) a worktree of a repository: a leftover of a crash, inside worktreesDir only.
      await rm(folder, { recursive: true, force: true });
      removed.push(folder);
      continue;
    }
    await withRepoLock(
      shared,
      async () => {
        const branch = await saveWork(folder, input.runId, name);
        if (branch) saved.push(branch);
        // With a remote, saved work goes there too, unless the branch went on without it (another host's work).
        if (branch && input.remote) await push(shared, input.remote, [`refs/heads/${branch}`]).catch(() => undefined);
        await git(shared, ['worktree', 'remove', '--force', folder]);
        await git(shared, ['worktree', 'prune']);
      },
      lock,
    );
    removed.push(folder);
  }
  await rmdir(runDir).catch(() => undefined);
  return { removed, saved };
}

/** The shared .git folder of the repository `folder` is a worktree of, or null if it is none. */
async function worktreeRepository(folder: string): Promise<string | null> {
  // Only a folder that is itself a worktree's top (its `.git` a file): git would otherwise find whatever
  // repository holds worktreesDir (BATON_HOME may live inside the user's repository).
  const gitFile = await stat(path.join(folder, '.git')).catch(() => null);
  if (!gitFile?.isFile()) return null;
  try {
    const top = (await git(folder, ['rev-parse', '--show-toplevel'])).stdout.trim();
    if ((await realpath(top)) !== (await realpath(folder))) return null;
    return await commonDir(folder);
  } catch {
    return null;
  }
}

/** Commits what the worktree holds that is not committed (on its own branch); the branch, or null. */
async function saveWork(folder: string, runId: string, name: string): Promise<string | null> {
  // A conflicted merge cannot be committed; its two sides are both on branches.
  if (await mergeHead(folder)) await git(folder, ['merge', '--abort']);
  if (!(await isDirty(folder))) return null;
  const branch = (
    await git(folder, ['symbolic-ref', '--quiet', '--short', 'HEAD'], { okExitCodes: [1] })
  ).stdout.trim();
  if (!branch) return null; // detached: nothing baton made; leave it to `worktree remove` (it is forced)
  await git(folder, ['add', '--all']);
  const message = `baton ${runId}: ${name} — unfinished work, saved when its worktree was removed`;
  await git(folder, ['commit', '--no-verify', '--quiet', '-m', message], { env: await identityEnv(folder) });
  return branch;
}
