// Warm agents (DESIGN §5): with a → b, b's claude is started while a's agent still runs and b's attempt takes it —
// shown from outside the code: the processes in /proc (b's conversation id is in exactly one claude's argv, and that
// claude existed before a's last model answer) and the scripted model's request log (b's prompt carries a's
// result). A run cancelled while a works leaves no warm claude of b. The built CLI, the suite's real Temporal dev
// server, the real `claude` binary against the scripted model.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FakeModel, type TaskScript } from '../../src/rehearsal/fake-model.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { describeResult, jsonOf, stopProcess, type Sandbox } from '../helpers/cli.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import { testTemporal } from '../helpers/temporal.js';
import { modelSandbox } from '../helpers/worker-scene.js';

const temporal = forAllTests(testTemporal);

function chainPlan(a: string, b: string): string {
  return [
    'version: 1',
    `name: warm-${a}`,
    'goal: Prove that the dependent agent starts ahead',
    'defaults:',
    '  retries: 0',
    '  timeout: 2m',
    'tasks:',
    `  - id: ${a}`,
    `    prompt: Say what you found.`,
    `  - id: ${b}`,
    `    prompt: Build on what ${a} found.`,
    `    dependsOn: [${a}]`,
    '',
  ].join('\n');
}

interface ClaudeSeen {
  pid: number;
  /** When the process started (epoch ms, from /proc/<pid>/stat). */
  startedAt: number;
  sessionId: string | undefined;
  /** What its stdout is (its transcript file). */
  stdout: string;
}

const BOOT_MS = (() => {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('btime '));
  return Number(line?.split(' ')[1]) * 1000;
})();
const CLOCK_TICKS = 100;

/** The claude processes running now, as /proc shows them. */
function claudesNow(): ClaudeSeen[] {
  const seen: ClaudeSeen[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (!argv[0]?.endsWith('claude') || !argv.includes('--input-format')) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const startedAt = BOOT_MS + (Number(fields[19]) * 1000) / CLOCK_TICKS;
      const at = argv.indexOf('--session-id');
      const sessionId = at >= 0 ? argv[at + 1] : undefined;
      seen.push({ pid: Number(name), startedAt, sessionId, stdout: readlinkSync(`/proc/${name}/fd/1`) });
    } catch {
      // It ended while being read.
    }
  }
  return seen;
}

/** Watches /proc until stopped: every claude seen, by pid. */
function watchClaudes(): { seen: Map<number, ClaudeSeen>; stop(): void } {
  const seen = new Map<number, ClaudeSeen>();
  const timer = setInterval(() => {
    for (const claude of claudesNow()) if (!seen.has(claude.pid)) seen.set(claude.pid, claude);
  }, 50);
  return { seen, stop: () => clearInterval(timer) };
}

async function scene(prefix: string, script: Record<string, TaskScript>, a: string, b: string) {
  const fake = await FakeModel.start({ script });
  const box: Sandbox = await modelSandbox(prefix, fake, { TEMPORAL_ADDRESS: temporal.address });
  await writeFile(path.join(box.cwd, 'plan.yaml'), chainPlan(a, b));
  const worker = box.spawn(['worker']);
  return {
    fake,
    box,
    worker,
    runId: `baton-e2e-${prefix}-${Date.now().toString(36)}`,
    async close() {
      const stopped = await stopProcess(worker, 10_000);
      console.log(`--- worker (tail)\n${stopped.output.slice(-3000)}`);
      await fake.stop();
      await box.cleanup();
    },
  };
}

void test("a → b: b's claude starts while a's agent runs, b's attempt takes it (one claude on b's conversation), and b's prompt has a's result", async () => {
  const [a, b] = ['warm-a', 'warm-b'];
  const A_RESULT = 'a found the answer: 42';
  const script: Record<string, TaskScript> = {
    // a's answer comes late, so that b's claude has long started when it does.
    [a]: { turns: [{ text: A_RESULT }], delayMs: 3000 },
    [b]: { turns: [{ text: 'b built on it' }] },
  };
  const s = await scene('warm', script, a, b);
  const watch = watchClaudes();
  try {
    const start = await s.box.baton(['start', 'plan.yaml', '--id', s.runId, '--json']);
    assert.equal(start.exitCode, 0, describeResult(start));
    const result = await s.box.baton(['result', s.runId, '--json']);
    assert.equal(result.exitCode, 0, `${describeResult(result)}\n--- worker\n${String(s.worker.all ?? '')}`);
    watch.stop();
    const status = jsonOf<RunStatus>(result);
    assert.equal(status.phase, 'completed', JSON.stringify(status, null, 2));
    const bSession = status.tasks.find((task) => task.id === b)?.sessionId;
    assert.ok(bSession, "b's session id");

    const aEnd = Math.max(...s.fake.requestsFor(a).map((e) => e.answeredAt ?? 0));
    const bRequests = s.fake.requestsFor(b);
    assert.ok(bRequests.length >= 1, "b's agent asked the model");
    // claude's own children carry its command line: all of b's conversation must be the warm one's tree (its
    // stdout the warm file, until the attempt took it), none a claude the attempt started itself.
    const bClaudes = [...watch.seen.values()].filter((c) => c.sessionId === bSession);
    assert.ok(bClaudes.length >= 1, "b's claude was seen");
    for (const c of bClaudes)
      assert.match(c.stdout, /\.warm$/, `a claude on b's conversation was not started ahead: ${JSON.stringify(c)}`);
    const bClaude = bClaudes.reduce((x, y) => (x.startedAt <= y.startedAt ? x : y));
    assert.ok(
      bClaude.startedAt < aEnd - 1000,
      `b's claude started ${bClaude.startedAt - aEnd} ms after a's last answer: it was not started ahead`,
    );
    assert.ok(bClaude.stdout.includes(`${b}/g1/attempt-1.jsonl`), "b's claude writes attempt 1's transcript");
    assert.ok(
      bRequests[0]!.firstUserText.includes(A_RESULT),
      `b's prompt has a's result: ${bRequests[0]!.firstUserText}`,
    );
    const hop = Math.min(...bRequests.map((e) => e.receivedAt)) - aEnd;
    console.log(
      `warm agent: b's claude started ${aEnd - bClaude.startedAt} ms before a's end; hop a's end → b's first request ${hop} ms`,
    );
  } finally {
    watch.stop();
    await s.close();
  }
});

void test('a run cancelled while a works leaves no warm claude of b', async () => {
  const [a, b] = ['cold-a', 'cold-b'];
  const script: Record<string, TaskScript> = { [a]: { hang: true }, [b]: { turns: [{ text: 'never' }] } };
  const s = await scene('warm-cancel', script, a, b);
  try {
    const start = await s.box.baton(['start', 'plan.yaml', '--id', s.runId, '--json']);
    assert.equal(start.exitCode, 0, describeResult(start));
    const bFiles = `${s.runId}/${b}/g1/attempt-1.jsonl`;
    let warm: ClaudeSeen | undefined;
    for (let i = 0; i < 300 && !warm; i++) {
      warm = claudesNow().find((c) => c.stdout.includes(bFiles));
      if (!warm) await sleep(100);
    }
    assert.ok(warm, `b's claude was started ahead while a works\n--- worker\n${String(s.worker.all ?? '')}`);
    const abort = await s.box.baton(['abort', s.runId, '--reason', 'test']);
    assert.equal(abort.exitCode, 0, describeResult(abort));
    const result = await s.box.baton(['result', s.runId, '--json']);
    assert.notEqual(jsonOf<RunStatus>(result).phase, 'completed', describeResult(result));
    let left = claudesNow().filter((c) => c.stdout.includes(`${s.runId}/`));
    for (let i = 0; i < 50 && left.length > 0; i++) {
      await sleep(100);
      left = claudesNow().filter((c) => c.stdout.includes(`${s.runId}/`));
    }
    assert.deepEqual(left, [], 'no claude of the run is left once it ended');
    assert.equal(s.fake.requestsFor(b).length, 0, 'b never asked the model');
  } finally {
    await s.close();
  }
});
