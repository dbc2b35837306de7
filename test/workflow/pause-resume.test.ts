// pause stops the scheduler, not the work: the task that runs when the run is paused finishes, no other task
// starts until resume (proved from the model's request log), and resume lets the rest run to the end.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pauseUpdate, resumeUpdate } from '../../src/workflows/messages.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import { describeStatus, plan, statesOf, withHarness, workflowTemporal } from '../helpers/workflow-harness.js';

const temporal = forAllTests(workflowTemporal);

/** How long the paused run is watched for a task that should not start. */
const HELD_MS = 2_000;

void test('pause lets the running task finish and starts no new one until resume; resume runs the rest', async () => {
  const script = {
    first: { delayMs: 1_000, turns: [{ text: 'first done' }] },
    second: { turns: [{ text: 'second done' }] },
    third: { turns: [{ text: 'third done' }] },
  };
  await withHarness(temporal, { script }, async (h) => {
    // One at a time: second and third are ready and would start the moment first ends.
    const handle = await h.start(
      plan(
        'pause',
        [
          { id: 'first', prompt: 'Slow.' },
          { id: 'second', prompt: 'Ready next.' },
          { id: 'third', prompt: 'Ready after that.' },
        ],
        { maxParallel: 1 },
      ),
    );
    const deadline = Date.now() + 20_000;
    while (h.fake.requestsFor('first').length === 0) {
      assert.ok(Date.now() < deadline, 'first never reached the model');
      await sleep(20);
    }
    const paused = await handle.executeUpdate(pauseUpdate, { args: [{}] });
    const pausedAt = Date.now();
    assert.equal(paused.phase, 'paused', describeStatus(paused));
    assert.deepEqual(statesOf(paused), { first: 'running', second: 'ready', third: 'ready' });
    assert.deepEqual(paused.waitingOn, ['paused — baton resume <run>']);

    // The running task finishes while paused; nothing else starts.
    const finished = await h.waitFor(handle, (s) => s.tasks[0]?.state === 'succeeded', 'first to finish while paused');
    assert.equal(finished.phase, 'paused', describeStatus(finished));
    await sleep(HELD_MS);
    const held = await h.status(handle);
    assert.deepEqual(statesOf(held), { first: 'succeeded', second: 'ready', third: 'ready' }, describeStatus(held));
    const started = h.fake.log.filter((e) => e.key !== null && e.key !== 'first' && e.receivedAt >= pausedAt);
    assert.deepEqual(
      started.map((e) => e.key),
      [],
      'no task reached the model between pause and resume',
    );

    const resumedAt = Date.now();
    const resumed = await handle.executeUpdate(resumeUpdate, { args: [{}] });
    assert.notEqual(resumed.phase, 'paused');
    const final = await h.result(handle);
    assert.equal(final.phase, 'completed', describeStatus(final));
    for (const key of ['second', 'third']) {
      const first = h.fake.requestsFor(key)[0];
      assert.ok(first && first.receivedAt >= resumedAt, `${key} started after resume`);
    }
  });
});
