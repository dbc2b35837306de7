// A plan's maxParallel is what limits its agents: `baton run` sizes its in-process worker's agent slots to the plan
// (a plan of maxParallel 18 runs 18 agents at once, not the default 16), and when a worker has no free slot,
// `baton status` and `baton watch` say that tasks wait for one — apart from ready tasks that wait for maxParallel.
// The built CLI, a real Temporal dev server and the real claude binary against the scripted model.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { ResultPromise } from 'execa';
import { FakeModel } from '../../src/rehearsal/fake-model.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { describeResult, jsonOf, sandbox, stopProcess, waitFor, type Sandbox } from '../helpers/cli.js';
import { claudeEnv } from '../helpers/claude-env.js';
import { testTemporal, type TestTemporal } from '../helpers/temporal.js';

const WIDE = 18;
const widePlan = [
  'version: 1',
  'name: wide',
  `maxParallel: ${WIDE}`,
  'defaults:',
  '  retries: 0',
  'tasks:',
  ...Array.from({ length: WIDE }, (_, i) => `  - id: w${i}\n    prompt: Slow ${i}.`),
  '',
].join('\n');

// One agent slot for a plan that may run two: a runs, b is held for a slot, c is ready and waits for maxParallel.
const NARROW = `version: 1
name: narrow
maxParallel: 2
defaults:
  retries: 0
  timeout: 5m
tasks:
  - id: a
    prompt: Hangs.
  - id: b
    prompt: Hangs.
  - id: c
    prompt: Hangs.
`;

let temporal: TestTemporal;
let fake: FakeModel;
let box: Sandbox;
before(async () => {
  temporal = await testTemporal();
  const slow = Object.fromEntries(Array.from({ length: WIDE }, (_, i) => [`w${i}`, { delayMs: 15_000 }]));
  fake = await FakeModel.start({
    rehearse: false,
    script: { ...slow, a: { hang: true }, b: { hang: true }, c: { hang: true } },
  });
  box = await sandbox('slots', { TEMPORAL_ADDRESS: temporal.address });
  Object.assign(box.env, claudeEnv(fake, box.claudeConfigDir));
  await writeFile(path.join(box.cwd, 'wide.yaml'), widePlan);
  await writeFile(path.join(box.cwd, 'narrow.yaml'), NARROW);
});
after(async () => {
  await fake.stop();
  await box.cleanup();
  await temporal.close();
});

/** The most model requests of `keys` that were in flight at one moment. */
function peakInFlight(keys: Set<string>): number {
  const edges = fake.log
    .filter((r) => r.key !== null && keys.has(r.key))
    .flatMap((r) => [
      { at: r.receivedAt, delta: 1 },
      { at: r.answeredAt ?? Number.POSITIVE_INFINITY, delta: -1 },
    ])
    .sort((x, y) => x.at - y.at || x.delta - y.delta);
  let now = 0;
  let peak = 0;
  for (const e of edges) peak = Math.max(peak, (now += e.delta));
  return peak;
}

void test(`baton run gives its worker the plan's maxParallel agent slots: ${WIDE} agents at once`, async () => {
  const run = await box.baton(['run', 'wide.yaml', '--json'], { timeoutMs: 240_000 });
  assert.equal(run.exitCode, 0, describeResult(run));
  assert.equal(jsonOf<RunStatus>(run).phase, 'completed');
  const keys = new Set(Array.from({ length: WIDE }, (_, i) => `w${i}`));
  assert.equal(peakInFlight(keys), WIDE, `the agents of ${WIDE} tasks were in flight together`);
});

void test('status and watch say which tasks wait for a free agent slot and which for maxParallel', async () => {
  const worker: ResultPromise = box.spawn(['worker', '--max-agents', '1']);
  const runId = `narrow-${Date.now().toString(36)}`;
  try {
    const started = await box.baton(['start', 'narrow.yaml', '--id', runId]);
    assert.equal(started.exitCode, 0, describeResult(started));
    const slot = /tasks? ([ab]) waits for a free agent slot: every worker on task queue "[^"]+" runs as many agents/;
    const ready = /task c is ready and waits for the plan's maxParallel \(2 running\)/;
    const table = await waitFor(
      'status to say why b and c wait',
      async () => {
        const r = await box.baton(['status', runId]);
        return slot.test(r.stdout) && ready.test(r.stdout) ? r : undefined;
      },
      60_000,
    );
    assert.match(table.stdout, /Waiting for a worker:/, describeResult(table));
    const held = slot.exec(table.stdout)![1];
    assert.equal(fake.requestsFor(held!).length, 0, `${held}'s agent has not started: it waits for the slot`);

    const watch = box.spawn(['watch', runId]);
    let seen = '';
    watch.stdout?.on('data', (chunk: Buffer) => (seen += chunk.toString()));
    await waitFor('watch to say the same', async () => (slot.test(seen) && ready.test(seen) ? true : undefined));
    await stopProcess(watch);
  } finally {
    await box.baton(['abort', runId]);
    await stopProcess(worker, 10_000);
  }
});
