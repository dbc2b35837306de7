// Chaos (issue 5, item 1): a worker is SIGKILLed while three agents are mid-conversation; a new worker takes
// over. The run completes, no task that had succeeded runs again, the interrupted agents resume their Claude
// conversations (the scripted model sees the earlier turns), and nothing of the dead worker lives on.
// Real Temporal dev server, real claude binary, scripted model; the figures are printed as `[chaos]` lines.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { finalStatus } from '../../src/client/runs.js';
import { statusQuery } from '../../src/workflows/messages.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import { processesOf } from '../helpers/workflow-harness.js';
import { testTemporal } from '../helpers/temporal.js';
import {
  fanInPlan,
  fanInScript,
  report,
  resumedRequests,
  SLOW,
  startRun,
  startWorker,
  twoTurns,
  until,
  untilSlowAgentsMidConversation,
  withScene,
} from './chaos.js';

const temporal = forAllTests(testTemporal);

void describe('chaos: a worker killed with SIGKILL mid-run', () => {
  void it('completes on a new worker: succeeded tasks never rerun, interrupted agents resume their sessions', async () => {
    // Slow answers keep the three agents mid-conversation: the kill lands while their second request waits.
    await withScene(fanInScript(6000), async (s) => {
      const first = startWorker(s, temporal.address);
      await first.ready;
      const handle = await startRun(temporal.client, s, fanInPlan('chaos-kill', 3), { heartbeatTimeout: '3s' });
      await untilSlowAgentsMidConversation(s, handle, 'the three slow agents to be in their second turn');
      // Let a heartbeat carrying the first turn reach Temporal (heartbeats go out every second).
      await sleep(2500);
      const mid = await handle.query(statusQuery);
      assert.deepEqual(
        SLOW.map((id) => mid.tasks.find((t) => t.id === id)?.state),
        ['running', 'running', 'running'],
      );
      assert.ok((await processesOf(s.root)).length >= 3, 'the agents run before the kill');

      first.child.kill('SIGKILL');
      const killedAt = (await first.exited).at;
      // The agents die with their worker (parent-death signal on their PID namespace), at once.
      const survivors = await until(
        'the dead worker’s agents to be gone',
        async () => ((await processesOf(s.root)).length === 0 ? [] : undefined),
        10_000,
      ).catch(async () => await processesOf(s.root));
      assert.deepEqual(survivors, [], 'no claude or tool process outlives a SIGKILLed worker');
      const orphansGoneMs = Date.now() - killedAt;

      for (const id of SLOW) s.fake.setScript(id, twoTurns(id)); // answer at once from now on
      const second = startWorker(s, temporal.address);
      const readyAt = await second.ready;
      const final = await finalStatus(handle);
      assert.ok(final, 'the run has a final status');
      assert.equal(final.phase, 'completed', JSON.stringify(final.tasks.map((t) => [t.id, t.state, t.error])));

      // Succeeded before the kill: never asked again.
      assert.equal(s.fake.requestsFor('early').length, 1, 'early ran once');
      assert.equal(s.fake.requestsFor('final').length, 1, 'final ran once');
      const firstResumed: number[] = [];
      for (const id of SLOW) {
        const resumed = resumedRequests(s.fake, id);
        assert.ok(resumed.length >= 1, `${id} resumed its conversation`);
        assert.match(resumed[0]!.firstUserText, new RegExp(`Work slowly on ${id}`), `${id}: the earlier prompt`);
        firstResumed.push(resumed[0]!.receivedAt);
        const task = final.tasks.find((t) => t.id === id)!;
        assert.ok(task.attempts >= 2, `${id} took a second attempt`);
        // The Bash turn ran once: the resumed agent did not start over.
        assert.equal(await readFile(path.join(s.cwd, `${id}.txt`), 'utf8'), `${id}\n`);
      }
      second.child.kill('SIGTERM');
      await second.exited;
      assert.deepEqual(await processesOf(s.root), []);
      report('worker SIGKILL', {
        newWorkerStartToFirstResumedRequestMs: Math.min(...firstResumed) - second.spawnedAt,
        newWorkerReadyToFirstResumedRequestMs: Math.min(...firstResumed) - readyAt,
        killToFirstResumedRequestMs: Math.min(...firstResumed) - killedAt,
        orphansGoneWithinMs: orphansGoneMs,
        heartbeatTimeout: '3s',
        requests: Object.fromEntries(['early', ...SLOW, 'final'].map((id) => [id, s.fake.requestsFor(id).length])),
        attempts: Object.fromEntries(final.tasks.map((t) => [t.id, t.attempts])),
      });
    });
  });
});
