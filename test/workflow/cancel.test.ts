// Cancelling a run (Temporal cancel) kills its agents and everything they started, and still accounts
// for every task.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { SETTLED_STATES } from '../../src/workflows/status.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import {
  describeStatus,
  plan,
  processesOf,
  statesOf,
  withHarness,
  workflowTemporal,
} from '../helpers/workflow-harness.js';

const temporal = forAllTests(workflowTemporal);

void test('cancelling the run while agents hang ends it cancelled, every task settled, no claude or child process left', async () => {
  // A unique sleep length marks the Bash tool's command in /proc.
  const sleepFor = `900.${process.pid}`;
  const script = {
    quick: { turns: [{ text: 'quick done' }] },
    hangs: { hang: true },
    sleeper: { turns: [{ bash: `sleep ${sleepFor}` }, { text: 'slept' }] },
  };
  await withHarness(temporal, { script }, async (h) => {
    const handle = await h.start(
      plan('cancel-me', [
        { id: 'quick', prompt: 'Quick.' },
        { id: 'hangs', prompt: 'The model never answers.' },
        { id: 'sleeper', prompt: 'Runs a long command.' },
        { id: 'waits', prompt: 'Needs hangs.', dependsOn: ['hangs'] },
      ]),
    );
    await h.waitFor(handle, (s) => s.tasks[0]?.state === 'succeeded', 'quick to succeed');
    // Positive control: while the agents run, the scan finds them, the Bash command among them.
    const deadline = Date.now() + 20_000;
    let live: string[] = [];
    for (;;) {
      live = await processesOf(h.root);
      const hanging = h.fake.requestsFor('hangs').length > 0;
      if (hanging && live.some((p) => p.includes(`sleep ${sleepFor}`))) break;
      assert.ok(Date.now() < deadline, `agents never got going; processes: ${live.join('; ')}`);
      await sleep(100);
    }
    assert.ok(live.filter((p) => /claude/.test(p)).length >= 2, `two claude processes: ${live.join('; ')}`);

    await handle.cancel();
    await assert.rejects(handle.result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError, String(err));
      assert.ok(err.cause instanceof CancelledFailure, String(err.cause));
      return true;
    });
    // The run is closed: its agents must already be gone, not "soon".
    const left = await processesOf(h.root);
    assert.deepEqual(left, [], 'processes left after the run was cancelled');

    assert.equal((await handle.describe()).status.name, 'CANCELLED');
    const final = await h.result(handle);
    assert.equal(final.phase, 'cancelled', describeStatus(final));
    assert.deepEqual(statesOf(final), {
      quick: 'succeeded',
      hangs: 'cancelled',
      sleeper: 'cancelled',
      waits: 'blocked',
    });
    assert.ok(
      final.tasks.every((t) => SETTLED_STATES.includes(t.state)),
      describeStatus(final),
    );
    assert.ok(final.endedAt !== null);
    assert.equal(final.reason, 'cancelled');
  });
});
