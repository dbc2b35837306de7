// Issue 19, finding 2 — secrets handed to agents. A `baton worker` holding baton's encryption key, a codec token
// and cloud credentials runs an agent (the real claude, the scripted model) that prints its environment: none of
// them reach it or its transcript unless BATON_AGENT_ENV lists them (and baton's own never). And with a loose
// umask, nothing baton writes under BATON_HOME — transcripts, results, snapshots, the embedded server's
// database — can be read by another local user (nobody).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import { FakeModel } from '../../src/rehearsal/fake-model.js';
import { nobodyCanRead } from '../helpers/attacker.js';
import { claudeEnv } from '../helpers/claude-env.js';
import {
  describeResult,
  freePort,
  isListening,
  jsonOf,
  sandbox,
  stopProcess,
  type RunStatus,
  type Sandbox,
} from '../helpers/cli.js';
import { testTemporal, type TestTemporal } from '../helpers/temporal.js';

const SECRETS = {
  BATON_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  BATON_CODEC_AUTH_TOKEN: `codec-${randomBytes(12).toString('hex')}`,
  AWS_SECRET_ACCESS_KEY: `aws-${randomBytes(12).toString('hex')}`,
  GITHUB_TOKEN: `ghp_${randomBytes(12).toString('hex')}`,
};

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

const PLAN = `version: 1
name: env
onFailure: fail
defaults: { retries: 0, timeout: 60s, allowedTools: [Bash] }
tasks:
  - id: printenv
    prompt: Print your environment.
`;

async function runPrintenv(box: Sandbox, id: string): Promise<{ env: string; transcript: string }> {
  const start = await box.baton(['start', 'env.yaml', '--id', id]);
  assert.equal(start.exitCode, 0, describeResult(start));
  const result = await box.baton(['result', id, '--json'], { timeoutMs: 90_000 });
  const status = jsonOf<RunStatus>(result);
  assert.equal(status.phase, 'completed', describeResult(result));
  const artifact = status.tasks[0]?.artifactPath ?? '';
  return {
    env: await readFile(path.join(box.cwd, 'env.txt'), 'utf8'),
    transcript: await readFile(path.join(path.dirname(artifact), 'attempt-1.jsonl'), 'utf8'),
  };
}

void test("an agent's environment is an allow-list: the worker's secrets reach neither it nor its transcript, unless BATON_AGENT_ENV lists them", async () => {
  const temporal: TestTemporal = await testTemporal();
  cleanups.push(() => temporal.close());
  const fake = await FakeModel.start({ rehearse: false, script: { printenv: { turns: [{ bash: 'env > env.txt' }] } } });
  cleanups.push(() => fake.stop());
  const box = await sandbox('secrets', { TEMPORAL_ADDRESS: temporal.address, ...SECRETS });
  cleanups.push(() => box.cleanup());
  Object.assign(box.env, claudeEnv(fake, box.claudeConfigDir));
  await writeFile(path.join(box.cwd, 'env.yaml'), PLAN);

  const worker = box.spawn(['worker']);
  let seen;
  try {
    seen = await runPrintenv(box, `secrets-${Date.now().toString(36)}`);
  } finally {
    await stopProcess(worker, 10_000);
  }
  assert.match(seen.env, /^PATH=/m, 'the agent did print its environment');
  assert.match(seen.env, /^ANTHROPIC_BASE_URL=/m, "claude's own settings reach it");
  for (const [name, value] of Object.entries(SECRETS)) {
    assert.ok(!seen.env.includes(value), `${name} reached the agent`);
    assert.ok(!seen.transcript.includes(value), `${name} is in the transcript`);
  }
  assert.doesNotMatch(seen.env, /^(BATON|TEMPORAL)_/m, "nothing of baton's or Temporal's settings");

  // The worker may widen it for its agents, by name or prefix; baton's own secrets stay out even when listed.
  const listed = box.spawn(['worker'], { env: { BATON_AGENT_ENV: 'AWS_*,BATON_ENCRYPTION_KEY' } });
  try {
    seen = await runPrintenv(box, `listed-${Date.now().toString(36)}`);
  } finally {
    await stopProcess(listed, 10_000);
  }
  assert.ok(seen.env.includes(SECRETS.AWS_SECRET_ACCESS_KEY), 'AWS_* listed: the agent sees it');
  assert.ok(!seen.env.includes(SECRETS.BATON_ENCRYPTION_KEY), 'BATON_ENCRYPTION_KEY is never passed');
  assert.ok(!seen.env.includes(SECRETS.GITHUB_TOKEN), 'not listed: not passed');
});

void test("with umask 022, what baton writes under BATON_HOME (transcripts, results, snapshots, the embedded server's database) is its owner's only", async () => {
  const previous = process.umask(0o022);
  const serverPort = await freePort();
  const uiPort = await freePort();
  const box = await sandbox('owner-only', {
    TEMPORAL_ADDRESS: undefined,
    TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH,
    BATON_SERVER_PORT: String(serverPort),
    BATON_UI_PORT: String(uiPort),
  });
  cleanups.push(() => box.cleanup());
  cleanups.push(async () => {
    if (await isListening(serverPort)) await box.baton(['server', 'stop'], { timeoutMs: 30_000 });
  });
  try {
    await writeFile(
      path.join(box.cwd, 'plan.yaml'),
      'version: 1\nname: private\ntasks:\n  - id: write\n    prompt: Write it.\n    expectedOutputs: [out.md]\n',
    );
    const id = `private-${Date.now().toString(36)}`;
    const run = await box.baton(['run', '--rehearse', 'plan.yaml', '--id', id], { timeoutMs: 150_000 });
    assert.equal(run.exitCode, 0, describeResult(run));
  } finally {
    process.umask(previous);
  }
  const home = box.home;
  const files = await walk(path.join(home, 'artifacts'));
  const transcript = files.find((f) => f.endsWith('attempt-1.jsonl'));
  const result = files.find((f) => f.endsWith('result.md'));
  const snapshot = files.find((f) => f.endsWith('.status.json'));
  assert.ok(transcript && result && snapshot, files.join('\n'));
  for (const file of [transcript, result, snapshot, path.join(home, 'temporal.db')]) {
    assert.equal(await nobodyCanRead(file), false, `nobody reads ${file}`);
  }
  assert.equal((await stat(home)).mode & 0o777, 0o700, 'BATON_HOME is 0700');
  for (const file of [...files, path.join(home, 'temporal.db'), path.join(home, 'temporal-server.log')]) {
    const mode = (await stat(file)).mode & 0o777;
    const expected = (await stat(file)).isDirectory() ? 0o700 : 0o600;
    assert.equal(mode, expected, `${file} is ${mode.toString(8)}`);
  }
});

/** Every file and folder under `dir`. */
async function walk(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    found.push(full);
    if (entry.isDirectory()) found.push(...(await walk(full)));
  }
  return found;
}
