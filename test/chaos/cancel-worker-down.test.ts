// Chaos: a run is cancelled (Temporal's own cancellation, as the Web UI's "Request Cancellation") while its only
// worker lies dead with an agent mid-run. The cancellation waits in Temporal's history; the next worker ends the
// run as an abort would: the interrupted task cancelled, the rest settled, Temporal's Canceled with the final status
// in its details, and no process of either worker left. Real Temporal dev server, real claude, scripted model.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { finalStatus } from '../../src/client/runs.js';
import { statusQuery } from '../../src/workflows/messages.js';
import { processesOf } from '../helpers/workflow-harness.js';
import { testTemporal, type TestTemporal } from '../helpers/temporal.js';
import { report, scene, startRun, startWorker, until } from './chaos.js';

let temporal: TestTemporal;
before(async () => {
  temporal = await testTemporal();
});
after(async () => {
  await temporal.close();
});

void describe('chaos: cancelled while its worker is dead', () => {
  void it('the next worker ends the run Canceled, with every task settled and its final status', async () => {
    const s = await scene({ quick: { turns: [{ text: 'quick done' }] }, hang: { hang: true } });
    try {
      const first = startWorker(s, temporal.address);
      await first.ready;
      const plan = {
        version: 1 as const,
        name: 'chaos-cancel',
        defaults: { timeout: '5m', retries: 3 },
        tasks: [
          { id: 'quick', prompt: 'Be quick.' },
          { id: 'hang', prompt: 'Never answered.' },
          { id: 'after', prompt: 'After hang.', dependsOn: ['hang'] },
        ],
      };
      const handle = await startRun(temporal.client, s, plan, { heartbeatTimeout: '3s' });
      await until('quick done and hang running', async () => {
        const status = await handle.query(statusQuery);
        const state = (id: string) => status.tasks.find((t) => t.id === id)?.state;
        return state('quick') === 'succeeded' && state('hang') === 'running' && s.fake.requestsFor('hang').length > 0;
      });

      first.child.kill('SIGKILL');
      const killedAt = (await first.exited).at;
      await handle.cancel();
      assert.equal((await handle.describe()).status.name, 'RUNNING', 'no worker: the cancellation waits');

      const second = startWorker(s, temporal.address);
      await second.ready;
      const final = await finalStatus(handle);
      const endedAt = Date.now();
      assert.ok(final, 'the cancellation carries the final status');
      assert.equal((await handle.describe()).status.name, 'CANCELLED');
      assert.equal(final.phase, 'cancelled');
      assert.equal(final.reason, 'cancelled');
      assert.ok(final.endedAt);
      assert.deepEqual(
        final.tasks.map((t) => [t.id, t.state]),
        [
          ['quick', 'succeeded'],
          ['hang', 'cancelled'],
          ['after', 'blocked'],
        ],
      );
      second.child.kill('SIGTERM');
      await second.exited;
      assert.deepEqual(await processesOf(s.root), [], 'no process of either worker is left');
      report('cancelled while the worker is down', {
        killToCancelledEndMs: endedAt - killedAt,
        heartbeatTimeout: '3s',
      });
    } finally {
      await s.cleanup();
    }
  });
});
