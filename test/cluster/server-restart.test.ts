// The Temporal server process SIGKILLed and started again under a running run (DESIGN.md §12): examples/diamond.yaml
// runs on the 4-shard PostgreSQL cluster with `baton start` + `baton worker`; once the first task has finished and
// both reviews are between turns, every service of the server dies at once (a crashed host) and comes back 2 s
// later on the same addresses and databases. The run completes: every task succeeds, the task finished before
// the crash ran once, and every agent reached its end once.
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertRecovered, clusterSceneForAllTests, diamondThrough } from './cluster-scene.js';

const scene = clusterSceneForAllTests('server-restart.test');

void test('the Temporal server killed and restarted mid-run: the diamond completes, the finished task ran once, every agent reached its end once', async () => {
  const { cluster } = scene;
  const outcome = await diamondThrough('cluster-server', cluster, async () => {
    await cluster.killServer();
    await sleep(2_000);
    await cluster.startServer();
  });
  assertRecovered(outcome, 'the crash');
  const { history } = outcome;
  console.log(
    `[cluster] server SIGKILL + restart: down ${outcome.downMs} ms, run ended ${outcome.afterMs} ms later; ` +
      `agent starts ${JSON.stringify(history.agentStarts)}, failed workflow tasks ${history.workflowTaskFailures.length}`,
  );
});
