// What the Temporal Web UI shows: a summary on every agent activity, and the run's current details
// as a markdown table of task states.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import { approveUpdate } from '../../src/workflows/messages.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import { describeStatus, plan, withHarness, workflowTemporal } from '../helpers/workflow-harness.js';

const temporal = forAllTests(workflowTemporal);

async function currentDetails(handle: WorkflowHandle): Promise<string> {
  const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return metadata.currentDetails ?? '';
}

void test("every agent activity carries a summary, and the run's current details are a table of task states", async () => {
  const script = { build: { turns: [{ text: 'built it | all of it' }] }, ship: { turns: [{ text: 'shipped' }] } };
  await withHarness(temporal, { script }, async (h) => {
    const handle = await h.start(
      plan(
        'ui',
        [
          { id: 'build', prompt: 'Build.', agent: 'coder' },
          { id: 'ship', prompt: 'Ship.', dependsOn: ['build'], approval: 'before' },
        ],
        {
          agents: { coder: { description: 'Writes code', prompt: 'You write code.' } },
        },
      ),
    );
    // While the run waits on a person, the details say so.
    await h.waitFor(handle, (s) => s.waitingOn.length > 0, 'the approval gate');
    const waiting = await currentDetails(handle);
    assert.match(waiting, /^\*\*running\*\* — 2 tasks: awaiting-approval 1 · succeeded 1 — cost \$0\.01$/m);
    // The commands name the run, so they can be copied as they are.
    assert.ok(
      waiting.includes(
        `Waiting on a person:\n- task ship: approval to start — baton approve ${handle.workflowId} ship\n`,
      ),
      waiting,
    );
    assert.match(waiting, /^\| task \| state \| attempts \| cost \| note \|\n\|---\|---\|---\|---\|---\|$/m);
    assert.match(waiting, /^\| ship \| awaiting-approval \| 0 \| \$0\.00 \|  \|$/m);
    // A "|" in a result must not break the table.
    assert.match(waiting, /^\| build \| succeeded \| 1 \| \$0\.01 \| built it \\\| all of it \|$/m);

    await handle.executeUpdate(approveUpdate, { args: [{ taskId: 'ship' }] });
    const final = await h.result(handle);
    assert.equal(final.phase, 'completed', describeStatus(final));
    const done = await currentDetails(handle);
    assert.match(done, /^\*\*completed\*\* — 2 tasks: succeeded 2 — cost \$0\.02$/m);
    assert.match(done, /^\| ship \| succeeded \| 1 \| \$0\.01 \| shipped \|$/m);
    assert.doesNotMatch(done, /Waiting on a person/);

    const history = await handle.fetchHistory();
    const summaries = (history.events ?? [])
      .filter((e) => e.activityTaskScheduledEventAttributes)
      .map((e) => {
        const payload = e.userMetadata?.summary;
        return payload ? defaultPayloadConverter.fromPayload<string>(payload) : null;
      });
    assert.deepEqual(summaries, [
      'build · run 1 · coder',
      'notify · the run waits on a person',
      'ship · run 1 · claude',
    ]);
  });
});
