// Chaos (issue 5, item 2): the Temporal dev server (its database in a file, as `baton`'s embedded one keeps
// it in BATON_HOME) is SIGKILLed while three agents run, and restarted on the same port and database. The
// run completes; no task that had succeeded runs again; interrupted attempts resume their conversations.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { finalStatus } from '../../src/client/runs.js';
import { batonDataConverter } from '../../src/codec/data-converter.js';
import { freePort } from '../helpers/cli.js';
import { processesOf } from '../helpers/workflow-harness.js';
import {
  DevServer,
  fanInPlan,
  fanInScript,
  report,
  resumedRequests,
  scene,
  SLOW,
  startRun,
  startWorker,
  until,
  untilSlowAgentsMidConversation,
  type Scene,
} from './chaos.js';

let s: Scene;
let server: DevServer;
before(async () => {
  s = await scene(fanInScript(5000));
  server = new DevServer(await freePort(), path.join(s.root, 'temporal.db'));
  await server.start();
});
after(async () => {
  await server.kill();
  await s.cleanup();
});

void describe('chaos: the Temporal server killed and restarted mid-run', () => {
  void it('completes with the same guarantees: no succeeded task reruns, every task ends succeeded', async () => {
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection, dataConverter: batonDataConverter(undefined) });
    const worker = startWorker(s, server.address);
    try {
      await worker.ready;
      const handle = await startRun(client, s, fanInPlan('chaos-server', 5), { heartbeatTimeout: '5s' });
      await untilSlowAgentsMidConversation(s, handle, 'the slow agents’ second turns');
      await sleep(1500);

      const killedAt = Date.now();
      await server.kill();
      await sleep(3000); // down for a while: heartbeats and completions fail meanwhile
      await server.start();
      const backAt = Date.now();
      const final = await until(
        'the run to end',
        async () => await finalStatus(handle).catch(() => undefined),
        240_000,
      );
      assert.ok(final);
      assert.equal(final.phase, 'completed', JSON.stringify(final.tasks.map((t) => [t.id, t.state, t.error])));
      assert.equal(s.fake.requestsFor('early').length, 1, 'early, succeeded before the crash, ran once');
      assert.equal(s.fake.requestsFor('final').length, 1);
      const attempts = Object.fromEntries(final.tasks.map((t) => [t.id, t.attempts]));
      for (const id of SLOW) {
        // A retried attempt must have resumed the conversation, not started it over.
        const task = final.tasks.find((t) => t.id === id)!;
        if (task.attempts > 1) assert.ok(resumedRequests(s.fake, id).length >= 1, `${id} resumed`);
      }
      report('server SIGKILL + restart', {
        downMs: backAt - killedAt,
        restartToRunEndMs: Date.now() - backAt,
        attempts,
        resumed: Object.fromEntries(SLOW.map((id) => [id, resumedRequests(s.fake, id).length])),
        requests: Object.fromEntries(['early', ...SLOW, 'final'].map((id) => [id, s.fake.requestsFor(id).length])),
      });
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
      await connection.close();
    }
    // Only the Temporal server (its database is in the scene's folder) may remain.
    const left = (await processesOf(s.root)).filter((line) => !line.includes(`--port ${server.port}`));
    assert.deepEqual(left, []);
  });
});
