// cancelTask stops a task's whole process tree — claude and the command its Bash tool runs — the task is
// `cancelled`, its dependent blocked; retryTask then runs it again, it succeeds, and the run completes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { cancelTaskUpdate, retryTaskUpdate } from '../../src/workflows/messages.js';
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

void test("cancelTask kills the agent's process tree (claude and its Bash command); retryTask re-runs the task to success", async () => {
  // A unique sleep length marks the agent's child command in /proc.
  const sleepFor = `700.${process.pid}`;
  const script = {
    sleeper: { turns: [{ bash: `sleep ${sleepFor}` }, { text: 'slept' }] },
    after: { turns: [{ text: 'after done' }] },
  };
  await withHarness(temporal, { script }, async (h) => {
    const handle = await h.start(
      plan('cancel-tree', [
        { id: 'sleeper', prompt: 'Runs a long command.' },
        { id: 'after', prompt: 'Needs sleeper.', dependsOn: ['sleeper'] },
      ]),
    );
    const deadline = Date.now() + 30_000;
    let tree: string[] = [];
    while (!tree.some((p) => p.includes(`sleep ${sleepFor}`))) {
      assert.ok(Date.now() < deadline, `the Bash tool never ran the command; processes: ${tree.join('\n')}`);
      await sleep(100);
      tree = await processesOf(h.root);
    }
    assert.ok(tree.length >= 2, `claude and its command run:\n${tree.join('\n')}`);

    const cancelled = await handle.executeUpdate(cancelTaskUpdate, { args: [{ taskId: 'sleeper' }] });
    assert.deepEqual(statesOf(cancelled), { sleeper: 'cancelled', after: 'blocked' }, describeStatus(cancelled));
    assert.equal(taskOf(cancelled, 'sleeper').errorType, 'Cancelled');
    assert.deepEqual(await processesOf(h.root), [], 'no process of the agent is left once cancelTask has answered');

    // The second attempt answers at once: Done without running the command.
    h.fake.setScript('sleeper', { turns: [{ text: 'sleeper done' }] });
    const retried = await handle.executeUpdate(retryTaskUpdate, { args: [{ taskId: 'sleeper' }] });
    assert.ok(['ready', 'running'].includes(taskOf(retried, 'sleeper').state), describeStatus(retried));
    const final = await h.result(handle);
    assert.equal(final.phase, 'completed', describeStatus(final));
    assert.deepEqual(statesOf(final), { sleeper: 'succeeded', after: 'succeeded' });
    assert.equal(taskOf(final, 'sleeper').summary, 'sleeper done');
    assert.equal(taskOf(final, 'sleeper').attempts, 2, 'the cancelled attempt and the retried one');
    assert.match(h.fake.requestsFor('after')[0]!.firstUserText, /sleeper done/);
  });
});
