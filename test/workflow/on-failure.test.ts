// onFailure: fail ends the run at the first failure, cancelling what runs and starting nothing more;
// onFailure: continue runs everything reachable and ends failed with the failures reported.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { SETTLED_STATES } from '../../src/workflows/status.js';
import { rejectionOf } from '../helpers/failures.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import { describeStatus, plan, statesOf, taskOf, withHarness, workflowTemporal } from '../helpers/workflow-harness.js';

const temporal = forAllTests(workflowTemporal);

async function runFailure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await rejectionOf(promise, 'the run should have failed');
  assert.ok(err instanceof WorkflowFailedError, String(err));
  assert.ok(err.cause instanceof ApplicationFailure, String(err.cause));
  return err.cause;
}

void test('onFailure fail: the run fails, running tasks are cancelled, nothing new starts, every task is accounted for', async () => {
  const script = {
    // Fails (400) while `slow` is running and `queued` waits for room.
    doomed: { delayMs: 1500, failFirst: [{ status: 400, message: 'bad input' }] },
    slow: { hang: true },
    queued: { turns: [{ text: 'queued done' }] },
    child: { turns: [{ text: 'child done' }] },
  };
  await withHarness(temporal, { script }, async (h) => {
    const handle = await h.start(
      plan(
        'fail-fast',
        [
          { id: 'doomed', prompt: 'Fails.' },
          { id: 'slow', prompt: 'Hangs.' },
          { id: 'queued', prompt: 'Waits for room.' },
          { id: 'child', prompt: 'Needs doomed.', dependsOn: ['doomed'] },
        ],
        { onFailure: 'fail', maxParallel: 2 },
      ),
    );
    const failure = await runFailure(handle.result());
    assert.equal(failure.type, 'RunFailed');
    const final = await h.result(handle);
    assert.equal(final.phase, 'failed', describeStatus(final));
    assert.deepEqual(statesOf(final), { doomed: 'failed', slow: 'cancelled', queued: 'cancelled', child: 'blocked' });
    assert.ok(
      final.tasks.every((t) => SETTLED_STATES.includes(t.state)),
      describeStatus(final),
    );
    assert.equal(
      failure.message,
      '4 of 4 tasks did not succeed: doomed (failed), slow (cancelled), queued (cancelled), child (blocked)',
    );
    assert.equal(taskOf(final, 'doomed').errorType, 'AgentBadRequest');
    // Its activity was cancelled (a task that never started has no errorType).
    assert.equal(taskOf(final, 'slow').errorType, 'Cancelled');
    assert.equal(taskOf(final, 'slow').attempts, 1);
    // The failure freed a slot, but a failing run must not start anything more.
    const queued = taskOf(final, 'queued');
    assert.equal(queued.attempts, 0, describeStatus(final));
    assert.equal(queued.startedAt, null);
    assert.equal(queued.error, 'cancelled: task doomed failed and onFailure is "fail"');
    assert.equal(h.fake.requestsFor('queued').length, 0);
    assert.equal(h.fake.requestsFor('child').length, 0);
  });
});

void test('onFailure continue: everything reachable runs, the run ends failed and reports the failures', async () => {
  const script = {
    bad: { failFirst: [{ status: 400, message: 'nope' }] },
    'good-a': { delayMs: 800, turns: [{ text: 'a done' }] },
    'good-b': { turns: [{ text: 'b done' }] },
  };
  await withHarness(temporal, { script }, async (h) => {
    const handle = await h.start(
      plan(
        'keep-going',
        [
          { id: 'bad', prompt: 'Fails.' },
          { id: 'bad-child', prompt: 'Needs bad.', dependsOn: ['bad'] },
          { id: 'bad-grandchild', prompt: 'Needs bad-child.', dependsOn: ['bad-child'] },
          { id: 'good-a', prompt: 'Works slowly.' },
          { id: 'good-b', prompt: 'Needs good-a.', dependsOn: ['good-a'] },
        ],
        { onFailure: 'continue' },
      ),
    );
    const failure = await runFailure(handle.result());
    assert.equal(failure.type, 'RunFailed');
    assert.equal(
      failure.message,
      '3 of 5 tasks did not succeed: bad (failed), bad-child (blocked), bad-grandchild (blocked)',
    );
    const final = await h.result(handle);
    assert.equal(final.phase, 'failed');
    assert.deepEqual(statesOf(final), {
      bad: 'failed',
      'bad-child': 'blocked',
      'bad-grandchild': 'blocked',
      'good-a': 'succeeded',
      'good-b': 'succeeded',
    });
    assert.equal(taskOf(final, 'bad').errorType, 'AgentBadRequest');
    assert.equal(taskOf(final, 'bad').error, 'the model API answered 400 Bad Request: nope; retrying cannot help');
    assert.deepEqual(final.waitingOn, [], 'continue does not wait on a person');
    assert.ok(final.endedAt !== null);
    // good-b started after bad had failed: the failure did not stop the run.
    const badFailedAt = h.fake.requestsFor('bad')[0]?.answeredAt ?? Infinity;
    assert.ok((h.fake.requestsFor('good-b')[0]?.receivedAt ?? 0) > badFailedAt);
  });
});
