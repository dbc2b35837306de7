// History stays bounded: the run continues as new, carrying its state, and no task runs twice.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Client } from '@temporalio/client';
import { forAllTests } from '../helpers/for-all-tests.js';
import { describeStatus, plan, withHarness, workflowTemporal } from '../helpers/workflow-harness.js';

const temporal = forAllTests(workflowTemporal);

/** Run ids of a workflow, first to last, following its continue-as-new events. */
async function runChain(client: Client, workflowId: string, firstRunId: string): Promise<string[]> {
  const chain = [firstRunId];
  for (;;) {
    const history = await client.workflow.getHandle(workflowId, chain.at(-1)).fetchHistory();
    const next = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    if (!next) return chain;
    chain.push(next);
  }
}

void test('a 10-task chain continues as new and completes with every task run exactly once', async () => {
  const ids = Array.from({ length: 10 }, (_, i) => `step-${i}`);
  const script = Object.fromEntries(ids.map((id) => [id, { turns: [{ text: `${id} done` }] }]));
  await withHarness(temporal, { script }, async (h) => {
    const handle = await h.start(
      plan(
        'chain',
        ids.map((id, i) => ({ id, prompt: `Step ${i}.`, dependsOn: i === 0 ? [] : [ids[i - 1]!] })),
      ),
      { continueAsNewAfterEvents: 20 },
    );
    const final = await h.result(handle);
    assert.equal(final.phase, 'completed', describeStatus(final));
    assert.deepEqual(
      final.tasks.map((t) => [t.id, t.state, t.attempts]),
      ids.map((id) => [id, 'succeeded', 1]),
    );
    for (const id of ids) assert.equal(h.fake.requestsFor(id).length, 1, `${id} asked the model once`);
    // The carried state reaches the next run: the last step was told what the one before it did.
    assert.match(h.fake.requestsFor('step-9')[0]!.firstUserText, /step-8 done/);
    assert.ok(Math.abs(final.costUsd - 0.1) < 1e-6, `cost carried over runs: ${final.costUsd}`);

    const first = await h.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).describe();
    assert.equal(first.status.name, 'CONTINUED_AS_NEW');
    const chain = await runChain(h.client, handle.workflowId, handle.firstExecutionRunId);
    console.log(`runs of the workflow: ${chain.length}`);
    assert.ok(chain.length >= 2, `continued as new: ${chain.length} runs`);
    assert.equal((await handle.describe()).runId, chain.at(-1));
  });
});
