// Issue 19, finding 3 — the workflow trusts its input. Runs started around baton's CLI (here the SDK, as the Web
// UI or `temporal workflow start` would) on a real worker and the suite's Temporal server: an invalid plan ends
// at once as failed with type InvalidPlan, non-retryable, its problems listed — never a run stuck in `running`,
// never a workflow task retried forever — and a task id never reaches a path or git unsanitised.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ApplicationFailure, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { attemptPaths } from '../../src/activities/artifact-paths.js';
import { taskBranch, taskWorktree } from '../../src/activities/workspace/names.js';
import { WORKFLOW_TYPE } from '../../src/client/runs.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { completePlan } from '../helpers/attacker.js';
import { tempRepo } from '../helpers/git-repo.js';
import type { TestTemporal } from '../helpers/temporal.js';
import { withHarness, workflowTemporal, type Harness } from '../helpers/workflow-harness.js';

let temporal: TestTemporal;
before(async () => {
  temporal = await workflowTemporal();
});
after(async () => {
  await temporal.close();
});

async function startRaw(h: Harness, input: unknown): Promise<WorkflowHandle> {
  return await h.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: h.taskQueue,
    workflowId: `raw-${randomBytes(4).toString('hex')}`,
    args: [input],
  });
}

/** The run's failure within `ms`: it must end, not wait or retry its workflow task. */
async function failureOf(handle: WorkflowHandle, ms = 15_000): Promise<ApplicationFailure> {
  const ended = handle.result().then(
    () => assert.fail('the run completed'),
    (err: unknown) => err,
  );
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(async () => {
      const d = await handle.describe().catch(() => undefined);
      reject(new Error(`the run had not ended after ${ms} ms (${d?.status.name}, history ${d?.historyLength})`));
    }, ms).unref(),
  );
  const err = await Promise.race([ended, timeout]);
  assert.ok(err instanceof WorkflowFailedError, String(err));
  assert.ok(err.cause instanceof ApplicationFailure, String(err.cause));
  return err.cause;
}

void test('a cyclic plan started around the CLI fails at once as InvalidPlan naming the cycle, instead of waiting in running', async () => {
  await withHarness(temporal, {}, async (h) => {
    const plan = completePlan('cycle', h.cwd, [
      { id: 'a', prompt: 'A.', dependsOn: ['b'] },
      { id: 'b', prompt: 'B.', dependsOn: ['a'] },
    ]);
    const failure = await failureOf(await startRaw(h, { plan }));
    assert.equal(failure.type, 'InvalidPlan');
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, /dependency cycle: a → b → a/);
    // `baton result` reads the final status from the failure, as for every run that ends.
    const status = failure.details?.[0] as RunStatus;
    assert.equal(status.phase, 'failed');
    assert.match(status.reason ?? '', /invalid plan/);
    assert.equal(h.fake.requestsFor('a').length + h.fake.requestsFor('b').length, 0);
  });
});

void test('junk input fails the run at once as InvalidPlan: no workflow task failing in a loop', async () => {
  await withHarness(temporal, {}, async (h) => {
    for (const [input, expected] of [
      [{ plan: { tasks: 'junk' } }, /plan\.tasks: expected a list/],
      [{ plan: { version: 1, name: 'x', tasks: [{ id: 'a' }] } }, /plan\.tasks\[0\]\.prompt: is required/],
      ['just a string', /the input must be an object/],
      [{ carried: 'not packed state' }, /carried: is not state this workflow carried/],
      [{ goal: 'g', options: { retryInitialInterval: 'soon' } }, /options\.retryInitialInterval/],
    ] as const) {
      const handle = await startRaw(h, input);
      const failure = await failureOf(handle);
      assert.equal(failure.type, 'InvalidPlan', JSON.stringify(input));
      assert.match(failure.message, expected);
      const history = await handle.fetchHistory();
      const failedTasks = (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes);
      assert.equal(failedTasks.length, 0, `${JSON.stringify(input)}: a workflow task failed`);
    }
  });
});

void test('a task id such as ../../x never reaches git worktree add: the plan is refused, and paths are sanitised whatever the input', async () => {
  const repo = await tempRepo();
  try {
    await withHarness(temporal, {}, async (h) => {
      const plan = completePlan('escape', repo.repo, [{ id: '../../x', prompt: 'Escape.' }], {
        workspace: { repo: repo.repo, isolation: 'worktree' },
      });
      const failure = await failureOf(await startRaw(h, { plan }));
      assert.equal(failure.type, 'InvalidPlan');
      assert.match(failure.message, /plan\.tasks\[0\]\.id: must be 1–63 characters/);
      // <worktrees>/<run>/../../x is the harness's own folder: nothing was made there.
      assert.deepEqual(
        (await readdir(h.root)).filter((name) => name === 'x'),
        [],
      );
      assert.equal(await repo.git(['branch', '--list', 'baton/*']), '', 'no branch was made');
    });
  } finally {
    await repo.remove();
  }
  // Whatever reaches them, the helpers keep an id one segment inside baton's folders.
  for (const id of ['../../../../x', '..', '.', '', 'a/b', 'team:x']) {
    const folder = taskWorktree('/srv/wt', 'run-1', id);
    assert.equal(path.dirname(folder), '/srv/wt/run-1', `${JSON.stringify(id)} → ${folder}`);
    assert.doesNotMatch(taskBranch('run-1', id).slice('baton/run-1/'.length), /\/|\.\./);
  }
  const folderOf = (runId: string) => attemptPaths('/srv/a', { runId, taskId: 't', generation: 1, attempt: 1 }).dir;
  assert.notEqual(folderOf('team:x'), folderOf('team/x'));
});
