// Plans of thousands of tasks: the state carried over continue-as-new stays under Temporal's 2 MB
// payload limit, the status reads a page at a time, results are kept only as long as needed, and a
// completion re-derives only what depends on it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunAgentResult } from '../../src/contract/agent.js';
import { PlanSchema, type Plan } from '../../src/plan/schema.js';
import { pack, unpack } from '../../src/workflows/pack.js';
import { Scheduler, SUMMARY_CHARS, type SchedulerState } from '../../src/workflows/scheduler/index.js';

const PAYLOAD_LIMIT = 2 * 1024 * 1024;

/** 10 layers of `width` tasks; each depends on two tasks of the layer before. */
function layeredPlan(width: number, layers = 10): Plan {
  const tasks = [];
  for (let l = 0; l < layers; l++) {
    for (let i = 0; i < width; i++) {
      const dependsOn = l === 0 ? [] : [`t${l - 1}-${i}`, `t${l - 1}-${(i + 1) % width}`];
      tasks.push({ id: `t${l}-${i}`, prompt: `Write part ${i} of layer ${l} of the report. `.repeat(3), dependsOn });
    }
  }
  return PlanSchema.parse({ version: 1, name: 'big', maxParallel: 50, tasks });
}

function result(id: string, text: string): RunAgentResult {
  return {
    text,
    truncated: false,
    sessionId: '00000000-0000-4000-8000-000000000000',
    costUsd: 0.01,
    usage: { inputTokens: 1, outputTokens: 1, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 },
    numTurns: 1,
    durationMs: 1,
    artifactPath: `/home/user/project/.baton/artifacts/run/${id}/g1/result.md`,
    transcriptPath: `/home/user/project/.baton/artifacts/run/${id}/g1/attempt-1.jsonl`,
    attempt: 1,
    permissionDenials: 0,
  };
}

/** Run the scheduler to the end as the workflow would, with results of `textChars` characters. */
function runToEnd(sched: Scheduler, textChars: number): void {
  for (;;) {
    const ready = sched.startable(0);
    if (ready.length === 0) break;
    for (const r of ready) sched.markRunning(r.id, 'now');
    for (const r of ready) sched.succeeded(r.id, result(r.id, 'x'.repeat(textChars)), 'now');
  }
}

void test('the state of a finished 5,000-task run packs far under the 2 MB payload limit and unpacks intact', () => {
  const sched = Scheduler.fresh(layeredPlan(500), 'start');
  runToEnd(sched, 2_000);
  assert.equal(sched.outcome(0), 'completed');
  const raw = JSON.stringify(sched.state).length;
  const packed = pack(sched.state);
  console.log(`5,000 tasks: state ${(raw / 1e6).toFixed(2)} MB as JSON, ${(packed.length / 1e6).toFixed(3)} MB packed`);
  assert.ok(raw > PAYLOAD_LIMIT / 2, 'the raw state is large enough for this test to mean something');
  assert.ok(packed.length < PAYLOAD_LIMIT / 4, `packed state is ${packed.length} bytes`);
  assert.deepEqual(unpack<SchedulerState>(packed), JSON.parse(JSON.stringify(sched.state)));
});

void test('pack round-trips any JSON, including every length modulo 3 and non-ASCII text', () => {
  for (const value of ['', 'a', 'ab', 'abc', { é: 'ü→✔', n: [1, null, true] }, 'x'.repeat(100_001)]) {
    assert.deepEqual(unpack(pack(value)), value);
  }
});

void test('a result keeps its long text until every dependent has started, then only a summary', () => {
  const sched = Scheduler.fresh(
    PlanSchema.parse({
      version: 1,
      name: 'fan',
      maxParallel: 1,
      tasks: [
        { id: 'a', prompt: 'A' },
        { id: 'b', prompt: 'B', dependsOn: ['a'] },
        { id: 'c', prompt: 'C', dependsOn: ['a'] },
      ],
    }),
    'now',
  );
  sched.markRunning('a', 'now');
  sched.succeeded('a', result('a', 'y'.repeat(1_500)), 'now');
  sched.markRunning('b', 'now');
  assert.equal(sched.record('a').text?.length, 1_500, 'c has not started: it still needs the text');
  sched.markRunning('c', 'now');
  assert.equal(sched.record('a').text, `${'y'.repeat(SUMMARY_CHARS)}…`);
  // A task nothing depends on keeps only a summary from the start.
  sched.succeeded('c', result('c', 'z'.repeat(1_500)), 'now');
  assert.equal(sched.record('c').text?.length, SUMMARY_CHARS + 1);
});

void test('the status reads a page of tasks at a time and says how many there are', () => {
  const sched = Scheduler.fresh(layeredPlan(100), 'now');
  const all = sched.status('run', 'now', 0);
  assert.equal(all.taskCount, 1_000);
  assert.equal(all.tasks.length, 1_000);
  const page = sched.status('run', 'now', 0, { offset: 990, limit: 500 });
  assert.equal(page.taskCount, 1_000);
  assert.deepEqual(
    page.tasks.map((t) => t.id),
    all.tasks.slice(990).map((t) => t.id),
  );
  assert.equal(
    sched.status('run', 'now', 0, { compact: true }).tasks.every((t) => t.summary === null),
    true,
  );
});

void test('re-deriving from a completion gives the same states as re-deriving everything', () => {
  const plan = layeredPlan(30);
  const incremental = Scheduler.fresh(plan, 'now');
  // A failure in the middle blocks what depends on it, transitively; a retry un-blocks it.
  runToEnd(incremental, 10);
  const fresh = Scheduler.fresh(plan, 'now');
  for (const r of fresh.startable(0)) fresh.markRunning(r.id, 'now');
  fresh.failed('t0-3', { type: 'AgentBadRequest', message: 'bad', attempts: 1, costUsd: 0 }, 'now');
  const snapshot = fresh.state.records.map((r) => r.state);
  const full = new Scheduler(JSON.parse(JSON.stringify(fresh.state)) as SchedulerState);
  full.refresh();
  assert.deepEqual(
    full.state.records.map((r) => r.state),
    snapshot,
  );
  assert.equal(fresh.record('t9-3').state, 'blocked');
  fresh.retry('t0-3', undefined, undefined);
  assert.equal(fresh.record('t0-3').state, 'ready');
  assert.equal(fresh.record('t9-3').state, 'pending');
  assert.equal(incremental.outcome(0), 'completed');
});
