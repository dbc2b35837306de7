// Undoing a task's merge into the integration branch (DESIGN.md §11): the plan's `verify` failed on the merged
// branch, so the branch goes back to the commit before the merge, and a person decides (retry, skip, approve). The
// merge must be the branch's last commit — merges wait for the verify of the one before them — and undoing what is
// undone already (an activity's retry) changes nothing. With a remote, the step back is pushed there too.
import type { MergeTaskInput, UndoMergeResult } from '../../contract/workspace.js';
import { git, isAncestor, revParse } from './git.js';
import { WorkspaceError, WorkspaceFailureType } from './failures.js';
import { onIntegrationBranch } from './integrate.js';
import { pushBack, undoneRef } from './remote.js';
import type { LockOptions } from './repo-lock.js';

export async function undoMerge(
  worktreesDir: string,
  input: MergeTaskInput,
  lock: LockOptions = {},
): Promise<UndoMergeResult> {
  return await onIntegrationBranch(worktreesDir, input, lock, async ({ repo, branch, target, folder }) => {
    const tip = await repo.tip(branch);
    const head = await revParse(folder, 'HEAD');
    if (!tip || !head) {
      throw new WorkspaceError(
        WorkspaceFailureType.BranchMissing,
        `branch ${branch} of task ${input.taskId} or the integration branch ${target} does not exist (was it deleted?)`,
      );
    }
    if (!(await isAncestor(folder, tip, head))) return { undone: false, head };
    if ((await revParse(folder, 'HEAD^2')) !== tip) {
      // Something came after the merge (a person's commit): stepping back would drop it too.
      throw new WorkspaceError(
        WorkspaceFailureType.MergeNotLast,
        `the merge of task ${input.taskId} is not the last commit of ${target} (${head}): it was not undone; undo it by hand`,
      );
    }
    const before = (await revParse(folder, 'HEAD^1'))!;
    // Files a verify command changed go with the merge: the branch is as it was before it.
    await git(folder, ['reset', '--quiet', '--hard', before]);
    if (repo.remote) {
      const move = { ref: `refs/heads/${target}`, expected: head, commit: before };
      await pushBack(repo.dir, repo.remote, move, [`+${head}:${undoneRef(input.runId, input.taskId)}`]);
    }
    return { undone: true, head: before };
  });
}
