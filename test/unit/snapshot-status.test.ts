// `baton status <run> [--json]` before the CLI is loaded (src/cli/snapshot-status.ts): only the plain forms, only
// with a configuration the CLI accepts, only from a fresh snapshot; anything else is left to the whole CLI
// (undefined), which then behaves as it always has.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { snapshotPath } from '../../src/activities/artifact-paths.js';
import { snapshotFileText } from '../../src/snapshot/format.js';
import { plainStatusArgs, statusFromSnapshot } from '../../src/cli/snapshot-status.js';
import { snapshotJson } from '../../src/snapshot/sink.js';
import type { Phase } from '../../src/workflows/status.js';
import { runStatus, taskView } from '../helpers/views.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

void test('only `status <run>` and `status <run> --json`, in either order, are plain', () => {
  assert.deepEqual(plainStatusArgs(['status', 'r1']), { runId: 'r1', json: false });
  assert.deepEqual(plainStatusArgs(['status', 'r1', '--json']), { runId: 'r1', json: true });
  assert.deepEqual(plainStatusArgs(['status', '--json', 'r1']), { runId: 'r1', json: true });
  for (const args of [
    ['status'],
    ['status', '--json'],
    ['status', '--help'],
    ['status', 'r1', '--help'],
    ['status', 'r1', '--json', '--json'],
    ['status', 'r1', 'r2'],
    ['status', '--', 'r1'],
    ['status', 'r1', '-h'],
    ['result', 'r1', '--json'],
    ['status', ''],
  ]) {
    assert.equal(plainStatusArgs(args), null, args.join(' '));
  }
});

/** Runs statusFromSnapshot with BATON_HOME set (and `env` over it), capturing what it prints. */
async function fromSnapshot(home: string, args: string[], env: Record<string, string> = {}) {
  const saved = { ...process.env };
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  Object.assign(process.env, { BATON_HOME: home, TEMPORAL_ADDRESS: '127.0.0.1:1' }, env);
  try {
    return { code: await statusFromSnapshot(args), out };
  } finally {
    process.stdout.write = write;
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

async function homeWithSnapshot(
  runId: string,
  phase: Phase,
  publishedAt = Date.now(),
): Promise<{ home: string; json: string }> {
  const home = await mkdtemp(path.join(tmpdir(), 'baton-fast-status-'));
  dirs.push(home);
  const now = new Date().toISOString();
  const task = taskView('a', { startedAt: now, endedAt: now, costUsd: 0.01, summary: 'done' });
  const status = runStatus([task], { runId, name: 'p', phase, costUsd: 0.01, startedAt: now, updatedAt: now });
  const json = snapshotJson(status);
  const file = snapshotPath(path.join(home, 'artifacts'), runId);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, snapshotFileText({ publishedAt, runId, executionRunId: 'e', phase, laterAttempts: {} }, json));
  return { home, json };
}

void test('a fresh snapshot is printed as `status --json` prints it, with the exit code of its phase', async () => {
  const running = await homeWithSnapshot('run-a', 'running');
  assert.deepEqual(await fromSnapshot(running.home, ['status', 'run-a', '--json']), {
    code: 0,
    out: `${running.json}\n`,
  });
  const failed = await homeWithSnapshot('run-b', 'failed');
  assert.deepEqual(await fromSnapshot(failed.home, ['status', '--json', 'run-b']), {
    code: 1,
    out: `${failed.json}\n`,
  });
  const table = await fromSnapshot(running.home, ['status', 'run-a']);
  assert.equal(table.code, 0);
  assert.match(table.out, /run-a/);
  assert.match(table.out, /a\s+✔ succeeded/);
});

void test('without a fresh snapshot, or with a configuration the CLI refuses, the whole CLI decides', async () => {
  const { home } = await homeWithSnapshot('run-c', 'running', Date.now() - 60_000);
  assert.deepEqual(await fromSnapshot(home, ['status', 'run-c', '--json']), { code: undefined, out: '' }, 'stale');
  assert.deepEqual(await fromSnapshot(home, ['status', 'no-such-run', '--json']), { code: undefined, out: '' });
  const fresh = await homeWithSnapshot('run-d', 'running');
  const badPort = await fromSnapshot(fresh.home, ['status', 'run-d', '--json'], { BATON_SERVER_PORT: 'not-a-port' });
  assert.deepEqual(badPort, { code: undefined, out: '' }, 'the CLI reports the bad variable, as ever');
  assert.deepEqual(await fromSnapshot(fresh.home, ['status', 'run-d', '--help']), { code: undefined, out: '' });
});
