// Reading the status snapshot that a run's worker keeps (see src/workflows/snapshot.ts): `baton status` answers
// from it while it is fresh, without loading the Temporal client or waiting for the run's worker to answer a
// query. Any doubt (no file, stale, unreadable, another run's) and the caller asks Temporal instead.
import { readFileSync, statSync } from 'node:fs';
import { snapshotPath } from '../activities/artifact-paths.js';
import { SNAPSHOT_FRESH_MS } from '../workflows/snapshot.js';
import type { RunStatus } from '../workflows/status.js';

/** What the worker writes: when, the attempt each of its running agents is in, and the run's status. */
export interface StatusSnapshotFile {
  publishedAt: number;
  attempts: Record<string, number>;
  status: RunStatus;
}

/** The run's status from its snapshot if one was published in the last SNAPSHOT_FRESH_MS; otherwise null. */
export function readFreshSnapshot(artifactsDir: string, runId: string, nowMs = Date.now()): RunStatus | null {
  const file = snapshotPath(artifactsDir, runId);
  try {
    // A stale file is not worth reading: a finished run's snapshot can be megabytes.
    if (!isFresh(statSync(file).mtimeMs, nowMs)) return null;
    const snapshot = JSON.parse(readFileSync(file, 'utf8')) as Partial<StatusSnapshotFile>;
    const { status, publishedAt, attempts } = snapshot;
    if (typeof publishedAt !== 'number' || !isFresh(publishedAt, nowMs)) return null;
    if (!status || status.runId !== runId || !Array.isArray(status.tasks)) return null;
    return withRunningAttempts(status, attempts ?? {});
  } catch {
    return null;
  }
}

function isFresh(atMs: number, nowMs: number): boolean {
  return Math.abs(nowMs - atMs) <= SNAPSHOT_FRESH_MS;
}

/**
 * The workflow counts the attempts of finished activities; a running task's current attempt is known to the
 * worker running it (in `attempts`) or else taken to be its first — as `getStatus` adds the server's count.
 */
function withRunningAttempts(status: RunStatus, attempts: Record<string, number>): RunStatus {
  for (const task of status.tasks) {
    if (task.state === 'running') task.attempts += attempts[task.id] ?? 1;
  }
  return status;
}
