// After an agent succeeds: everything it changed in its worktree becomes one commit on its branch. Only the
// worktree is touched; an agent that changed nothing makes no commit. Run again, it finds nothing to commit.
import { git, identityEnv, mergeHead, revParse } from './git.js';
import { WorkspaceError, WorkspaceFailureType } from './failures.js';
import { taskBranch, taskCommitMessage } from './names.js';
import type { CommitTaskInput, CommitTaskResult } from '../../contract/workspace.js';

export async function commitTask(input: CommitTaskInput): Promise<CommitTaskResult> {
  const folder = input.path;
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
