// After an agent succeeds: everything it changed in its worktree becomes one commit on its branch. Only the
// worktree is touched; an agent that changed nothing makes no commit. Run again, it finds nothing to commit.
// With a remote (shared.ts) the commit is made on whichever host runs this, and pushed.
import { git, identityEnv, mergeHead, revParse } from './git.js';
import { WorkspaceError, WorkspaceFailureType } from './failures.js';
import { taskBranch, taskCommitMessage } from './names.js';
import type { CommitTaskInput, CommitTaskResult } from '../../contract/workspace.js';
import { withRepoLock, type LockOptions } from './repo-lock.js';
import { runRepo } from './run-repo.js';
import { publishTask, syncTaskWorktree, taskPlace } from './shared.js';

export async function commitTask(
  input: CommitTaskInput,
  worktreesDir?: string,
  lock: LockOptions = {},
): Promise<CommitTaskResult> {
  if (!input.remote) return await commitIn(input.path, input);
  if (!worktreesDir) throw new Error('committing with a remote needs the worktrees folder of this host');
  // With a remote, the worktree is this host's: made from the remote's newest checkpoint when the agent worked
  // elsewhere (another host took the task over), and the commit goes to the remote.
  const repo = await runRepo(worktreesDir, input.runId, input.path, input.remote);
  const place = taskPlace(repo, worktreesDir, input);
  return await withRepoLock(
    repo.dir,
    async () => {
      await repo.refresh();
      const synced = await syncTaskWorktree(place);
      if (!synced.tip) {
        const branch = taskBranch(input.runId, input.taskId);
        throw new WorkspaceError(WorkspaceFailureType.BranchMissing, `branch ${branch} is not on ${repo.remote}`);
      }
      const result = await commitIn(place.folder, input);
      await publishTask(place);
      return result;
    },
    lock,
  );
}

async function commitIn(folder: string, input: CommitTaskInput): Promise<CommitTaskResult> {
  const branch = taskBranch(input.runId, input.taskId);
  await git(folder, ['add', '--all']);
  const merging = (await mergeHead(folder)) !== null;
  if (merging) await refuseConflictMarkers(folder, input.taskId);
  const staged = (await git(folder, ['diff', '--cached', '--quiet'], { okExitCodes: [1] })).exitCode === 1;
  let commit: string | null = null;
  // A merge the agent resolved is committed even when it leaves the files as they were: it records the merge.
  if (staged || merging) {
    const message = merging
      ? `${taskCommitMessage(input.runId, input.taskId, input.title)} (conflict resolved)`
      : taskCommitMessage(input.runId, input.taskId, input.title);
    // Hooks are for people's commits; a hook that fails or prompts must not lose an agent's finished work.
    await git(folder, ['commit', '--no-verify', '--quiet', '-m', message], { env: await identityEnv(folder) });
    commit = await revParse(folder, 'HEAD');
  }
  const head = (await revParse(folder, 'HEAD')) ?? '';
  return { commit, branch, head };
}

async function refuseConflictMarkers(folder: string, taskId: string): Promise<void> {
  const check = await git(folder, ['diff', '--cached', '--check'], { okExitCodes: [1, 2] });
  const files = new Set<string>();
  for (const line of check.stdout.split('\n')) {
    const match = /^(.+):\d+: leftover conflict marker$/.exec(line);
    if (match?.[1]) files.add(match[1]);
  }
  if (files.size === 0) return;
  // Staged but not committed: the merge stays in progress (a reset would end it) for the next attempt.
  const list = [...files].sort();
  throw new WorkspaceError(
    WorkspaceFailureType.ConflictMarkersLeft,
    `task ${taskId} ended with conflict markers still in ${list.join(', ')}; retry it, or resolve the files in its worktree ${folder}`,
    list,
  );
}
