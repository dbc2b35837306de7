// A diamond plan (a → b, c → d) end to end: the built CLI, the suite's real Temporal dev server, the real
// `claude` binary talking to a scripted model in this process. Proves from the model's own request log that
// d starts only after b and c have ended and that b and c really run at the same time, that the agents'
// files are on disk with the scripted content, and that `baton result`/`status --json` report every task
// with its cost and session. Once with `baton run` (all in one), once with `baton start` + `baton worker`.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { FakeModel, type RequestLogEntry, type TaskScript } from '../../src/rehearsal/fake-model.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { describeResult, jsonOf, statusShapeProblems, stopProcess, type Sandbox } from '../helpers/cli.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import { testTemporal } from '../helpers/temporal.js';
import { modelSandbox } from '../helpers/worker-scene.js';

const COST_PER_REQUEST_USD = 0.01;
const PARALLEL_DELAY_MS = 1_500;

const temporal = forAllTests(testTemporal);

/** Task ids with a prefix, so that each test's model script is its own. */
function ids(prefix: string) {
  return { a: `${prefix}-a`, b: `${prefix}-b`, c: `${prefix}-c`, d: `${prefix}-d` };
}

const contentOf = (id: string) => `written by task ${id}\n`;

function diamondPlan(prefix: string): string {
  const t = ids(prefix);
  const task = (id: string, deps: string[]) =>
    [
      `  - id: ${id}`,
      `    title: Task ${id}`,
      `    prompt: Write out/${id}.txt.`,
      `    dependsOn: [${deps.join(', ')}]`,
      `    expectedOutputs: [out/${id}.txt]`,
    ].join('\n');
  return [
    'version: 1',
    `name: diamond-${prefix}`,
    'goal: Prove the DAG order end to end',
    'maxParallel: 4',
    'onFailure: fail',
    'defaults:',
    '  retries: 0',
    '  timeout: 2m',
    'tasks:',
    task(t.a, []),
    task(t.b, [t.a]),
    task(t.c, [t.a]),
    task(t.d, [t.b, t.c]),
    '',
  ].join('\n');
}

/** Each task writes its file (one Write turn), then ends (a text turn); b and c answer slowly. */
function diamondScript(prefix: string): Record<string, TaskScript> {
  const t = ids(prefix);
  const script = (id: string, delayMs = 0): TaskScript => ({
    turns: [{ write: { path: `out/${id}.txt`, content: contentOf(id) } }, { text: `Task ${id} wrote out/${id}.txt.` }],
    delayMs,
  });
  return {
    [t.a]: script(t.a),
    [t.b]: script(t.b, PARALLEL_DELAY_MS),
    [t.c]: script(t.c, PARALLEL_DELAY_MS),
    [t.d]: script(t.d),
  };
}

interface Span {
  firstReceived: number;
  lastAnswered: number;
}

function spanOf(fake: FakeModel, key: string): Span {
  const entries: RequestLogEntry[] = fake.requestsFor(key);
  assert.ok(entries.length >= 2, `task ${key}: expected a Write turn and a final turn, got ${entries.length} requests`);
  for (const e of entries) assert.equal(e.status, 200, `task ${key}: a request was answered with ${e.status}`);
  const answered = entries.map((e) => e.answeredAt);
  assert.ok(
    answered.every((t) => t !== null),
    `task ${key}: a request was never answered`,
  );
  return {
    firstReceived: Math.min(...entries.map((e) => e.receivedAt)),
    lastAnswered: Math.max(...(answered as number[])),
  };
}

export interface DiamondFigures {
  overlapMs: number;
  dAfterBcMs: number;
}

/** The order the model saw: a before b and c; b and c overlapping; d after both. */
function checkOrder(fake: FakeModel, prefix: string): DiamondFigures {
  const t = ids(prefix);
  const [a, b, c, d] = [spanOf(fake, t.a), spanOf(fake, t.b), spanOf(fake, t.c), spanOf(fake, t.d)];
  assert.ok(b.firstReceived >= a.lastAnswered, `b started ${a.lastAnswered - b.firstReceived} ms before a ended`);
  assert.ok(c.firstReceived >= a.lastAnswered, `c started ${a.lastAnswered - c.firstReceived} ms before a ended`);
  const overlapMs = Math.min(b.lastAnswered, c.lastAnswered) - Math.max(b.firstReceived, c.firstReceived);
  assert.ok(overlapMs > 0, `b and c did not overlap: b ${JSON.stringify(b)}, c ${JSON.stringify(c)}`);
  const dAfterBcMs = d.firstReceived - Math.max(b.lastAnswered, c.lastAnswered);
  assert.ok(dAfterBcMs >= 0, `d's first request came ${-dAfterBcMs} ms before b and c had both ended`);
  return { overlapMs, dAfterBcMs };
}

async function checkFiles(box: Sandbox, prefix: string): Promise<void> {
  for (const id of Object.values(ids(prefix))) {
    const text = await readFile(path.join(box.cwd, 'out', `${id}.txt`), 'utf8');
    assert.equal(text, contentOf(id), `out/${id}.txt`);
  }
}

function checkFinal(status: RunStatus, runId: string, prefix: string): void {
  assert.deepEqual(statusShapeProblems(status), [], 'the result has the status JSON shape of DESIGN.md §7');
  assert.equal(status.runId, runId);
  assert.equal(status.phase, 'completed', JSON.stringify(status, null, 2));
  assert.deepEqual(
    status.tasks.map((task) => task.id),
    Object.values(ids(prefix)),
    'every planned task is listed, in plan order',
  );
  for (const task of status.tasks) {
    assert.equal(task.state, 'succeeded', `${task.id}: ${task.error ?? ''}`);
    assert.equal(task.attempts, 1, `${task.id} attempts`);
    // Two answered requests per task, each reported by claude at COST_PER_REQUEST_USD.
    assert.ok(Math.abs(task.costUsd - 2 * COST_PER_REQUEST_USD) < 1e-6, `${task.id} cost ${task.costUsd}`);
    assert.match(task.sessionId ?? '', /^[0-9a-f-]{36}$/, `${task.id} has a session id`);
    assert.ok(task.startedAt && task.endedAt, `${task.id} has start and end times`);
    assert.match(task.summary ?? '', new RegExp(`Task ${task.id} wrote`), `${task.id} summary`);
  }
  assert.ok(Math.abs(status.costUsd - 8 * COST_PER_REQUEST_USD) < 1e-6, `run cost ${status.costUsd}`);
}

async function setup(prefix: string): Promise<{ box: Sandbox; fake: FakeModel; runId: string }> {
  const fake = await FakeModel.start({ script: diamondScript(prefix), costPerRequestUsd: COST_PER_REQUEST_USD });
  const box = await modelSandbox(prefix, fake, { TEMPORAL_ADDRESS: temporal.address });
  await writeFile(path.join(box.cwd, 'plan.yaml'), diamondPlan(prefix));
  return { box, fake, runId: `baton-e2e-${prefix}-${Date.now().toString(36)}` };
}

void test('baton run: a diamond runs b and c in parallel, d after both, and reports every task with cost and session', async () => {
  const prefix = 'run';
  const { box, fake, runId } = await setup(prefix);
  try {
    const run = await box.baton(['run', 'plan.yaml', '--id', runId, '--json']);
    assert.equal(run.exitCode, 0, describeResult(run));
    const final = jsonOf<RunStatus>(run);
    checkFinal(final, runId, prefix);
    const figures = checkOrder(fake, prefix);
    await checkFiles(box, prefix);
    // Progress goes to stderr, so stdout is exactly the JSON.
    assert.match(run.stderr, new RegExp(`${runId} started: 4 tasks`));

    const result = await box.baton(['result', runId, '--json']);
    assert.equal(result.exitCode, 0, describeResult(result));
    checkFinal(jsonOf<RunStatus>(result), runId, prefix);

    const status = await box.baton(['status', runId, '--json']);
    assert.equal(status.exitCode, 0, describeResult(status));
    const shown = jsonOf<RunStatus>(status);
    checkFinal(shown, runId, prefix);
    assert.deepEqual(shown.waitingOn, []);
    console.log(
      `diamond via run: b/c overlap ${figures.overlapMs} ms, d's first request ${figures.dAfterBcMs} ms after b and c ended, ` +
        `baton run took ${run.durationMs} ms`,
    );
  } finally {
    await fake.stop();
    await box.cleanup();
  }
});

void test('baton start + baton worker: the same diamond completes, `baton result` waits for it, the worker stops on SIGTERM', async () => {
  const prefix = 'start';
  const { box, fake, runId } = await setup(prefix);
  const worker = box.spawn(['worker']);
  try {
    const start = await box.baton(['start', 'plan.yaml', '--id', runId, '--json']);
    assert.equal(start.exitCode, 0, describeResult(start));
    const started = jsonOf<{ runId: string; uiUrl: string | null }>(start);
    assert.equal(started.runId, runId);
    assert.ok('uiUrl' in started, 'start --json prints uiUrl');

    const result = await box.baton(['result', runId, '--json']);
    assert.equal(result.exitCode, 0, `${describeResult(result)}\n--- worker\n${String(worker.all ?? '')}`);
    checkFinal(jsonOf<RunStatus>(result), runId, prefix);
    const figures = checkOrder(fake, prefix);
    await checkFiles(box, prefix);

    const status = await box.baton(['status', runId, '--json']);
    assert.equal(status.exitCode, 0, describeResult(status));
    checkFinal(jsonOf<RunStatus>(status), runId, prefix);

    const stopped = await stopProcess(worker);
    assert.equal(stopped.killed, false, `the worker ignored SIGTERM:\n${stopped.output}`);
    assert.equal(stopped.exitCode, 0, `the worker's exit after SIGTERM:\n${stopped.output}`);
    console.log(
      `diamond via start + worker: b/c overlap ${figures.overlapMs} ms, d's first request ${figures.dAfterBcMs} ms after b and c ended`,
    );
  } finally {
    await stopProcess(worker, 5_000);
    await fake.stop();
    await box.cleanup();
  }
});
