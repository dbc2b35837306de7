// PostgreSQL restarted under a running cluster (DESIGN.md §12): examples/diamond.yaml runs on the 4-shard cluster
// with `baton start` + `baton worker`; once the first task has finished and both reviews are between turns,
// PostgreSQL stops (a fast shutdown, as an operator's restart) and starts again 3 s later. The run completes:
// every task succeeds, the task finished before the restart ran once, and every agent reached its end once.
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertRecovered, clusterSceneForAllTests, diamondThrough } from './cluster-scene.js';

const scene = clusterSceneForAllTests('postgres-restart.test');

void test('PostgreSQL restarted mid-run: the diamond completes, the finished task ran once, every agent reached its end once', async () => {
  const { postgres } = scene.cluster;
  const outcome = await diamondThrough('cluster-pg', scene.cluster, async () => {
    await postgres.stop('fast');
    await sleep(3_000);
    await postgres.start();
  });
  assertRecovered(outcome, 'the restart');
  const { history } = outcome;
  console.log(
    `[cluster] PostgreSQL restart: down ${outcome.downMs} ms, run ended ${outcome.afterMs} ms later; ` +
      `agent starts ${JSON.stringify(history.agentStarts)}, failed workflow tasks ${history.workflowTaskFailures.length}`,
  );
});
