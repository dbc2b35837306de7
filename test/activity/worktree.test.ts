// The git side of worktree isolation, against real repositories in temp folders: base, a task's worktree
// (dependencies merged in, reuse, reset), its commit, integration in order, conflicts and their resolution,
// clean-up. No Temporal here (see worktree-activities.test.ts for the activity wrappers).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { recordBase } from '../../src/activities/workspace/base.js';
import { cleanUpWorktrees } from '../../src/activities/workspace/cleanup.js';
import { commitTask } from '../../src/activities/workspace/commit.js';
import { WorkspaceError, WorkspaceFailureType } from '../../src/activities/workspace/failures.js';
import { mergeTask } from '../../src/activities/workspace/integrate.js';
import { integrationBranch, runSegment, taskBranch } from '../../src/activities/workspace/names.js';
import { prepareWorktree } from '../../src/activities/workspace/prepare.js';
import type { DependencyBranch, WorkspaceBase } from '../../src/contract/workspace.js';
import { subjects, tempRepo, worktreePaths, type TempRepo } from '../helpers/git-repo.js';

const RUN = 'baton-demo-1a2b';
let repo: TempRepo;
let base: WorkspaceBase;

beforeEach(async () => {
  repo = await tempRepo();
  base = await recordBase({ repo: repo.repo });
});
afterEach(async () => {
  await repo.remove();
});

const dep = (id: string): DependencyBranch => ({ id, branch: taskBranch(RUN, id) });

/** Prepares the worktree of the task in RUN from `base`, its dependencies merged in. */
const prepare = (
  taskId: string,
  dependencies: DependencyBranch[] = [],
  more: { reset?: boolean; conflictFrom?: string } = {},
) => prepareWorktree(repo.worktreesDir, { runId: RUN, taskId, base, dependencies, ...more });

/** Prepares the task's worktree, writes files into it as an agent would, commits them. */
async function runTask(id: string, files: Record<string, string>, dependencies: string[] = []) {
  const prepared = await prepare(id, dependencies.map(dep));
  for (const [file, content] of Object.entries(files)) await writeFile(path.join(prepared.path, file), content);
  const committed = await commitTask({ runId: RUN, taskId: id, title: `Task ${id}`, path: prepared.path });
  return { prepared, committed };
}

async function rejects(promise: Promise<unknown>, type: WorkspaceFailureType): Promise<WorkspaceError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof WorkspaceError, `expected a WorkspaceError, got ${String(err)}`);
    assert.equal(err.type, type, err.message);
    return err;
  }
  assert.fail(`expected ${type}`);
}

void describe('recordBase', () => {
  void it('records HEAD, the current branch and the repository top folder', async () => {
    const head = await repo.git(['rev-parse', 'HEAD']);
    assert.deepEqual(base, {
      toplevel: await realpath(repo.repo),
      prefix: '',
      commit: head,
      branch: 'main',
      dirty: false,
    });
  });

  void it('for a subfolder of a repository: the top folder and the subfolder as prefix; uncommitted changes flagged', async () => {
    await repo.commitFile('app/index.js', 'x\n');
    await writeFile(path.join(repo.repo, 'scratch.txt'), 'not committed\n');
    const sub = await recordBase({ repo: path.join(repo.repo, 'app') });
    assert.equal(sub.prefix, 'app/');
    assert.equal(sub.toplevel, await realpath(repo.repo));
    assert.equal(sub.dirty, true);
  });

  void it('refuses a folder outside any repository, and a repository without a commit', async () => {
    const outside = path.join(repo.root, 'plain');
    await mkdir(outside);
    await rejects(recordBase({ repo: outside }), WorkspaceFailureType.NotARepository);
    const empty = path.join(repo.root, 'empty');
    await mkdir(empty);
    await repo.git(['init', '--quiet'], empty);
    await rejects(recordBase({ repo: empty }), WorkspaceFailureType.NoCommit);
  });
});

void describe('prepareWorktree', () => {
  void it("a task without dependencies gets its own branch and worktree at the run's base; the repository is untouched", async () => {
    const later = await repo.commitFile('later.txt', 'committed after the run started\n');
    const prepared = await prepare('a');
    assert.equal(prepared.branch, `baton/${RUN}/a`);
    assert.equal(prepared.path, path.join(repo.worktreesDir, RUN, 'a'));
    assert.equal(prepared.cwd, prepared.path);
    assert.equal(prepared.head, base.commit);
    assert.equal(prepared.reused, false);
    assert.ok(existsSync(path.join(prepared.path, 'README.md')));
    assert.ok(!existsSync(path.join(prepared.path, 'later.txt')), 'the base is the commit recorded at start');
    assert.equal(await repo.git(['rev-parse', 'HEAD']), later, "the repository's HEAD did not move");
    assert.equal(await repo.git(['status', '--porcelain']), '');
  });

  void it("a dependent's worktree holds its dependencies' work and not its siblings'", async () => {
    await runTask('a', { 'a.txt': 'from a\n' });
    await runTask('b', { 'b.txt': 'from b\n' });
    await runTask('sibling', { 'sibling.txt': 'runs beside c\n' });
    const c = await prepare('c', [dep('a'), dep('b')]);
    assert.equal(await readFile(path.join(c.path, 'a.txt'), 'utf8'), 'from a\n');
    assert.equal(await readFile(path.join(c.path, 'b.txt'), 'utf8'), 'from b\n');
    assert.ok(!existsSync(path.join(c.path, 'sibling.txt')));
    assert.deepEqual(c.merged, [taskBranch(RUN, 'b')], 'the first dependency is the start point, the next merged');
  });

  void it('a single dependency is the start point: no merge commit', async () => {
    const a = await runTask('a', { 'a.txt': 'from a\n' });
    const d = await prepare('d', [dep('a')]);
    assert.equal(d.head, a.committed.commit);
  });

  void it('a retry finds the worktree with its partial work; reset starts clean', async () => {
    const first = await prepare('a');
    await writeFile(path.join(first.path, 'partial.txt'), 'half done\n');
    const again = await prepare('a');
    assert.equal(again.reused, true);
    assert.equal(await readFile(path.join(again.path, 'partial.txt'), 'utf8'), 'half done\n');
    const clean = await prepare('a', [], { reset: true });
    assert.equal(clean.reused, false);
    assert.ok(!existsSync(path.join(clean.path, 'partial.txt')));
  });

  void it('a worktree whose folder was deleted is re-created from its branch (committed work kept)', async () => {
    const a = await runTask('a', { 'a.txt': 'from a\n' });
    await cleanUpWorktrees(repo.worktreesDir, { runId: RUN });
    const again = await prepare('a');
    assert.equal(again.head, a.committed.commit);
    assert.ok(existsSync(path.join(again.path, 'a.txt')));
  });

  void it('dependencies that conflict with each other fail the preparation, naming the files; nothing is left half-merged', async () => {
    await runTask('a', { 'README.md': 'a says hello\n' });
    await runTask('b', { 'README.md': 'b says hello\n' });
    const err = await rejects(prepare('c', [dep('a'), dep('b')]), WorkspaceFailureType.DependencyConflict);
    assert.deepEqual(err.files, ['README.md']);
    const folder = path.join(repo.worktreesDir, RUN, 'c');
    assert.equal(await repo.git(['status', '--porcelain'], folder), '');
  });

  void it('dependencies that conflict with each other but were reconciled on the integration branch: the dependent starts from that', async () => {
    await runTask('a', { 'README.md': 'a says hello\n' });
    await runTask('b', { 'README.md': 'b says hello\n' });
    await mergeTask(repo.worktreesDir, { runId: RUN, taskId: 'a', title: 'a', base });
    const conflict = await mergeTask(repo.worktreesDir, { runId: RUN, taskId: 'b', title: 'b', base });
    assert.equal(conflict.outcome, 'conflict');
    await writeFile(path.join(conflict.worktree, 'README.md'), 'a and b say hello\n');
    await repo.git(['commit', '--quiet', '--all', '--no-edit'], conflict.worktree);
    const c = await prepare('c', [dep('a'), dep('b')]);
    assert.equal(await readFile(path.join(c.path, 'README.md'), 'utf8'), 'a and b say hello\n');
    assert.deepEqual(c.merged, [integrationBranch(RUN)]);
  });

  void it('five tasks prepared at once in one repository all get their worktree (one git writer at a time)', async () => {
    const ids = ['t1', 't2', 't3', 't4', 't5'];
    const prepared = await Promise.all(ids.map((taskId) => prepare(taskId)));
    assert.deepEqual(
      prepared.map((p) => p.branch),
      ids.map((id) => taskBranch(RUN, id)),
    );
    assert.equal((await worktreePaths(repo)).length, 6);
  });
});

void describe('commitTask', () => {
  void it("commits the agent's changes on its branch with the run and task in the message; the repository is untouched", async () => {
    const prepared = await prepare('login');
    await mkdir(path.join(prepared.path, 'src'));
    await writeFile(path.join(prepared.path, 'src', 'login.js'), 'export {}\n');
    await writeFile(path.join(prepared.path, 'README.md'), 'changed\n');
    const result = await commitTask({ runId: RUN, taskId: 'login', title: 'Login endpoint', path: prepared.path });
    assert.ok(result.commit);
    assert.equal(result.branch, taskBranch(RUN, 'login'));
    assert.deepEqual(await subjects(repo, result.branch, [`${base.commit}..`]), [
      `baton ${RUN}: login — Login endpoint`,
    ]);
    const files = await repo.git(['show', '--name-only', '--format=', result.commit]);
    assert.deepEqual(files.split('\n').sort(), ['README.md', 'src/login.js']);
    assert.equal(await repo.git(['status', '--porcelain']), '');
    assert.equal(await repo.git(['rev-parse', 'HEAD']), base.commit);
    assert.equal(await readFile(path.join(repo.repo, 'README.md'), 'utf8'), 'hello\n');
  });

  void it('makes no empty commit: nothing changed, or committed already (a retry)', async () => {
    const prepared = await prepare('a');
    const nothing = await commitTask({ runId: RUN, taskId: 'a', title: 'a', path: prepared.path });
    assert.equal(nothing.commit, null);
    assert.equal(nothing.head, base.commit);
    await writeFile(path.join(prepared.path, 'a.txt'), 'a\n');
    const first = await commitTask({ runId: RUN, taskId: 'a', title: 'a', path: prepared.path });
    const retry = await commitTask({ runId: RUN, taskId: 'a', title: 'a', path: prepared.path });
    assert.ok(first.commit);
    assert.equal(retry.commit, null);
    assert.equal(retry.head, first.commit);
  });

  void it('commits as "baton" where git has no identity configured; a configured one is used as is', async () => {
    const prepared = await prepare('a');
    await writeFile(path.join(prepared.path, 'a.txt'), 'a\n');
    const first = await commitTask({ runId: RUN, taskId: 'a', title: 'a', path: prepared.path });
    assert.equal(
      await repo.git(['log', '-1', '--format=%an <%ae>', first.commit!]),
      'Test Person <person@example.com>',
    );

    await repo.git(['config', '--unset', 'user.name']);
    await repo.git(['config', '--unset', 'user.email']);
    // No global or system identity either (the machine running the tests may have one).
    const empty = path.join(repo.root, 'empty-gitconfig');
    await writeFile(empty, '');
    const saved = { global: process.env.GIT_CONFIG_GLOBAL, nosystem: process.env.GIT_CONFIG_NOSYSTEM };
    process.env.GIT_CONFIG_GLOBAL = empty;
    process.env.GIT_CONFIG_NOSYSTEM = '1';
    try {
      await writeFile(path.join(prepared.path, 'b.txt'), 'b\n');
      const second = await commitTask({ runId: RUN, taskId: 'a', title: 'a', path: prepared.path });
      assert.equal(await repo.git(['log', '-1', '--format=%an <%ae>', second.commit!]), 'baton <baton@localhost>');
    } finally {
      restore('GIT_CONFIG_GLOBAL', saved.global);
      restore('GIT_CONFIG_NOSYSTEM', saved.nosystem);
    }
  });
});

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

void describe('mergeTask', () => {
  const merge = (taskId: string) => mergeTask(repo.worktreesDir, { runId: RUN, taskId, title: `Task ${taskId}`, base });

  void it('merges finished branches into the integration branch in the order asked, once each (a retry is a no-op)', async () => {
    await runTask('a', { 'a.txt': 'a\n' });
    await runTask('b', { 'b.txt': 'b\n' });
    assert.equal((await merge('a')).outcome, 'merged');
    const b = await merge('b');
    assert.equal(b.outcome, 'merged');
    assert.equal(b.integrationBranch, integrationBranch(RUN));
    await runTask('c', { 'c.txt': 'c\n' }, ['a', 'b']);
    assert.equal((await merge('c')).outcome, 'merged');
    const again = await merge('b');
    assert.equal(again.outcome, 'already-merged');
    const firstParent = await subjects(repo, integrationBranch(RUN), ['--first-parent', `${base.commit}..`]);
    assert.deepEqual(firstParent, [
      `baton ${RUN}: a — Task a (merged)`,
      `baton ${RUN}: b — Task b (merged)`,
      `baton ${RUN}: c — Task c (merged)`,
    ]);
    const tree = await repo.git(['ls-tree', '--name-only', integrationBranch(RUN)]);
    assert.deepEqual(tree.split('\n').sort(), ['README.md', 'a.txt', 'b.txt', 'c.txt']);
    assert.equal(await repo.git(['status', '--porcelain']), '', 'the main checkout is untouched');
  });

  void it('a conflict waits in the integration worktree with its files named; a retry reports it again; a person resolves and commits', async () => {
    await runTask('a', { 'README.md': 'a says hello\n' });
    await runTask('b', { 'README.md': 'b says hello\n' });
    assert.equal((await merge('a')).outcome, 'merged');
    const conflict = await merge('b');
    assert.equal(conflict.outcome, 'conflict');
    assert.deepEqual(conflict.files, ['README.md']);
    assert.match(await readFile(path.join(conflict.worktree, 'README.md'), 'utf8'), /<<<<<<<[\s\S]*>>>>>>>/);
    const retry = await merge('b');
    assert.equal(retry.outcome, 'conflict');
    assert.deepEqual(retry.files, ['README.md']);

    // The person: resolve, add, (not yet commit) — then commit.
    await writeFile(path.join(conflict.worktree, 'README.md'), 'a and b say hello\n');
    await repo.git(['add', 'README.md'], conflict.worktree);
    const uncommitted = await merge('b');
    assert.equal(uncommitted.outcome, 'conflict');
    assert.equal(uncommitted.uncommitted, true);
    await repo.git(['commit', '--no-edit', '--quiet'], conflict.worktree);
    assert.equal((await merge('b')).outcome, 'already-merged');
    assert.equal(await repo.git(['show', `${integrationBranch(RUN)}:README.md`]), 'a and b say hello');
  });

  void it("a conflict left by a task that was then skipped does not block the next task's merge", async () => {
    await runTask('a', { 'README.md': 'a says hello\n' });
    await runTask('b', { 'README.md': 'b says hello\n' });
    await runTask('c', { 'c.txt': 'c\n' });
    await merge('a');
    assert.equal((await merge('b')).outcome, 'conflict');
    const c = await merge('c');
    assert.equal(c.outcome, 'merged');
    const tree = await repo.git(['ls-tree', '--name-only', integrationBranch(RUN)]);
    assert.deepEqual(tree.split('\n').sort(), ['README.md', 'c.txt']);
    assert.equal(await repo.git(['show', `${integrationBranch(RUN)}:README.md`]), 'a says hello');
  });

  void it('an agent resolves a conflict in its own worktree: markers left are refused, a resolution merges cleanly', async () => {
    await runTask('a', { 'README.md': 'a says hello\n' });
    await runTask('b', { 'README.md': 'b says hello\n' });
    await merge('a');
    assert.equal((await merge('b')).outcome, 'conflict');
    const resolver = await prepare('b', [], { conflictFrom: integrationBranch(RUN) });
    assert.equal(resolver.reused, true);
    assert.deepEqual(resolver.conflicts, ['README.md']);
    const markers = await rejects(
      commitTask({ runId: RUN, taskId: 'b', title: 'Task b', path: resolver.path }),
      WorkspaceFailureType.ConflictMarkersLeft,
    );
    assert.deepEqual(markers.files, ['README.md']);
    await writeFile(path.join(resolver.path, 'README.md'), 'b and a say hello\n');
    const resolved = await commitTask({ runId: RUN, taskId: 'b', title: 'Task b', path: resolver.path });
    assert.ok(resolved.commit);
    assert.equal((await merge('b')).outcome, 'merged');
    assert.equal(await repo.git(['show', `${integrationBranch(RUN)}:README.md`]), 'b and a say hello');
  });
});

void describe('cleanUpWorktrees', () => {
  void it('removes every worktree of the run and keeps its branches; git worktree list shows only the main one', async () => {
    await runTask('a', { 'a.txt': 'a\n' });
    await runTask('b', { 'b.txt': 'b\n' });
    await mergeTask(repo.worktreesDir, { runId: RUN, taskId: 'a', title: 'a', base });
    const result = await cleanUpWorktrees(repo.worktreesDir, { runId: RUN });
    assert.equal(result.removed.length, 3);
    assert.deepEqual(result.saved, []);
    assert.deepEqual(await worktreePaths(repo), [await realpath(repo.repo)]);
    assert.ok(!existsSync(path.join(repo.worktreesDir, RUN)));
    const branches = (await repo.git(['branch', '--format=%(refname:short)'])).split('\n').sort();
    assert.deepEqual(branches, [taskBranch(RUN, 'a'), taskBranch(RUN, 'b'), integrationBranch(RUN), 'main'].sort());
    assert.deepEqual(await cleanUpWorktrees(repo.worktreesDir, { runId: RUN }), { removed: [], saved: [] });
  });

  void it("commits a worktree's unfinished work on its branch before removing it", async () => {
    const prepared = await prepare('a');
    await writeFile(path.join(prepared.path, 'partial.txt'), 'half done\n');
    const result = await cleanUpWorktrees(repo.worktreesDir, { runId: RUN });
    assert.deepEqual(result.saved, [taskBranch(RUN, 'a')]);
    assert.equal(await repo.git(['show', `${taskBranch(RUN, 'a')}:partial.txt`]), 'half done');
  });

  void it("touches only this run's worktrees", async () => {
    const other = 'baton-other-9z9z';
    await prepareWorktree(repo.worktreesDir, { runId: other, taskId: 'x', base, dependencies: [] });
    await runTask('a', { 'a.txt': 'a\n' });
    await cleanUpWorktrees(repo.worktreesDir, { runId: RUN });
    assert.ok(existsSync(path.join(repo.worktreesDir, other, 'x', 'README.md')));
    assert.equal((await worktreePaths(repo)).length, 2);
  });
});

void describe('names', () => {
  void it('keeps baton run ids as they are and makes other ids safe and distinct', () => {
    assert.equal(runSegment('baton-demo-1a2b'), 'baton-demo-1a2b');
    const odd = runSegment('my run/../x');
    // Made safe, and told apart by a hash of the whole id after "+", which no kept id has.
    assert.match(odd, /^[A-Za-z0-9._-]+\+[0-9a-f]{16}$/);
    assert.ok(!odd.includes('..'));
    assert.notEqual(runSegment('a b'), runSegment('a_b'));
    assert.notEqual(taskBranch(RUN, 'integration'), integrationBranch(RUN));
  });
});
