// PostgreSQL restarted under a running cluster (DESIGN.md §12): examples/diamond.yaml runs on the 4-shard cluster
// with `baton start` + `baton worker`; once the first task has finished and both reviews are between turns,
// PostgreSQL stops (a fast shutdown, as an operator's restart) and starts again 3 s later. The run completes:
// every task succeeds, the task finished before the restart ran once, and every agent reached its end once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { clusterScene, DIAMOND_TASKS, diamondThrough, type ClusterScene } from './cluster-scene.js';

let scene: ClusterScene;
before(async () => {
  scene = await clusterScene();
});
after(async () => {
  await scene?.close();
  console.log(`[cluster] postgres-restart.test: ${scene?.elapsedMs()} ms in all`);
});

void test('PostgreSQL restarted mid-run: the diamond completes, the finished task ran once, every agent reached its end once', async () => {
  const { postgres } = scene.cluster;
  const outcome = await diamondThrough('cluster-pg', scene.cluster, async () => {
    await postgres.stop('fast');
    await sleep(3_000);
    await postgres.start();
  });
  const { final, history } = outcome;
  assert.equal(final.phase, 'completed', JSON.stringify(final.tasks.map((t) => [t.id, t.state, t.error])));
  assert.deepEqual(
    final.tasks.map((t) => [t.id, t.state]),
    DIAMOND_TASKS.map((id) => [id, 'succeeded']),
  );
  assert.equal(history.agentStarts['map-endpoints'], 1, 'map-endpoints, finished before the restart, started once');
  assert.equal(outcome.firstTaskRequests, 2);
  assert.deepEqual(
    outcome.pastFirst,
    Object.fromEntries(DIAMOND_TASKS.map((id) => [id, 1])),
    'agents past their first answer',
  );
  console.log(
    `[cluster] PostgreSQL restart: down ${outcome.downMs} ms, run ended ${outcome.afterMs} ms later; ` +
      `agent starts ${JSON.stringify(history.agentStarts)}, failed workflow tasks ${history.workflowTaskFailures.length}`,
  );
});
