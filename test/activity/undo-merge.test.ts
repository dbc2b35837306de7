// Undoing a task's merge into the integration branch (the plan's verify failed on it, DESIGN §11), against real
// repositories in temp folders: the branch goes back to the commit before the merge, an undo of what is undone
// changes nothing, a merge that is no longer the last commit is left for a person. With a remote shared by two
// "hosts": the step back reaches the remote, and the host whose worktree still held the merge steps back too
// instead of pushing it again with its next merge. No Temporal here.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { execa } from 'execa';
import { recordBase } from '../../src/activities/workspace/base.js';
import { commitTask } from '../../src/activities/workspace/commit.js';
import { WorkspaceError, WorkspaceFailureType } from '../../src/activities/workspace/failures.js';
import { mergeTask } from '../../src/activities/workspace/integrate.js';
import { integrationBranch, integrationWorktree, taskBranch } from '../../src/activities/workspace/names.js';
import { prepareWorktree } from '../../src/activities/workspace/prepare.js';
import { undoMerge } from '../../src/activities/workspace/undo-merge.js';
import type { WorkspaceBase } from '../../src/contract/workspace.js';
import { tempRepo, type TempRepo } from '../helpers/git-repo.js';

const RUN = 'baton-undo-3c4d';
let repo: TempRepo;

beforeEach(async () => {
  repo = await tempRepo('baton-undo-');
});
afterEach(async () => {
  await repo.remove();
});

/** A task's worktree on `host` with `file` written and committed. */
async function taskWith(host: string, base: WorkspaceBase, id: string, file: string, remote?: string) {
  const prepared = await prepareWorktree(host, { runId: RUN, taskId: id, base, dependencies: [], remote });
  await writeFile(path.join(prepared.path, file), `${id}\n`);
  await commitTask({ runId: RUN, taskId: id, title: id, path: prepared.path, remote }, host);
}

const isAncestor = async (commit: string, of: string, cwd = repo.repo) =>
  (await execa('git', ['merge-base', '--is-ancestor', commit, of], { cwd, reject: false })).exitCode === 0;

void describe('undoMerge', () => {
  void it('steps the integration branch back over the merge; again: nothing to undo; not the last commit: refused', async () => {
    const base = await recordBase({ repo: repo.repo });
    const input = (taskId: string) => ({ runId: RUN, taskId, title: taskId, base });
    await taskWith(repo.worktreesDir, base, 'a', 'a.txt');
    await taskWith(repo.worktreesDir, base, 'b', 'b.txt');
    const first = await mergeTask(repo.worktreesDir, input('a'));
    const merged = await mergeTask(repo.worktreesDir, input('b'));
    assert.equal(merged.outcome, 'merged');

    const undone = await undoMerge(repo.worktreesDir, input('b'));
    assert.deepEqual(undone, { undone: true, head: first.head });
    const integration = integrationBranch(RUN);
    assert.equal(await repo.git(['rev-parse', integration]), first.head);
    assert.equal(await isAncestor(taskBranch(RUN, 'b'), integration), false);
    assert.equal(await repo.git(['status', '--porcelain'], integrationWorktree(repo.worktreesDir, RUN)), '');
    // An activity's retry after the reset: the branch is as it was.
    assert.deepEqual(await undoMerge(repo.worktreesDir, input('b')), { undone: false, head: first.head });

    // Merged again, then a person's commit on top: stepping back would drop it too.
    await mergeTask(repo.worktreesDir, input('b'));
    const folder = integrationWorktree(repo.worktreesDir, RUN);
    await writeFile(path.join(folder, 'person.txt'), 'mine\n');
    await repo.git(['add', 'person.txt'], folder);
    await repo.git(['commit', '--quiet', '-m', "a person's commit"], folder);
    const refused = await undoMerge(repo.worktreesDir, input('b')).catch((err: unknown) => err);
    assert.ok(refused instanceof WorkspaceError, String(refused));
    assert.equal(refused.type, WorkspaceFailureType.MergeNotLast);
    assert.match(refused.message, /the merge of task b is not the last commit of baton\/.*\/integration/);
  });

  void it('with a remote: the step back is pushed there, and a host that still held the merge steps back too', async () => {
    const remote = path.join(repo.root, 'shared.git');
    await execa('git', ['clone', '--quiet', '--bare', repo.repo, remote]);
    const hostA = path.join(repo.root, 'host-a', 'worktrees');
    const hostB = path.join(repo.root, 'host-b', 'worktrees');
    await mkdir(hostA, { recursive: true });
    await mkdir(hostB, { recursive: true });
    const base = await recordBase({ repo: repo.repo, remote, runId: RUN });
    const input = (taskId: string) => ({ runId: RUN, taskId, title: taskId, base, remote });
    const integration = `refs/heads/${integrationBranch(RUN)}`;
    const onRemote = async () => (await execa('git', ['rev-parse', integration], { cwd: remote })).stdout.trim();

    await taskWith(hostA, base, 'bad', 'bad.txt', remote);
    const merged = await mergeTask(hostA, input('bad'));
    assert.equal(await onRemote(), merged.head);
    // Host B undoes it (its integration worktree made from the remote): the remote steps back.
    const undone = await undoMerge(hostB, input('bad'));
    assert.equal(undone.undone, true);
    assert.equal(await onRemote(), undone.head);

    // Host A's worktree still holds the undone merge; its next merge must not bring it back.
    await taskWith(hostB, base, 'good', 'good.txt', remote);
    const next = await mergeTask(hostA, input('good'));
    assert.equal(next.outcome, 'merged');
    assert.equal(await onRemote(), next.head);
    assert.equal(await isAncestor(merged.head, next.head, remote), false, 'the undone merge stayed undone');
    const files = await execa('git', ['ls-tree', '--name-only', next.head], { cwd: remote });
    assert.deepEqual(files.stdout.split('\n'), ['README.md', 'good.txt']);
  });
});
