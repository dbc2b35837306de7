// examples/diamond.yaml on a real Temporal cluster (DESIGN.md §12): the server built from its Go module, on
// PostgreSQL, with 4 history shards and a namespace fresh from registration. First `baton start`, then a
// `baton worker` that registers baton's search attributes itself and at once takes the run's first workflow task;
// then `baton run --rehearse` all in one. Both run the plan to its end: every task succeeds on one attempt, its
// agent started once, its file written, and no workflow task failed (one that sets a search attribute the
// server's caches do not know yet fails with BadSearchAttributes).
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { ensureSearchAttributes } from '../../src/workers/search-attributes.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { describeResult, jsonOf, type Sandbox } from '../helpers/cli.js';
import {
  clusterSceneForAllTests,
  DIAMOND_OUTPUTS,
  DIAMOND_TASKS,
  diamondSandbox,
  diamondScript,
  runHistory,
  startDiamond,
} from './cluster-scene.js';

const scene = clusterSceneForAllTests('diamond.test');

/** Every task succeeded on its one attempt, wrote its file, and started its agent once; no workflow task failed. */
async function checkRun(final: RunStatus, box: Sandbox): Promise<void> {
  const { cluster } = scene;
  assert.equal(final.phase, 'completed');
  assert.deepEqual(
    final.tasks.map((t) => [t.id, t.state, t.attempts]),
    DIAMOND_TASKS.map((id) => [id, 'succeeded', 1]),
  );
  for (const file of Object.values(DIAMOND_OUTPUTS)) await access(path.join(box.cwd, file));
  const history = await runHistory(cluster, final.runId);
  assert.deepEqual(history.agentStarts, Object.fromEntries(DIAMOND_TASKS.map((id) => [id, 1])), 'agent starts');
  assert.deepEqual(history.workflowTaskFailures, [], 'failed workflow tasks');
}

void test('baton start, then a baton worker on the fresh namespace: the diamond completes, every task once, no workflow task failed', async () => {
  const started = Date.now();
  const run = await startDiamond('cluster-start', scene.cluster, diamondScript());
  try {
    await checkRun(await run.result(), run.box);
    console.log(`[cluster] diamond via start + worker: ${Date.now() - started} ms`);
  } finally {
    await run.close();
  }
});

void test('baton run --rehearse examples/diamond.yaml on a 4-shard PostgreSQL cluster completes: every task once, no workflow task failed', async () => {
  const box = await diamondSandbox('cluster-run', scene.cluster);
  try {
    const runId = `cluster-run-${Date.now().toString(36)}`;
    const run = await box.baton(['run', '--rehearse', 'diamond.yaml', '--id', runId, '--json'], { timeoutMs: 180_000 });
    assert.equal(run.exitCode, 0, describeResult(run));
    await checkRun(jsonOf<RunStatus>(run), box);
    console.log(`[cluster] diamond via run --rehearse: baton run took ${run.durationMs} ms`);
  } finally {
    await box.cleanup();
  }
});

void test('on a namespace fresh from registration, the search-attribute check returns only once a query naming them is accepted', async () => {
  const connection = await Connection.connect({ address: scene.cluster.address });
  try {
    const namespace = `fresh-${Date.now().toString(36)}`;
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
    const started = Date.now();
    assert.deepEqual(await ensureSearchAttributes(connection, namespace), ['BatonPhase', 'BatonWaiting']);
    const waitedMs = Date.now() - started;
    const query = "BatonPhase = 'running' AND BatonWaiting = true";
    const { count } = await connection.workflowService.countWorkflowExecutions({ namespace, query });
    assert.equal(Number(count), 0);
    console.log(`[cluster] search attributes usable ${waitedMs} ms after the check began`);
  } finally {
    await connection.close();
  }
});
