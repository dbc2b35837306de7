// A person stops one task: cancelTask kills its agent, the run waits on it, skipTask lets the rest go on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { cancelTaskUpdate, skipTaskUpdate } from '../../src/workflows/messages.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import {
  describeStatus,
  plan,
  processesOf,
  statesOf,
  taskOf,
  withHarness,
  workflowTemporal,
} from '../helpers/workflow-harness.js';

const temporal = forAllTests(workflowTemporal);

void test('cancelTask kills a hanging agent and blocks its dependents; skipTask then lets them run', async () => {
  const script = { stuck: { hang: true }, next: { turns: [{ text: 'next done' }] } };
  await withHarness(temporal, { script }, async (h) => {
    const handle = await h.start(
      plan('cancel-one', [
        { id: 'stuck', prompt: 'Hangs.' },
        { id: 'next', prompt: 'Needs stuck.', dependsOn: ['stuck'] },
      ]),
    );
    const deadline = Date.now() + 20_000;
    while (h.fake.requestsFor('stuck').length === 0) {
      assert.ok(Date.now() < deadline, 'the agent never reached the model');
      await sleep(50);
    }
    assert.notDeepEqual(await processesOf(h.root), [], 'the agent runs');

    // The update answers once the agent is gone.
    const cancelled = await handle.executeUpdate(cancelTaskUpdate, { args: [{ taskId: 'stuck' }] });
    assert.deepEqual(statesOf(cancelled), { stuck: 'cancelled', next: 'blocked' }, describeStatus(cancelled));
    assert.equal(taskOf(cancelled, 'stuck').errorType, 'Cancelled');
    assert.deepEqual(await processesOf(h.root), [], 'no process left once cancelTask has answered');
    const waiting = await h.waitFor(handle, (s) => s.waitingOn.length > 0, 'the run to wait on the cancelled task');
    assert.deepEqual(waiting.waitingOn, ['task stuck: cancelled — baton retry|skip <run> stuck, or baton abort <run>']);

    await handle.executeUpdate(skipTaskUpdate, { args: [{ taskId: 'stuck', reason: 'done by hand' }] });
    const final = await h.result(handle);
    assert.equal(final.phase, 'completed', describeStatus(final));
    assert.deepEqual(statesOf(final), { stuck: 'skipped', next: 'succeeded' });
    assert.match(h.fake.requestsFor('next')[0]!.firstUserText, /This task was skipped by a person/);
  });
});

void test('cancelTask on a verifying task stops its verify command; skipTask is refused while it verifies', async () => {
  await withHarness(temporal, { script: { slow: { turns: [{ text: 'done' }] } } }, async (h) => {
    const marker = `verify-cancel-${Date.now()}`;
    const hang = [process.execPath, '-e', `setTimeout(() => {}, 120000) // ${marker}`];
    const handle = await h.start(plan('cancel-verify', [{ id: 'slow', prompt: 'Quick.', verify: [hang] }]));
    await h.waitFor(handle, (s) => taskOf(s, 'slow').state === 'verifying', 'slow verifying', 30_000);
    // The state changes as the verify activity is scheduled; its command starts a moment later.
    const deadline = Date.now() + 20_000;
    while ((await processesOf(marker)).length === 0) {
      assert.ok(Date.now() < deadline, 'the verify command never started');
      await sleep(50);
    }
    const skip = handle.executeUpdate(skipTaskUpdate, { args: [{ taskId: 'slow' }] });
    await assert.rejects(skip, (err: Error & { cause?: Error }) =>
      /task slow is verifying/.test(err.cause?.message ?? ''),
    );
    const cancelled = await handle.executeUpdate(cancelTaskUpdate, { args: [{ taskId: 'slow' }] });
    assert.equal(taskOf(cancelled, 'slow').state, 'cancelled', describeStatus(cancelled));
    assert.deepEqual(await processesOf(marker), [], 'the verify command outlived its cancellation');
  });
});
