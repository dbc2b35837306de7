// Reading the status snapshot a run's worker keeps (./sink.ts tells the whole story): `baton status` answers from
// it while it is fresh, without loading the Temporal client or waiting for the run's worker to answer a query.
// Any doubt (no file, stale, unreadable, another run's) and the caller asks Temporal instead.
import { readFileSync, statSync } from 'node:fs';
import { snapshotPath } from '../activities/artifact-paths.js';
import type { Phase, RunStatus } from '../workflows/status.js';
import { parseSnapshot, type Snapshot } from './format.js';

/** A snapshot older than this is not used: the run is quiet, and a query answers at once. */
export const SNAPSHOT_FRESH_MS = 2_000;

/** The run's snapshot if one was published in the last SNAPSHOT_FRESH_MS; otherwise null. */
export function readFreshSnapshot(artifactsDir: string, runId: string, nowMs = Date.now()): Snapshot | null {
  const file = snapshotPath(artifactsDir, runId);
  let text: string;
  try {
    // A stale file is not worth reading: a finished run's snapshot can be megabytes.
    if (!isFresh(statSync(file).mtimeMs, nowMs)) return null;
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  return parseSnapshot(text, runId, (h) => isFresh(h.publishedAt, nowMs));
}

/**
 * The status a finished run published last, if it is `executionRunId`'s and ended as `phase` (what Temporal says
 * of the run): a run publishes at once when it ends, so that is its final status, however old.
 */
export function readFinalSnapshot(
  artifactsDir: string,
  runId: string,
  executionRunId: string,
  phase: Phase,
): RunStatus | null {
  let text: string;
  try {
    text = readFileSync(snapshotPath(artifactsDir, runId), 'utf8');
  } catch {
    return null;
  }
  return parseSnapshot(text, runId, (h) => h.executionRunId === executionRunId && h.phase === phase)?.status() ?? null;
}

function isFresh(atMs: number, nowMs: number): boolean {
  return Math.abs(nowMs - atMs) <= SNAPSHOT_FRESH_MS;
}
