// Worktree isolation end to end (issue 6): the real claude, the scripted model writing files through tool
// calls, real git repositories in temp folders, the real Temporal dev server.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, realpath, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { finalStatus } from '../../src/client/runs.js';
import { integrationBranch, taskBranch } from '../../src/activities/workspace/names.js';
import { approveUpdate, retryTaskUpdate, statusQuery } from '../../src/workflows/messages.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { resumedRequests, startRun, startWorker, until, withScene } from '../chaos/chaos.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import { initRepo, worktreePaths } from '../helpers/git-repo.js';
import {
  describeStatus,
  plan,
  statesOf,
  taskOf,
  withHarness,
  workflowTemporal,
  type Harness,
} from '../helpers/workflow-harness.js';

const temporal = forAllTests(workflowTemporal);

const worktree = { isolation: 'worktree' as const };

/** `git worktree list` paths. */
const worktrees = (git: (args: string[]) => Promise<string>) => worktreePaths({ git });

const overwriteReadme = (who: string) => ({
  turns: [{ bash: `printf '${who}\\n' > README.md` }, { text: 'edited' }],
});
/** Both tasks overwrite README.md: whichever merges second conflicts. */
const rivals = { a: overwriteReadme('a'), b: overwriteReadme('b') };

/** The rivals side by side on worktrees of a repository made in h.cwd, until the second merge has conflicted. */
async function conflictingRun(h: Harness, name: string) {
  const git = await initRepo(h.cwd);
  const handle = await h.start(
    plan(
      name,
      [
        { id: 'a', prompt: 'a' },
        { id: 'b', prompt: 'b' },
      ],
      { workspace: worktree },
    ),
  );
  const loser = (await untilConflict(h, handle, 'a conflict')).tasks.find((t) => t.state === 'merge-conflict')!.id;
  return { git, handle, loser };
}

/** The run's status once a task is in merge-conflict (`what` names the wait). */
async function untilConflict(h: Harness, handle: WorkflowHandle, what: string): Promise<RunStatus> {
  return await h.waitFor(handle, (s) => s.tasks.some((t) => t.state === 'merge-conflict'), what, 60_000);
}

void test('two parallel tasks, then a dependent: its worktree holds both files; the integration branch has all three in dependency order; no worktree is left', async () => {
  const script = {
    a: { turns: [{ write: { path: 'a.txt', content: 'from a\n' } }, { text: 'a wrote a.txt' }], delayMs: 300 },
    b: { turns: [{ write: { path: 'b.txt', content: 'from b\n' } }, { text: 'b wrote b.txt' }], delayMs: 300 },
    // Run in c's worktree: both dependencies' files must be there.
    c: { turns: [{ bash: 'cat a.txt b.txt > c.txt' }, { text: 'c combined them' }] },
  };
  await withHarness(temporal, { script }, async (h) => {
    const git = await initRepo(h.cwd);
    const base = await git(['rev-parse', 'HEAD']);
    const handle = await h.start(
      plan(
        'wt-three',
        [
          { id: 'a', prompt: 'Write a.txt.', expectedOutputs: ['a.txt'] },
          { id: 'b', prompt: 'Write b.txt.', expectedOutputs: ['b.txt'] },
          { id: 'c', prompt: 'Combine them.', dependsOn: ['a', 'b'], expectedOutputs: ['c.txt'] },
        ],
        { workspace: worktree },
      ),
    );
    const final = await h.result(handle);
    assert.equal(final.phase, 'completed', describeStatus(final));
    const run = handle.workflowId;

    // a and b ran side by side, each in its own worktree (neither saw the other's file).
    const a = h.fake.requestsFor('a')[0]!;
    const b = h.fake.requestsFor('b')[0]!;
    assert.ok(a.receivedAt < (h.fake.requestsFor('b').at(-1)!.answeredAt ?? 0), 'a and b overlapped');
    assert.ok(b.receivedAt < (h.fake.requestsFor('a').at(-1)!.answeredAt ?? 0), 'a and b overlapped');
    assert.equal(await git(['show', `${taskBranch(run, 'c')}:c.txt`]), 'from a\nfrom b');
    assert.equal(
      await git(['ls-tree', '--name-only', taskBranch(run, 'a')]),
      'README.md\na.txt',
      "a's branch has only a's work",
    );

    // The integration branch: one merge per task, c's after a's and b's; each task's own commit in it.
    const integration = integrationBranch(run);
    const merges = (await git(['log', '--first-parent', '--reverse', '--format=%s', `${base}..${integration}`])).split(
      '\n',
    );
    assert.equal(merges.length, 3, merges.join('\n'));
    assert.deepEqual(merges.slice(0, 2).sort(), [`baton ${run}: a (merged)`, `baton ${run}: b (merged)`]);
    assert.equal(merges[2], `baton ${run}: c (merged)`);
    const order = (await git(['log', '--reverse', '--topo-order', '--format=%s', `${base}..${integration}`])).split(
      '\n',
    );
    const at = (subject: string) => order.indexOf(subject);
    for (const id of ['a', 'b', 'c']) assert.ok(at(`baton ${run}: ${id}`) >= 0, `${id}'s commit is on ${integration}`);
    assert.ok(at(`baton ${run}: c`) > at(`baton ${run}: a`) && at(`baton ${run}: c`) > at(`baton ${run}: b`));
    assert.equal(await git(['ls-tree', '--name-only', integration]), 'README.md\na.txt\nb.txt\nc.txt');

    // Nothing outside the worktrees was touched; after the run no worktree is left, the branches stay.
    assert.equal(await git(['rev-parse', 'HEAD']), base);
    assert.equal(await git(['status', '--porcelain']), '');
    assert.deepEqual(await worktrees(git), [await realpath(h.cwd)]);
    assert.ok(!existsSync(path.join(h.worktreesDir, run)));
    const branches = (await git(['branch', '--format=%(refname:short)'])).split('\n').sort();
    assert.deepEqual(
      branches,
      ['a', 'b', 'c']
        .map((id) => taskBranch(run, id))
        .concat(integration, 'main')
        .sort(),
    );
  });
});

void test('two parallel tasks edit the same line: the second merge conflicts, the run waits naming the file; a person resolves it, approve completes the run', async () => {
  const edit = (who: string) => ({
    turns: [{ bash: `printf 'hello from ${who}\\n' > README.md` }, { text: `${who} edited README.md` }],
  });
  await withHarness(temporal, { script: { a: edit('a'), b: edit('b') } }, async (h) => {
    const git = await initRepo(h.cwd);
    const handle = await h.start(
      plan(
        'wt-conflict',
        [
          { id: 'a', prompt: 'Greet from a.' },
          { id: 'b', prompt: 'Greet from b.' },
          { id: 'after', prompt: 'Runs once both are in.', dependsOn: ['a', 'b'] },
        ],
        { workspace: worktree },
      ),
    );
    const waiting = await untilConflict(h, handle, 'a merge conflict');
    const loser = waiting.tasks.find((t) => t.state === 'merge-conflict')!;
    const winner = loser.id === 'a' ? 'b' : 'a';
    assert.equal(taskOf(waiting, winner).state, 'succeeded');
    assert.equal(taskOf(waiting, 'after').state, 'pending', 'the dependent waits for the conflict');
    assert.equal(loser.errorType, 'MergeConflict');
    assert.match(loser.error ?? '', /conflicts in README\.md/);
    assert.equal(waiting.waitingOn.length, 1, waiting.waitingOn.join('\n'));
    assert.match(
      waiting.waitingOn[0]!,
      new RegExp(`^task ${loser.id}: merge conflict in README\\.md — resolve and commit in `),
    );
    assert.equal(waiting.phase, 'running');

    // The person resolves it where the conflicted merge waits: the integration branch's worktree.
    const where = path.join(h.worktreesDir, handle.workflowId, '_integration');
    assert.match(await readFile(path.join(where, 'README.md'), 'utf8'), /<<<<<<<[\s\S]*>>>>>>>/);
    await writeFile(path.join(where, 'README.md'), 'hello from a and b\n');
    await git(['add', 'README.md'], where);
    await git(['commit', '--quiet', '--no-edit'], where);
    const approved = await handle.executeUpdate(approveUpdate, {
      args: [{ taskId: loser.id, note: 'merged by hand' }],
    });
    assert.equal(taskOf(approved, loser.id).state, 'succeeded', describeStatus(approved));

    const final = await h.result(handle);
    assert.equal(final.phase, 'completed', describeStatus(final));
    assert.deepEqual(statesOf(final), { a: 'succeeded', b: 'succeeded', after: 'succeeded' });
    const integration = integrationBranch(handle.workflowId);
    assert.equal(await git(['show', `${integration}:README.md`]), 'hello from a and b');
    assert.deepEqual(await worktrees(git), [await realpath(h.cwd)]);
  });
});

void test('approve without resolving the conflict leaves the task in merge-conflict, still naming the file', async () => {
  await withHarness(temporal, { script: rivals }, async (h) => {
    const { handle, loser } = await conflictingRun(h, 'wt-unresolved');
    const answer = await handle.executeUpdate(approveUpdate, { args: [{ taskId: loser }] });
    assert.equal(taskOf(answer, loser).state, 'merge-conflict', describeStatus(answer));
    assert.match(answer.waitingOn.join('\n'), /merge conflict in README\.md/);
  });
});

void test('retryTask on a merge conflict: an agent resolves it in its own worktree and the run completes', async () => {
  await withHarness(temporal, { script: rivals }, async (h) => {
    const { git, handle, loser } = await conflictingRun(h, 'wt-resolver');
    h.fake.setScript(loser, { turns: [{ bash: "printf 'a and b\\n' > README.md" }, { text: 'resolved' }] });
    await handle.executeUpdate(retryTaskUpdate, { args: [{ taskId: loser }] });
    const final = await h.result(handle);
    assert.equal(final.phase, 'completed', describeStatus(final));
    const resolver = h.fake.requestsFor(loser).at(-1)!;
    assert.match(resolver.firstUserText, /conflict markers: README\.md/);
    assert.equal(await git(['show', `${integrationBranch(handle.workflowId)}:README.md`]), 'a and b');
    assert.deepEqual(await worktrees(git), [await realpath(h.cwd)]);
  });
});

void test('a worker SIGKILLed during a task: the retry finds the worktree with the partial work', async () => {
  // Before the kill: the first step, then a slow second one (the worker dies while it waits).
  const beforeKill = {
    turns: [{ bash: 'echo partial > partial.txt' }, { bash: 'cat partial.txt > final.txt' }, { text: 'finished' }],
    delayMs: 6000,
  };
  // The resumed conversation goes on at turn 1 or 2 (claude may record the interrupted turn): either way the
  // second step runs, then the agent ends.
  const afterKill = {
    turns: [
      { text: 'not expected: the first step again' },
      { bash: 'cat partial.txt > final.txt' },
      { bash: 'cat partial.txt > final.txt' },
      { text: 'finished' },
    ],
  };
  await withScene({ work: beforeKill }, async (s) => {
    const git = await initRepo(s.cwd);
    const first = startWorker(s, temporal.address);
    await first.ready;
    const handle = await startRun(
      temporal.client,
      s,
      {
        version: 1,
        name: 'wt-kill',
        workspace: worktree,
        defaults: { timeout: '5m', retries: 3 },
        tasks: [{ id: 'work', prompt: 'Work in two steps.', expectedOutputs: ['final.txt'] }],
      },
      { heartbeatTimeout: '3s' },
    );
    const folder = path.join(s.root, 'worktrees', handle.workflowId, 'work');
    await until('the partial work in the worktree', () => existsSync(path.join(folder, 'partial.txt')), 60_000);
    await until('the second turn', () => s.fake.requestsFor('work').some((r) => r.assistantTurns >= 1));
    await sleep(2500); // a heartbeat carrying the first turn reaches Temporal
    first.child.kill('SIGKILL');
    const killedAt = (await first.exited).at;
    assert.ok(!existsSync(path.join(folder, 'final.txt')), 'killed before the second step');

    s.fake.setScript('work', afterKill);
    const second = startWorker(s, temporal.address);
    try {
      const final = await finalStatus(handle);
      assert.equal(final?.phase, 'completed', JSON.stringify(final?.tasks));
      assert.ok((final?.tasks[0]?.attempts ?? 0) >= 2, 'a second attempt');
      assert.ok(resumedRequests(s.fake, 'work').length >= 1, 'the retry continued the conversation');
      assert.ok(
        !s.fake.requestsFor('work').some((r) => r.assistantTurns === 0 && r.receivedAt > killedAt),
        'the retry did not start over',
      );
      // The second step read the first step's file: the retry ran in the same worktree.
      const branch = taskBranch(handle.workflowId, 'work');
      assert.equal(await git(['show', `${branch}:final.txt`]), 'partial');
      assert.equal(await git(['show', `${integrationBranch(handle.workflowId)}:final.txt`]), 'partial');
      const status = await handle.query(statusQuery).catch(() => null);
      assert.ok(status === null || status.phase === 'completed');
      assert.deepEqual(await worktrees(git), [await realpath(s.cwd)]);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });
});

void test("verify runs in the task's worktree before its commit: the fix of a failed check is committed and merged", async () => {
  // Its first answer writes work.txt; the check wants fixed.txt too, which the agent writes once told (DESIGN §11).
  const turns = [
    { write: { path: 'work.txt', content: 'work\n' } },
    { text: 'done' },
    { write: { path: 'fixed.txt', content: 'fixed\n' } },
    { text: 'fixed' },
  ];
  await withHarness(temporal, { script: { v: { turns } } }, async (h) => {
    const git = await initRepo(h.cwd);
    const check = "process.exit(require('fs').existsSync('fixed.txt') && require('fs').existsSync('work.txt') ? 0 : 1)";
    const handle = await h.start(
      plan('wt-verify', [{ id: 'v', prompt: 'Work.', verify: [[process.execPath, '-e', check]] }], {
        workspace: worktree,
      }),
    );
    const final = await h.result(handle);
    assert.equal(final.phase, 'completed', describeStatus(final));
    const v = taskOf(final, 'v');
    assert.deepEqual({ passed: v.verification?.passed, rounds: v.verification?.rounds }, { passed: true, rounds: 2 });
    // The round that failed ran in the worktree (work.txt was there, fixed.txt not yet), never in the repository.
    const first = await readFile(v.verification!.outputPath.replace(/verify-1\.log$/, 'verify-0.log'), 'utf8');
    assert.match(first, /exit code 1/);
    assert.equal(existsSync(path.join(h.cwd, 'work.txt')), false);
    assert.equal(
      await git(['ls-tree', '--name-only', integrationBranch(handle.workflowId)]),
      'README.md\nfixed.txt\nwork.txt',
    );
  });
});
