// Chaos with plans within plans (issue 15): a worker is SIGKILLed while agents of a sub-plan and of its own
// sub-plan (a grandchild run) are mid-conversation; a new worker takes over. Nothing is lost: the child runs are
// not started again, what had succeeded is not asked again, the interrupted agents resume their conversations,
// and the parent task's summary is its sub-plan's synthesis. Real Temporal, real claude, scripted model.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { finalStatus } from '../../src/client/runs.js';
import type { PlanInput } from '../../src/plan/schema.js';
import { statusQuery } from '../../src/workflows/messages.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import { testTemporal } from '../helpers/temporal.js';
import { processesOf } from '../helpers/workflow-harness.js';
import { report, resumedRequests, startRun, startWorker, twoTurns, until, withScene } from './chaos.js';

const temporal = forAllTests(testTemporal);

/** The agents the kill interrupts: one in the child run (`sub`), one in the grandchild run (`sub/deeper`). */
const SLOW = ['inner-a', 'inner-b'];

const PLAN: PlanInput = {
  version: 1,
  name: 'chaos-tree',
  defaults: { timeout: '5m', retries: 3 },
  tasks: [
    { id: 'early', prompt: 'Be quick.' },
    {
      id: 'sub',
      dependsOn: ['early'],
      plan: {
        tasks: [
          { id: 'inner-a', prompt: 'Work slowly on inner-a.' },
          { id: 'deeper', plan: { tasks: [{ id: 'inner-b', prompt: 'Work slowly on inner-b.' }] } },
        ],
      },
    },
    { id: 'final', prompt: 'Sum up.', dependsOn: ['sub'] },
  ],
};

void describe('chaos: a worker killed with SIGKILL while sub-plans run', () => {
  void it('completes on a new worker: child runs go on, nothing done runs again, interrupted agents resume', async () => {
    const script = {
      early: { turns: [{ text: 'early done' }] },
      final: { turns: [{ text: 'final done' }] },
      ...Object.fromEntries(SLOW.map((id) => [id, twoTurns(id, 6000)])),
    };
    await withScene(script, async (s) => {
      const first = startWorker(s, temporal.address);
      await first.ready;
      const handle = await startRun(temporal.client, s, PLAN, { heartbeatTimeout: '3s' });
      await until('both slow agents to be in their second turn', () =>
        SLOW.every((id) => s.fake.requestsFor(id).some((r) => r.assistantTurns >= 1)),
      );
      await sleep(2500); // a heartbeat carrying the first turn reaches Temporal
      const mid = await handle.query(statusQuery);
      const stateOf = (id: string) => mid.tasks.find((t) => t.id === id)?.state;
      assert.deepEqual(
        ['sub', 'sub/inner-a', 'sub/deeper', 'sub/deeper/inner-b'].map(stateOf),
        ['running', 'running', 'running', 'running'],
        JSON.stringify(mid.tasks.map((t) => [t.id, t.state])),
      );

      first.child.kill('SIGKILL');
      const killedAt = (await first.exited).at;
      await until('the dead worker’s agents to be gone', async () => (await processesOf(s.root)).length === 0, 10_000);
      for (const id of SLOW) s.fake.setScript(id, twoTurns(id)); // answer at once from now on
      const second = startWorker(s, temporal.address);
      await second.ready;

      const final = await finalStatus(handle);
      assert.ok(final, 'the run has a final status');
      assert.equal(final.phase, 'completed', JSON.stringify(final.tasks.map((t) => [t.id, t.state, t.error])));
      assert.ok(
        final.tasks.every((t) => t.state === 'succeeded'),
        JSON.stringify(final.tasks.map((t) => [t.id, t.state])),
      );
      assert.equal(s.fake.requestsFor('early').length, 1, 'early ran once');
      assert.equal(s.fake.requestsFor('final').length, 1, 'final ran once');
      for (const id of SLOW) {
        assert.ok(resumedRequests(s.fake, id).length >= 1, `${id} resumed its conversation`);
        // The Bash turn ran once: the resumed agent did not start over.
        assert.equal(await readFile(path.join(s.cwd, `${id}.txt`), 'utf8'), `${id}\n`);
      }
      // The child runs were not started again (a second start would be `<run>/sub~2`).
      for (const id of ['sub', 'sub/deeper']) {
        const child = await temporal.client.workflow.getHandle(`${handle.workflowId}/${id}`).describe();
        assert.equal(child.status.name, 'COMPLETED', `${id}'s run completed`);
        assert.equal(final.tasks.find((t) => t.id === id)?.child?.runId, `${handle.workflowId}/${id}`);
      }
      // The parent task's summary is its sub-plan's synthesis, the grandchild's included; and it reached `final`.
      const sub = final.tasks.find((t) => t.id === 'sub');
      assert.match(sub?.summary ?? '', /inner-a finished/);
      assert.match(sub?.summary ?? '', /inner-b finished/);
      assert.match(s.fake.requestsFor('final')[0]!.firstUserText, /inner-b finished/);

      second.child.kill('SIGTERM');
      await second.exited;
      report('worker SIGKILL mid-sub-plan', {
        killToEndMs: Date.now() - killedAt,
        requests: Object.fromEntries(['early', ...SLOW, 'final'].map((id) => [id, s.fake.requestsFor(id).length])),
      });
    });
  });
});
