// The status snapshot's two ends without Temporal: what a worker writes (StatusSnapshots) and what `baton status`
// accepts from it (readFreshSnapshot): fresh and of this run, or nothing, so that the command asks the run.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { snapshotPath } from '../../src/activities/artifact-paths.js';
import { snapshotFileText } from '../../src/snapshot/format.js';
import { readFinalSnapshot, readFreshSnapshot, SNAPSHOT_FRESH_MS } from '../../src/snapshot/reader.js';
import { snapshotJson } from '../../src/snapshot/sink.js';
import { StatusSnapshots } from '../../src/snapshot/writer.js';
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
async function written(dir: string, runId: string, count: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const text = await readFile(snapshotPath(dir, runId), 'utf8').catch(() => '');
    const body = text.slice(text.indexOf('\n') + 1);
    if (text && (JSON.parse(body) as RunStatus).tasks.length === count) return;
    await sleep(10);
  }
  assert.fail(`no snapshot of ${runId} with ${count} tasks`);
}

const attemptsOf = (s: RunStatus) => s.tasks.map((t) => [t.id, t.state, t.attempts]);

void test('what a worker writes is read back while fresh: as `status --json` prints it, running tasks in their attempt', async () => {
  const dir = await artifactsDir();
  const snapshots = new StatusSnapshots(dir, (m) => assert.fail(m));
  // As the run reports it: b finished two attempts in earlier runs and is counted in the first of its run.
  const status = statusOf('run-1', [task('a', 'succeeded', 1), task('b', 'running', 3)]);
  snapshots.offer('run-1', 'exec-1', snapshotJson(status), 'running');
  await written(dir, 'run-1', 2);
  const read = readFreshSnapshot(dir, 'run-1');
  assert.ok(read);
  assert.equal(read.phase, 'running');
  // No worker of this process runs a later attempt of b: it is in its run's first.
  assert.deepEqual(attemptsOf(read.status()), [
    ['a', 'succeeded', 1],
    ['b', 'running', 3],
  ]);
  assert.equal(read.json(), JSON.stringify(read.status(), null, 2), 'the text is the pretty-printed status');

  // A worker that runs b's fourth attempt says so; the status and the text follow.
  const file = snapshotPath(dir, 'run-1');
  const header = {
    publishedAt: Date.now(),
    runId: 'run-1',
    executionRunId: 'exec-1',
    phase: 'running' as const,
    laterAttempts: { b: 3 },
  };
  await writeFile(file, snapshotFileText(header, snapshotJson(status)));
  const corrected = readFreshSnapshot(dir, 'run-1');
  assert.deepEqual(attemptsOf(corrected!.status()), [
    ['a', 'succeeded', 1],
    ['b', 'running', 6],
  ]);
  assert.equal(JSON.parse(corrected!.json()).tasks[1].attempts, 6);
});

void test('statuses offered while one is written leave the last one on disk, whole', async () => {
  const dir = await artifactsDir();
  const snapshots = new StatusSnapshots(dir, (m) => assert.fail(m));
  const big = (n: number) =>
    snapshotJson(
      statusOf(
        'run-2',
        Array.from({ length: n }, (_, i) => task(`t${i}`, 'succeeded', 1)),
      ),
    );
  for (const n of [3000, 2000, 1000, 7]) snapshots.offer('run-2', 'exec-2', big(n), 'running');
  await written(dir, 'run-2', 7);
  assert.equal(readFreshSnapshot(dir, 'run-2')?.status().tasks.length, 7);
});

void test('a stale, foreign, unreadable or missing snapshot is not used', async () => {
  const dir = await artifactsDir();
  const file = snapshotPath(dir, 'run-3');
  const status = snapshotJson(statusOf('run-3', [task('a', 'running', 1)]));
  const text = (publishedAt: number, runId = 'run-3') =>
    snapshotFileText({ publishedAt, runId, executionRunId: 'exec-3', phase: 'running', laterAttempts: {} }, status);
  assert.equal(readFreshSnapshot(dir, 'run-3'), null, 'no file');

  const snapshots = new StatusSnapshots(dir, (m) => assert.fail(m));
  snapshots.offer('run-3', 'exec-3', status, 'running');
  await written(dir, 'run-3', 1);
  assert.equal(readFreshSnapshot(dir, 'run-3')?.status().tasks[0]?.attempts, 1, 'fresh');

  await writeFile(file, text(Date.now() - SNAPSHOT_FRESH_MS - 1_000));
  assert.equal(readFreshSnapshot(dir, 'run-3'), null, 'published too long ago');

  await writeFile(file, text(Date.now()));
  const old = new Date(Date.now() - 10 * SNAPSHOT_FRESH_MS);
  await utimes(file, old, old);
  assert.equal(readFreshSnapshot(dir, 'run-3'), null, 'a file not written lately is not even read');

  await writeFile(file, text(Date.now(), 'another-run'));
  assert.equal(readFreshSnapshot(dir, 'run-3'), null, "another run's status");

  await writeFile(file, text(Date.now()).slice(0, -40));
  assert.equal(readFreshSnapshot(dir, 'run-3'), null, 'cut short');
  await writeFile(file, text(Date.now()).slice(0, 30));
  assert.equal(readFreshSnapshot(dir, 'run-3'), null, 'cut in its header');
});

void test('a snapshot that cannot be written is skipped with one warning', async () => {
  const dir = await artifactsDir();
  // A file where the run's folder should be.
  await writeFile(path.join(dir, 'run-4'), 'not a folder');
  const warnings: string[] = [];
  const snapshots = new StatusSnapshots(dir, (m) => warnings.push(m));
  snapshots.offer('run-4', 'exec-4', snapshotJson(statusOf('run-4', [])), 'running');
  await sleep(100);
  snapshots.offer('run-4', 'exec-4', snapshotJson(statusOf('run-4', [])), 'running');
  await sleep(100);
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0]!, /cannot write the status snapshot .*run-4.*status will query/);
  assert.equal(readFreshSnapshot(dir, 'run-4'), null);
});

void test("a finished run's last snapshot is its final status, however old, if Temporal says that execution ended so", async () => {
  const dir = await artifactsDir();
  const file = snapshotPath(dir, 'run-5');
  await mkdir(path.dirname(file), { recursive: true });
  const status = { ...statusOf('run-5', [task('a', 'succeeded', 1)]), phase: 'completed' } as RunStatus;
  const header = {
    publishedAt: Date.now() - 3_600_000,
    runId: 'run-5',
    executionRunId: 'exec-5',
    phase: 'completed' as const,
    laterAttempts: {},
  };
  await writeFile(file, snapshotFileText(header, snapshotJson(status)));
  const old = new Date(Date.now() - 3_600_000);
  await utimes(file, old, old);
  assert.equal(readFreshSnapshot(dir, 'run-5'), null, 'not fresh');
  assert.deepEqual(readFinalSnapshot(dir, 'run-5', 'exec-5', 'completed'), status);
  assert.equal(
    readFinalSnapshot(dir, 'run-5', 'exec-6', 'completed'),
    null,
    'a later execution (a new run with that id)',
  );
  assert.equal(readFinalSnapshot(dir, 'run-5', 'exec-5', 'failed'), null, 'Temporal says it ended otherwise');
  assert.equal(readFinalSnapshot(dir, 'run-6', 'exec-5', 'completed'), null, 'no snapshot');
});
