// Temporal owns retries: a rate-limited agent is retried, a bad request is not. With onFailure: wait the
// failed task blocks its dependents, the run waits on a person, and a retryTask update finishes the run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { retryTaskUpdate } from '../../src/workflows/messages.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import { describeStatus, plan, statesOf, taskOf, withHarness, workflowTemporal } from '../helpers/workflow-harness.js';

const temporal = forAllTests(workflowTemporal);

const BAD_REQUEST = 'max_tokens: 999999 > 64000, which is the maximum allowed for this model';

void test('429 twice then success ends succeeded after 3 attempts; a 400 fails at once, blocks dependents and waits for a retry', async () => {
  const script = {
    flaky: { failFirst: [{ status: 429 }, { status: 429 }], turns: [{ text: 'flaky done' }] },
    // Every request fails until the test fixes the cause: a retry alone would not help.
    broken: { failFirst: Array.from({ length: 10 }, () => ({ status: 400, message: BAD_REQUEST })) },
    child: { turns: [{ text: 'child done' }] },
    grandchild: { turns: [{ text: 'grandchild done' }] },
    unrelated: { delayMs: 500, turns: [{ text: 'unrelated done' }] },
  };
  await withHarness(temporal, { script }, async (h) => {
    const handle = await h.start(
      plan('retries', [
        { id: 'flaky', prompt: 'Rate limited twice.' },
        { id: 'broken', prompt: 'Answered 400.' },
        { id: 'child', prompt: 'Needs broken.', dependsOn: ['broken'] },
        { id: 'grandchild', prompt: 'Needs child.', dependsOn: ['child'] },
        { id: 'unrelated', prompt: 'Independent.' },
      ]),
    );

    const stuck = await h.waitFor(handle, (s) => s.waitingOn.length > 0, 'the run to wait on a person');
    assert.equal(stuck.phase, 'running', describeStatus(stuck));
    assert.deepEqual(statesOf(stuck), {
      flaky: 'succeeded',
      broken: 'failed',
      child: 'blocked',
      grandchild: 'blocked',
      unrelated: 'succeeded',
    });
    const flaky = taskOf(stuck, 'flaky');
    assert.equal(flaky.attempts, 3, 'two 429 attempts and the one that succeeded');
    assert.equal(flaky.summary, 'flaky done');
    assert.deepEqual(
      h.fake.requestsFor('flaky').map((r) => r.status),
      [429, 429, 200],
    );
    const broken = taskOf(stuck, 'broken');
    assert.equal(broken.attempts, 1, 'a 400 is not retried');
    assert.equal(h.fake.requestsFor('broken').length, 1);
    assert.equal(broken.errorType, 'AgentBadRequest');
    assert.equal(broken.error, `the model API answered 400 Bad Request: ${BAD_REQUEST}; retrying cannot help`);
    assert.deepEqual(stuck.waitingOn, ['task broken: failed — baton retry|skip <run> broken, or baton abort <run>']);
    assert.equal(h.fake.requestsFor('child').length, 0, 'a blocked task never starts');

    // A retry of a task that is not failed is refused, and says why.
    await assert.rejects(handle.executeUpdate(retryTaskUpdate, { args: [{ taskId: 'flaky' }] }), (err: unknown) => {
      assert.ok(err instanceof WorkflowUpdateFailedError, String(err));
      assert.equal(err.cause?.message, 'task flaky is succeeded, not failed or cancelled');
      return true;
    });

    h.fake.setScript('broken', { turns: [{ text: 'broken fixed' }] });
    const afterRetry = await handle.executeUpdate(retryTaskUpdate, {
      args: [{ taskId: 'broken', note: 'the prompt was trimmed' }],
    });
    assert.ok(['ready', 'running'].includes(taskOf(afterRetry, 'broken').state), describeStatus(afterRetry));
    assert.deepEqual(afterRetry.waitingOn, []);
    assert.equal(taskOf(afterRetry, 'child').state, 'pending', 'retry un-blocks the dependents');

    const final = await h.result(handle);
    assert.equal(final.phase, 'completed', describeStatus(final));
    assert.ok(
      final.tasks.every((t) => t.state === 'succeeded'),
      describeStatus(final),
    );
    assert.equal(taskOf(final, 'broken').attempts, 2, 'one failed attempt, one after the retry');
    assert.equal(taskOf(final, 'broken').error, null);
    assert.equal(taskOf(final, 'grandchild').summary, 'grandchild done');
    // The note reached the retried attempt's prompt.
    assert.match(h.fake.requestsFor('broken').at(-1)?.firstUserText ?? '', /the prompt was trimmed/);
    // 3 answered requests of flaky... only answered (200) requests cost: flaky 1, broken 1, child, grandchild, unrelated.
    assert.ok(Math.abs(final.costUsd - 0.05) < 1e-6, `cost ${final.costUsd}`);
    console.log(`attempts: ${final.tasks.map((t) => `${t.id}=${t.attempts}`).join(' ')}`);
  });
});
