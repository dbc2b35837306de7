// The status snapshot's two ends without Temporal: what a worker writes (StatusSnapshots) and what `baton status`
// accepts from it (readFreshSnapshot): fresh and of this run, or nothing, so that the command asks the run.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { snapshotPath } from '../../src/activities/artifact-paths.js';
import { readFreshSnapshot } from '../../src/client/status-snapshot.js';
import { StatusSnapshots } from '../../src/workers/status-snapshots.js';
import { SNAPSHOT_FRESH_MS } from '../../src/workflows/snapshot.js';
import type { RunStatus, TaskView } from '../../src/workflows/status.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function artifactsDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'baton-snapshot-'));
  dirs.push(dir);
  return dir;
}

const task = (id: string, state: TaskView['state'], attempts: number) => ({ id, state, attempts }) as TaskView;
const statusOf = (runId: string, tasks: TaskView[]) =>
  ({ runId, phase: 'running', taskCount: tasks.length, tasks }) as unknown as RunStatus;

/** Waits for the writer's file to hold `runId`'s status with `count` tasks. */
async function written(dir: string, runId: string, count: number): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const text = await readFile(snapshotPath(dir, runId), 'utf8').catch(() => '');
    if (text && (JSON.parse(text) as { status: RunStatus }).status.tasks.length === count) return text;
    await sleep(10);
  }
  assert.fail(`no snapshot of ${runId} with ${count} tasks`);
}

void test('what a worker writes is read back while fresh: every task, running ones with the attempt they are in', async () => {
  const dir = await artifactsDir();
  const snapshots = new StatusSnapshots(dir, (m) => assert.fail(m));
  const status = statusOf('run-1', [task('a', 'succeeded', 1), task('b', 'running', 2)]);
  snapshots.offer('run-1', JSON.stringify(status));
  await written(dir, 'run-1', 2);
  const read = readFreshSnapshot(dir, 'run-1');
  assert.ok(read);
  // b finished two attempts before; the one it is in now was not reported by a worker of this process: its first.
  assert.deepEqual(
    read.tasks.map((t) => [t.id, t.state, t.attempts]),
    [
      ['a', 'succeeded', 1],
      ['b', 'running', 3],
    ],
  );
});

void test('statuses offered while one is written leave the last one on disk, whole', async () => {
  const dir = await artifactsDir();
  const snapshots = new StatusSnapshots(dir, (m) => assert.fail(m));
  const big = (n: number) =>
    JSON.stringify(
      statusOf(
        'run-2',
        Array.from({ length: n }, (_, i) => task(`t${i}`, 'succeeded', 1)),
      ),
    );
  for (const n of [3000, 2000, 1000, 7]) snapshots.offer('run-2', big(n));
  const text = await written(dir, 'run-2', 7);
  assert.equal((JSON.parse(text) as { status: RunStatus }).status.tasks.length, 7);
  assert.equal(readFreshSnapshot(dir, 'run-2')?.tasks.length, 7);
});

void test('a stale, foreign, unreadable or missing snapshot is not used', async () => {
  const dir = await artifactsDir();
  const file = snapshotPath(dir, 'run-3');
  const envelope = (publishedAt: number, runId = 'run-3') =>
    JSON.stringify({ publishedAt, attempts: {}, status: statusOf(runId, [task('a', 'running', 0)]) });
  assert.equal(readFreshSnapshot(dir, 'run-3'), null, 'no file');

  const snapshots = new StatusSnapshots(dir, (m) => assert.fail(m));
  snapshots.offer('run-3', JSON.stringify(statusOf('run-3', [task('a', 'running', 0)])));
  await written(dir, 'run-3', 1);
  assert.equal(readFreshSnapshot(dir, 'run-3')?.tasks[0]?.attempts, 1, 'fresh');

  await writeFile(file, envelope(Date.now() - SNAPSHOT_FRESH_MS - 1_000));
  assert.equal(readFreshSnapshot(dir, 'run-3'), null, 'published too long ago');

  await writeFile(file, envelope(Date.now()));
  const old = new Date(Date.now() - 10 * SNAPSHOT_FRESH_MS);
  await utimes(file, old, old);
  assert.equal(readFreshSnapshot(dir, 'run-3'), null, 'a file not written lately is not even read');

  await writeFile(file, envelope(Date.now(), 'another-run'));
  assert.equal(readFreshSnapshot(dir, 'run-3'), null, "another run's status");

  await writeFile(file, envelope(Date.now()).slice(0, 40));
  assert.equal(readFreshSnapshot(dir, 'run-3'), null, 'cut short');
});

void test('a snapshot that cannot be written is skipped with one warning', async () => {
  const dir = await artifactsDir();
  // A file where the run's folder should be.
  await writeFile(path.join(dir, 'run-4'), 'not a folder');
  const warnings: string[] = [];
  const snapshots = new StatusSnapshots(dir, (m) => warnings.push(m));
  snapshots.offer('run-4', JSON.stringify(statusOf('run-4', [])));
  await sleep(100);
  snapshots.offer('run-4', JSON.stringify(statusOf('run-4', [])));
  await sleep(100);
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0]!, /cannot write the status snapshot .*run-4.*status will query/);
  assert.equal(readFreshSnapshot(dir, 'run-4'), null);
});
