// The worker's Prometheus endpoint (BATON_METRICS_PORT) serves Temporal's runtime metrics and baton's own
// counters while a run is going on: scraped mid-run (one agent still running), then after the end.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startRun } from '../../src/client/runs.js';
import { resolvePlanPaths } from '../../src/plan/resolve.js';
import { PlanSchema } from '../../src/plan/schema.js';
import { FakeModel } from '../../src/rehearsal/fake-model.js';
import { loadMetricsConfig } from '../../src/config/metrics.js';
import { BUCKETS, runtimeTelemetry } from '../../src/workers/metrics.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { freePort } from '../helpers/cli.js';
import { tempFolderForAllTests } from '../helpers/for-all-tests.js';
import { testTemporal, type TestTemporal } from '../helpers/temporal.js';
import { agentFolders, testWorker } from '../helpers/workflow-harness.js';

const COST_PER_REQUEST_USD = 0.01;

let temporal: TestTemporal;
const root = tempFolderForAllTests('baton-metrics-');
let metricsUrl: string;

before(async () => {
  const port = await freePort();
  // As `baton worker` does with BATON_METRICS_PORT: the runtime gets a Prometheus exporter before anything starts.
  const telemetryOptions = runtimeTelemetry(loadMetricsConfig({ BATON_METRICS_PORT: String(port) }));
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions });
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  temporal = await testTemporal();
});
after(async () => {
  await temporal.close();
});

void test('metrics are off unless BATON_METRICS_PORT is set, and a bad port is refused', () => {
  assert.equal(runtimeTelemetry(loadMetricsConfig({})), undefined);
  assert.throws(() => loadMetricsConfig({ BATON_METRICS_PORT: 'http' }), /BATON_METRICS_PORT/);
  assert.deepEqual(runtimeTelemetry(loadMetricsConfig({ BATON_METRICS_PORT: '9464', BATON_METRICS_HOST: '0.0.0.0' })), {
    metrics: {
      prometheus: { bindAddress: '0.0.0.0:9464', countersTotalSuffix: true, histogramBucketOverrides: BUCKETS },
    },
  });
});

void test("mid-run, the endpoint serves baton's counters (attempts, tasks finished, agents running, cost, duration) and Temporal's", async () => {
  const { cwd, configDir, artifactsDir } = await agentFolders(root);
  const fake = await FakeModel.start({
    rehearse: false,
    costPerRequestUsd: COST_PER_REQUEST_USD,
    script: {
      quick: { turns: [{ text: 'quick done' }] },
      // One 429 first: Temporal retries it (an attempt that will be retried).
      flaky: { failFirst: [{ status: 429 }], turns: [{ text: 'flaky done' }] },
      // Slow enough to scrape while it runs.
      slow: { delayMs: 4000, turns: [{ text: 'slow done' }] },
    },
  });
  const taskQueue = `metrics-${randomBytes(4).toString('hex')}`;
  try {
    const worker = await testWorker(temporal, { taskQueue, fake, configDir, artifactsDir });
    const plan = resolvePlanPaths(
      PlanSchema.parse({
        version: 1,
        name: 'metered',
        defaults: { timeout: '60s', retries: 2 },
        tasks: [
          { id: 'quick', prompt: 'Be quick.' },
          { id: 'flaky', prompt: 'Fail once.' },
          { id: 'slow', prompt: 'Take your time.', dependsOn: ['quick', 'flaky'] },
        ],
      }),
      cwd,
    );
    const { midRun, final } = await worker.runUntil(async () => {
      const handle = await startRun(temporal.client, {
        plan,
        taskQueue,
        options: { cwd, retryInitialInterval: '100ms' },
      });
      // Mid-run: quick and flaky are done, slow's agent is running.
      const midRun = await scrapeUntil(
        (m) => value(m, 'baton_tasks_finished_total', { state: 'succeeded' }) === 2 && runningNow(m) === 1,
        'two tasks finished and one agent running',
      );
      const final = (await handle.result()) as RunStatus;
      return { midRun, final };
    });
    assert.equal(final.phase, 'completed');

    const labels = { taskQueue, activityType: 'runAgent' };
    assert.equal(value(midRun, 'baton_agent_attempts_total', { ...labels, outcome: 'succeeded' }), 2);
    assert.equal(value(midRun, 'baton_agent_attempts_total', { ...labels, outcome: 'retrying' }), 1, 'the 429');
    assert.equal(value(midRun, 'baton_tasks_finished_total', { ...labels, state: 'succeeded' }), 2);
    assert.equal(runningNow(midRun), 1);
    assert.equal(value(midRun, 'baton_agent_duration_count', labels), 3, 'three attempts timed');
    const midCost = value(midRun, 'baton_agent_cost_usd_sum', labels);
    assert.ok(midCost !== undefined && Math.abs(midCost - 2 * COST_PER_REQUEST_USD) < 1e-6, `cost so far ${midCost}`);
    // Temporal's own runtime metrics are on the same endpoint.
    assert.ok(
      [...midRun.keys()].some((name) => name.startsWith('temporal_')),
      "Temporal's runtime metrics are served",
    );

    const end = await scrape();
    assert.equal(value(end, 'baton_tasks_finished_total', { ...labels, state: 'succeeded' }), 3);
    assert.equal(runningNow(end), 0);
    const endCost = value(end, 'baton_agent_cost_usd_sum', labels);
    // Cost buckets are in dollars, not Temporal's default millisecond buckets.
    assert.equal(value(end, 'baton_agent_cost_usd_bucket', { ...labels, le: '0.01' }), 4, 'every attempt cost ≤ $0.01');
    assert.ok(endCost !== undefined && Math.abs(endCost - final.costUsd) < 1e-6, `${endCost} vs run ${final.costUsd}`);
    console.log(
      `mid-run: ${value(midRun, 'baton_agent_attempts_total', { outcome: 'succeeded' })} attempts succeeded, 1 retrying, 1 agent running; end: cost ${endCost} USD`,
    );
  } finally {
    await fake.stop();
  }
});

type Metrics = Map<string, Array<{ labels: Record<string, string>; value: number }>>;

async function scrape(): Promise<Metrics> {
  const response = await fetch(metricsUrl);
  assert.equal(response.status, 200);
  return parsePrometheus(await response.text());
}

async function scrapeUntil(predicate: (m: Metrics) => boolean, what: string, timeoutMs = 30_000): Promise<Metrics> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const metrics = await scrape();
    if (predicate(metrics)) return metrics;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The sum of the series of `name` whose labels include `labels`; undefined when there is none. */
function value(metrics: Metrics, name: string, labels: Record<string, string> = {}): number | undefined {
  const series = (metrics.get(name) ?? []).filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return series.length === 0 ? undefined : series.reduce((sum, s) => sum + s.value, 0);
}

function runningNow(metrics: Metrics): number | undefined {
  return value(metrics, 'baton_agents_running');
}

/** Prometheus text format: `name{a="b",…} value` lines. */
function parsePrometheus(body: string): Metrics {
  const metrics: Metrics = new Map();
  for (const line of body.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match || line.startsWith('#')) continue;
    const labels = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    const list = metrics.get(match[1]!) ?? [];
    list.push({ labels: labels as Record<string, string>, value: Number(match[3]) });
    metrics.set(match[1]!, list);
  }
  return metrics;
}
