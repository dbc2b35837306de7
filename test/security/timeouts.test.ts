// Issue 19, finding 8 — timeouts that hold. The real claude against the scripted model on a real worker: a task
// whose timeout passes while its agent runs fails as timed out, even when claude finishes its answer within the
// grace period after it was told to stop.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestTemporal } from '../helpers/temporal.js';
import { describeStatus, plan, taskOf, withHarness, workflowTemporal } from '../helpers/workflow-harness.js';

let temporal: TestTemporal;
before(async () => {
  temporal = await workflowTemporal();
});
after(async () => {
  await temporal.close();
});

void test('timeout: 0.0001 never "succeeds": claude finishing within the SIGINT grace period is still past the limit', async () => {
  await withHarness(temporal, { script: { quick: { turns: [{ text: 'Done in time?' }] } } }, async (h) => {
    const handle = await h.start(
      plan('quick', [{ id: 'quick', prompt: 'Answer.' }], {
        defaults: { timeout: 0.0001, retries: 1 },
        onFailure: 'fail',
      }),
    );
    const final = await h.result(handle);
    const task = taskOf(final, 'quick');
    assert.equal(task.state, 'failed', describeStatus(final));
    assert.equal(task.errorType, 'AgentTimedOut', task.error ?? '');
    assert.match(task.error ?? '', /ran longer than the task's timeout of 0\.0001/);
    assert.equal(task.attempts, 2, 'each attempt timed out');
  });
});
