// Chaos (issue 18, item 4): `baton run` survives a Temporal outage. The built CLI runs a four-task chain with its
// in-process worker against a dev server of the test's own (its database in a file); mid-run the server is
// SIGKILLed, stays down 60 s, and comes back on the same port and database. `baton run` says on stderr that it waits
// for Temporal, goes on when it is back, and exits 0 with the run completed. Real claude, the scripted model.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeModel } from '../../src/rehearsal/fake-model.js';
import { describeResult, sandbox, type Sandbox } from '../helpers/cli.js';
import { claudeEnv } from '../helpers/claude-env.js';
import { freePort } from '../helpers/cli.js';
import { DevServer, report, until } from './chaos.js';

const OUTAGE_MS = Number(process.env.BATON_CHAOS_OUTAGE_MS ?? 60_000);
const STEPS = ['step1', 'step2', 'step3', 'step4'];

let box: Sandbox;
let running: ReturnType<Sandbox['spawn']> | undefined;
let fake: FakeModel;
let server: DevServer;
before(async () => {
  const script = Object.fromEntries(STEPS.map((id) => [id, { turns: [{ text: `${id} done` }], delayMs: 1500 }]));
  fake = await FakeModel.start({ script, rehearse: false });
  box = await sandbox('run-outage');
  server = new DevServer(await freePort(), path.join(box.root, 'temporal.db'));
  await server.start();
  // claude's Bash tool would source the runner's profile (see chaos.ts): a HOME of the test's own.
  const home = path.join(box.root, 'home');
  await mkdir(home);
  Object.assign(box.env, claudeEnv(fake, box.claudeConfigDir), { TEMPORAL_ADDRESS: server.address, HOME: home });
  const tasks = STEPS.map(
    (id, i) => `  - id: ${id}\n    prompt: Do ${id}.\n${i > 0 ? `    dependsOn: [${STEPS[i - 1]}]\n` : ''}`,
  );
  await writeFile(path.join(box.cwd, 'plan.yaml'), `version: 1\nname: outage\ntasks:\n${tasks.join('')}`);
});
after(async () => {
  running?.kill('SIGKILL');
  await server.kill();
  await fake.stop();
  await box.cleanup();
});

void describe('chaos: baton run while the Temporal server is down for a minute', () => {
  void it('waits the outage out, saying so, then completes the run and exits 0', async () => {
    const child = box.spawn(['run', 'plan.yaml']);
    running = child;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await until('step1 to finish and step2 to ask the model', () => fake.requestsFor('step2').length > 0, 120_000);
    const downAt = Date.now();
    await server.kill();
    await until(
      'baton run to say Temporal is unreachable',
      () => /Temporal unreachable/.test(stderr) || child.exitCode !== null,
      OUTAGE_MS,
    );
    assert.equal(child.exitCode, null, `baton run gave up:\n${stderr}`);
    const saidAfterMs = Date.now() - downAt;
    const stillRunning = child.exitCode === null;
    await until('the outage to last its time', () => Date.now() - downAt >= OUTAGE_MS, OUTAGE_MS + 1000);
    assert.equal(child.exitCode, null, `baton run is still there after ${OUTAGE_MS} ms of outage:\n${stderr}`);
    await server.start();
    const backAt = Date.now();
    let answersAgainAt = 0;
    const watch = setInterval(() => (answersAgainAt ||= /answers again/.test(stderr) ? Date.now() : 0), 100);
    const result = await child;
    clearInterval(watch);
    process.stderr.write(`baton run's stderr:\n${String(result.stderr)}\n`);
    const run = {
      command: 'baton run plan.yaml',
      exitCode: result.exitCode,
      signal: result.signal,
      stdout: String(result.stdout),
      stderr: String(result.stderr),
      durationMs: 0,
    };
    assert.equal(run.exitCode, 0, describeResult(run));
    assert.match(run.stdout, /completed/);
    assert.match(
      run.stderr,
      new RegExp(
        `Temporal unreachable at ${server.address.replaceAll('.', '\\.')}, retrying; the run goes on when it is back`,
      ),
    );
    assert.equal(fake.requestsFor('step1').length, 1, 'step1, done before the outage, ran once');
    for (const id of STEPS) assert.ok(fake.requestsFor(id).length >= 1, `${id} ran`);
    report('baton run through a server outage', {
      outageMs: backAt - downAt,
      saidUnreachableAfterMs: saidAfterMs,
      aliveThroughOutage: stillRunning,
      backToNextModelRequestMs:
        Math.min(...fake.log.filter((r) => r.receivedAt > backAt).map((r) => r.receivedAt)) - backAt,
      backToSaidBackMs: answersAgainAt - backAt,
      backToLastAnswerMs: Math.max(...fake.log.map((r) => r.answeredAt ?? 0)) - backAt,
      backToExitMs: Date.now() - backAt,
      exitCode: run.exitCode,
      requests: Object.fromEntries(STEPS.map((id) => [id, fake.requestsFor(id).length])),
    });
  });
});
