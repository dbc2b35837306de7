// Interventions arrive from people and scripts: a signal with a bad payload is ignored, an update
// with a bad payload is refused with a message naming the field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  abortSignal,
  addTasksUpdate,
  approveSignal,
  pauseSignal,
  resumeSignal,
  resumeUpdate,
  retryTaskSignal,
  retryTaskUpdate,
} from '../../src/workflows/messages.js';
import { rejectionOf } from '../helpers/failures.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import { describeStatus, plan, statesOf, withHarness, workflowTemporal } from '../helpers/workflow-harness.js';

const temporal = forAllTests(workflowTemporal);

async function refusal(promise: Promise<unknown>): Promise<string> {
  const err = await rejectionOf(promise, 'the update should have been refused');
  assert.ok(err instanceof WorkflowUpdateFailedError, String(err));
  assert.ok(err.cause instanceof ApplicationFailure, String(err.cause));
  assert.equal(err.cause.type, 'Refused');
  return err.cause.message;
}

void test('signals with bad payloads are ignored and the run goes on unaffected', async () => {
  await withHarness(temporal, { script: { gate: { turns: [{ text: 'gate done' }] } } }, async (h) => {
    const handle = await h.start(plan('bad-signals', [{ id: 'gate', prompt: 'Gated.', approval: 'before' }]));
    const before = await h.waitFor(handle, (s) => s.waitingOn.length > 0, 'the approval gate');
    // Signals are not validated by the server: these reach the workflow, which must shrug them off.
    await handle.signal(abortSignal, { reason: 42 } as never);
    await handle.signal(approveSignal, { taskId: 7 } as never);
    await handle.signal(approveSignal, { taskId: 'gate', surprise: true } as never);
    await handle.signal(retryTaskSignal, 'gate' as never);
    // Signals are handled in order: once a good one has taken effect, the bad ones have been seen.
    await handle.signal(pauseSignal, {});
    const after = await h.waitFor(handle, (s) => s.phase === 'paused', 'the good pause signal');
    assert.deepEqual(statesOf(after), { gate: 'awaiting-approval' });
    assert.deepEqual(after.waitingOn, ['paused — baton resume <run>', ...before.waitingOn]);
    assert.equal(after.reason, null, 'not aborted');

    await handle.signal(resumeSignal, {});
    await handle.signal(approveSignal, { taskId: 'gate' });
    const final = await h.result(handle);
    assert.equal(final.phase, 'completed', describeStatus(final));
  });
});

void test('updates with bad payloads are refused with a message naming the field, and change nothing', async () => {
  await withHarness(temporal, { script: {} }, async (h) => {
    const handle = await h.start(plan('bad-updates', [{ id: 'gate', prompt: 'Gated.', approval: 'before' }]));
    await h.waitFor(handle, (s) => s.waitingOn.length > 0, 'the approval gate');

    assert.equal(
      await refusal(handle.executeUpdate(retryTaskUpdate, { args: [{ taskId: 5 } as never] })),
      'bad retryTask payload: taskId must be a task id (a string)',
    );
    assert.match(
      await refusal(handle.executeUpdate(retryTaskUpdate, { args: [{ taskId: 'gate', promt: 'typo' } as never] })),
      /^bad retryTask payload: .*"promt"/,
    );
    assert.equal(
      await refusal(handle.executeUpdate(resumeUpdate, { args: [{ budgetUsd: 'ten' } as never] })),
      'bad resume payload: budgetUsd must be a number',
    );
    assert.match(
      await refusal(handle.executeUpdate(addTasksUpdate, { args: [{ tasks: [{ id: 'New Task', prompt: 'x' }] }] })),
      /^bad addTasks payload: tasks\.0\.id: must be 1–63 characters/,
    );
    const status = await h.status(handle);
    assert.deepEqual(statesOf(status), { gate: 'awaiting-approval' }, 'refused updates change nothing');
    // Refused updates are not written to history: the run's history holds no update at all.
    const history = await handle.fetchHistory();
    assert.equal((history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length, 0);
  });
});
