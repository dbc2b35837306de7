// The plan-level verify (DESIGN.md §11) end to end: the real claude against the scripted model, real git
// repositories, the real Temporal dev server. After each task's merge the plan's commands run on the integration
// branch; a failure undoes the merge and leaves the task verification-failed, its dependents not started, until a
// person approves (the merge is re-applied as is), retries (its agent's conversation goes on, told what failed, and
// the merge is verified again) or skips it (its dependents go on without its work).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { integrationBranch, taskBranch } from '../../src/activities/workspace/names.js';
import { approveUpdate, retryTaskUpdate, skipTaskUpdate } from '../../src/workflows/messages.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import { initRepo } from '../helpers/git-repo.js';
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

/** Fails (exit 3, naming them) while a .txt file of the integration branch holds "bad". */
const CHECK = [
  "const fs = require('fs');",
  "const bad = fs.readdirSync('.').filter((f) => f.endsWith('.txt') && fs.readFileSync(f, 'utf8').includes('bad'));",
  "if (bad.length > 0) { console.log('bad files: ' + bad.join(',')); process.exit(3); }",
].join(' ');

const withVerify = { workspace: { isolation: 'worktree' as const }, verify: [[process.execPath, '-e', CHECK]] };

const writes = (file: string, content: string) => ({
  turns: [{ write: { path: file, content: `${content}\n` } }, { text: `wrote ${file}` }],
});

type Git = (args: string[]) => Promise<string>;

/** Whether the integration branch holds the task's branch (its merge). */
async function merged(git: Git, run: string, taskId: string): Promise<boolean> {
  const ancestor = await git(['merge-base', '--is-ancestor', taskBranch(run, taskId), integrationBranch(run)]).then(
    () => true,
    () => false,
  );
  return ancestor;
}

async function untilVerificationFailed(h: Harness, handle: WorkflowHandle, id: string): Promise<RunStatus> {
  return await h.waitFor(handle, (s) => taskOf(s, id).state === 'verification-failed', `${id} verification-failed`);
}

/** What every verification-failed task shows: the failure, its kind, the output, the merge undone, the wait. */
async function assertWaiting(h: Harness, git: Git, s: RunStatus, id: string, dependent: string): Promise<void> {
  const run = s.runId;
  const t = taskOf(s, id);
  assert.equal(t.errorKind, 'verification', describeStatus(s));
  assert.equal(t.errorType, 'VerificationFailed');
  assert.match(t.error ?? '', /the plan's verify failed on baton\/.*\/integration after the merge of this task/);
  assert.match(t.error ?? '', /exited with exit code 3/);
  assert.equal(t.verification?.passed, false);
  assert.match(t.verification?.outputPath ?? '', new RegExp(`${id}/g1/plan-verify\\.log$`));
  assert.match(await readFile(t.verification!.outputPath, 'utf8'), new RegExp(`bad files: ${id}\\.txt`));
  // The merge was made, then undone: the task's branch has its commit, the integration branch does not.
  assert.equal(await git(['show', `${taskBranch(run, id)}:${id}.txt`]), 'bad');
  assert.equal(await merged(git, run, id), false, 'the integration branch no longer holds the task');
  assert.doesNotMatch(await git(['ls-tree', '--name-only', integrationBranch(run)]), new RegExp(`${id}\\.txt`));
  // Its dependents wait, and the run says for whom and how.
  assert.equal(statesOf(s)[dependent], 'pending');
  assert.equal(h.fake.requestsFor(dependent).length, 0, `${dependent} did not start`);
  assert.equal(s.phase, 'running');
  const line = s.waitingOn.find((w) => w.startsWith(`task ${id}:`)) ?? '';
  assert.match(line, /plan's verify failed after its merge \(undone\)/, s.waitingOn.join('\n'));
  for (const command of ['approve', 'retry', 'skip']) assert.match(line, new RegExp(`baton ${command} <run> ${id}`));
}

void test('approve a verification-failed task: its merge is re-applied without verifying, its dependent runs, the run completes', async () => {
  const script = {
    a: writes('a.txt', 'bad'),
    // The dependent mends a.txt, so the branch passes the check again after its own merge.
    d: { turns: [{ bash: "printf 'good\\n' > a.txt" }, { text: 'mended a.txt' }] },
  };
  await withHarness(temporal, { script }, async (h) => {
    const git = await initRepo(h.cwd);
    const handle = await h.start(
      plan(
        'pv-approve',
        [
          { id: 'a', prompt: 'Write a.txt.' },
          { id: 'd', prompt: 'Mend a.txt.', dependsOn: ['a'] },
        ],
        withVerify,
      ),
    );
    const waiting = await untilVerificationFailed(h, handle, 'a');
    await assertWaiting(h, git, waiting, 'a', 'd');

    const approved = await handle.executeUpdate(approveUpdate, { args: [{ taskId: 'a' }] });
    assert.equal(taskOf(approved, 'a').state, 'succeeded', describeStatus(approved));
    assert.equal(await merged(git, handle.workflowId, 'a'), true, 'the approval merged a again');
    const final = await h.result(handle);
    assert.equal(final.phase, 'completed', describeStatus(final));
    assert.equal(taskOf(final, 'd').verification?.passed, true);
    assert.equal(h.fake.requestsFor('a').filter((r) => r.assistantTurns === 0).length, 1, 'a ran once');
    assert.equal(await git(['show', `${integrationBranch(handle.workflowId)}:a.txt`]), 'good');
  });
});

void test("retry a verification-failed task: its agent's conversation goes on with the failure, the new merge passes, the run completes", async () => {
  const script = {
    r: {
      turns: [
        { write: { path: 'r.txt', content: 'bad\n' } },
        { text: 'wrote r.txt' },
        { bash: "printf 'fine\\n' > r.txt" },
        { text: 'fixed r.txt' },
      ],
    },
    after: writes('after.txt', 'after'),
  };
  await withHarness(temporal, { script }, async (h) => {
    const git = await initRepo(h.cwd);
    const handle = await h.start(
      plan(
        'pv-retry',
        [
          { id: 'r', prompt: 'Write r.txt.' },
          { id: 'after', prompt: 'Write after.txt.', dependsOn: ['r'] },
        ],
        withVerify,
      ),
    );
    await assertWaiting(h, git, await untilVerificationFailed(h, handle, 'r'), 'r', 'after');

    await handle.executeUpdate(retryTaskUpdate, { args: [{ taskId: 'r', note: 'Keep r.txt short.' }] });
    const final = await h.result(handle);
    assert.equal(final.phase, 'completed', describeStatus(final));
    const r = taskOf(final, 'r');
    assert.equal(r.verification?.passed, true);
    assert.match(r.verification?.outputPath ?? '', /r\/g2\/plan-verify\.log$/);
    // The retry continued the conversation (two answers in it already), told what failed and the person's note.
    const fix = h.fake.requestsFor('r').find((q) => q.lastUserText.includes('Verification failed'));
    assert.ok(fix, JSON.stringify(h.fake.requestsFor('r').map((q) => q.lastUserText)));
    assert.ok(fix.assistantTurns >= 2, 'the retry resumed the conversation');
    assert.match(fix.lastUserText, /bad files: r\.txt/);
    assert.match(fix.lastUserText, /Keep r\.txt short\./);
    assert.equal(await merged(git, handle.workflowId, 'r'), true);
    assert.equal(await git(['show', `${integrationBranch(handle.workflowId)}:r.txt`]), 'fine');
    assert.equal(await git(['show', `${integrationBranch(handle.workflowId)}:after.txt`]), 'after');
  });
});

void test('skip a verification-failed task: its merge stays undone, its dependent runs without its work, the run completes', async () => {
  const script = { s: writes('s.txt', 'bad'), t: writes('t.txt', 'fine') };
  await withHarness(temporal, { script }, async (h) => {
    const git = await initRepo(h.cwd);
    const handle = await h.start(
      plan(
        'pv-skip',
        [
          { id: 's', prompt: 'Write s.txt.' },
          { id: 't', prompt: 'Write t.txt.', dependsOn: ['s'] },
        ],
        withVerify,
      ),
    );
    await assertWaiting(h, git, await untilVerificationFailed(h, handle, 's'), 's', 't');

    await handle.executeUpdate(skipTaskUpdate, { args: [{ taskId: 's', reason: 'not needed' }] });
    const final = await h.result(handle);
    assert.equal(final.phase, 'completed', describeStatus(final));
    assert.deepEqual(statesOf(final), { s: 'skipped', t: 'succeeded' });
    const run = handle.workflowId;
    assert.equal(await merged(git, run, 's'), false, "s's merge stays undone");
    assert.equal(await git(['ls-tree', '--name-only', integrationBranch(run)]), 'README.md\nt.txt');
    assert.equal(await git(['ls-tree', '--name-only', taskBranch(run, 't')]), 'README.md\nt.txt', 't built without s');
  });
});
