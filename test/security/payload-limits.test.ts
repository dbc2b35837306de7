// Issue 19, finding 4 — interventions without limits; issue 20 item 7 — refused signals nobody sees. On a real
// worker and Temporal server: guide signals of 1.4 MB are refused (text fields at most 16 KB), never carried into
// the run's state, so continue-as-new stays small and status keeps answering; each refusal is kept in status
// (`refusals`, payload trimmed, at most 20) and in the Web UI's current details, `temporal workflow signal`'s too.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import {
  WorkflowUpdateFailedError,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { execa } from 'execa';
import { addTasksSignal, guideSignal, guideUpdate } from '../../src/workflows/messages.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { TEMPORAL_CLI } from '../helpers/attacker.js';
import type { TestTemporal } from '../helpers/temporal.js';
import { plan, withHarness, workflowTemporal, type Harness } from '../helpers/workflow-harness.js';

let temporal: TestTemporal;
before(async () => {
  temporal = await workflowTemporal();
});
after(async () => {
  await temporal.close();
});

async function currentDetails(handle: WorkflowHandle): Promise<string> {
  const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return metadata.currentDetails ?? '';
}

/** Bytes of the input each continue-as-new of the run's history carried. */
async function continueAsNewInputs(h: Harness, handle: WorkflowHandleWithFirstExecutionRunId): Promise<number[]> {
  const history = await h.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.workflowExecutionContinuedAsNewEventAttributes)
    .map((e) =>
      (e.workflowExecutionContinuedAsNewEventAttributes?.input?.payloads ?? []).reduce(
        (sum, p) => sum + (p.data?.length ?? 0),
        0,
      ),
    );
}

void test('guide signals of 1.4 MB are refused and never carried: continue-as-new stays small, status answers and lists each refusal', async () => {
  await withHarness(temporal, {}, async (h) => {
    // The task waits for approval, so the run idles and continues as new after a few events.
    const handle = await h.start(plan('limits', [{ id: 'gated', prompt: 'Wait.', approval: 'before' }]), {
      continueAsNewAfterEvents: 40,
    });
    await h.waitFor(handle, (s) => s.waitingOn.length > 0, 'the approval gate');
    const huge = 'x'.repeat(1_400_000);
    for (let i = 0; i < 3; i++) await handle.signal(guideSignal, { taskId: 'gated', message: huge });
    const status = await h.waitFor(handle, (s) => s.refusals.length >= 3, 'three refusals in status', 30_000);
    for (const refusal of status.refusals) {
      assert.equal(refusal.operation, 'guide');
      assert.match(refusal.reason, /message is 1368 KB; at most 16 KB is accepted/);
      assert.ok(refusal.payload.length < 400, `the payload is trimmed (${refusal.payload.length} characters)`);
      assert.match(refusal.at, /^\d{4}-\d\d-\d\dT/);
    }
    // An addTasks payload over 256 KB is refused whole, however it is made.
    const tasks = Array.from({ length: 30 }, (_, i) => ({ id: `t${i}`, prompt: 'y'.repeat(10_000) }));
    await handle.signal(addTasksSignal, { tasks });
    const added = await h.waitFor(handle, (s) => s.refusals.length >= 4, 'the addTasks refusal');
    assert.match(added.refusals.at(-1)?.reason ?? '', /the addTasks payload is \d+ KB; at most 256 KB is accepted/);
    assert.equal(added.tasks.length, 1, 'no task was added');

    // The update says why to its caller, and leaves nothing in history.
    await assert.rejects(
      handle.executeUpdate(guideUpdate, { args: [{ taskId: 'gated', message: 'z'.repeat(20_000) }] }),
      (err: unknown) => err instanceof WorkflowUpdateFailedError && /message is 20 KB/.test(err.cause?.message ?? ''),
    );

    // Continue-as-new happens while it waits, with refusals carried and no payload of megabytes.
    await h.waitFor(handle, () => true, 'status answers');
    const deadline = Date.now() + 30_000;
    let carried: number[] = [];
    while (Date.now() < deadline && carried.length === 0) {
      // Each signal or query wakes nothing; a small refused signal adds events until continue-as-new.
      await handle.signal(guideSignal, { taskId: 'nope', message: 'more' });
      await new Promise((r) => setTimeout(r, 200));
      carried = await continueAsNewInputs(h, handle);
    }
    assert.ok(carried.length > 0, 'the run continued as new');
    assert.ok(Math.max(...carried) < 64_000, `continue-as-new carried ${carried.join(', ')} bytes`);
    const after: RunStatus = await h.status(handle);
    assert.ok(after.refusals.length >= 5 && after.refusals.length <= 20, `${after.refusals.length} refusals`);
    assert.equal(after.tasks[0]?.state, 'awaiting-approval');
  });
});

void test("a signal refused from `temporal workflow signal` shows in status and in the Web UI's current details", async () => {
  await withHarness(temporal, {}, async (h) => {
    const handle = await h.start(plan('seen', [{ id: 'gated', prompt: 'Wait.', approval: 'before' }]));
    await h.waitFor(handle, (s) => s.waitingOn.length > 0, 'the approval gate');
    const signal = await execa(
      TEMPORAL_CLI,
      [
        'workflow',
        'signal',
        '--address',
        temporal.address,
        '--workflow-id',
        handle.workflowId,
        '--name',
        'retryTask',
        '--input',
        JSON.stringify({ taskId: 'gated', note: `why-${randomBytes(3).toString('hex')}` }),
      ],
      { reject: false, stdin: 'ignore' },
    );
    assert.equal(signal.exitCode, 0, `temporal says the signal succeeded: ${signal.stderr}`);
    const status = await h.waitFor(handle, (s) => s.refusals.length === 1, 'the refusal in status');
    const refusal = status.refusals[0]!;
    assert.equal(refusal.operation, 'retryTask');
    assert.match(refusal.reason, /task gated is awaiting-approval, not failed or cancelled/);
    assert.match(refusal.payload, /"taskId":"gated"/);
    const details = await currentDetails(handle);
    assert.match(details, /^Refused signals \(latest last\):$/m, details);
    assert.match(details, /^- \S+ retryTask: task gated is awaiting-approval, not failed or cancelled$/m, details);
  });
});
