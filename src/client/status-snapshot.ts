// Reading the status snapshot that a run's worker keeps (see src/workflows/snapshot.ts): `baton status` answers
// from it while it is fresh, without loading the Temporal client or waiting for the run's worker to answer a
// query. Any doubt (no file, stale, unreadable, another run's) and the caller asks Temporal instead.
//
// The file: one line of header (SnapshotHeader, JSON), then the status as `baton status --json` prints it.
import { readFileSync, statSync } from 'node:fs';
import { snapshotPath } from '../activities/artifact-paths.js';
import { SNAPSHOT_FRESH_MS } from '../workflows/snapshot.js';
import type { Phase, RunStatus } from '../workflows/status.js';

export interface SnapshotHeader {
  /** When the workflow handed the status over (the worker's clock, ms since the epoch). */
  publishedAt: number;
  runId: string;
  /** Temporal's id of the execution (continue-as-new starts another) that published it. */
  executionRunId: string;
  /** The status's phase: what the command's exit code says, without parsing the status. */
  phase: Phase;
  /** Running tasks past their first attempt, by the worker that runs them: how many attempts past it. */
  laterAttempts: Record<string, number>;
}

export function snapshotFileText(header: SnapshotHeader, statusJson: string): string {
  return `${JSON.stringify(header)}\n${statusJson}\n`;
}

export interface Snapshot {
  phase: Phase;
  status(): RunStatus;
  /** The status JSON, pretty-printed: as written when no attempt needs correcting (the common case). */
  json(): string;
}

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

function parseSnapshot(text: string, runId: string, usable: (header: SnapshotHeader) => boolean): Snapshot | null {
  let header: Partial<SnapshotHeader>;
  try {
    header = JSON.parse(text.slice(0, text.indexOf('\n'))) as Partial<SnapshotHeader>;
  } catch {
    return null;
  }
  const { publishedAt, phase, laterAttempts = {} } = header;
  if (typeof publishedAt !== 'number' || header.runId !== runId || !phase) return null;
  if (!usable(header as SnapshotHeader)) return null;
  const body = text.slice(text.indexOf('\n') + 1).trimEnd();
  // Written whole (a rename), so a body that looks whole is: parsed only when something needs the objects.
  if (!body.startsWith('{') || !body.endsWith('}')) return null;
  const corrections = Object.entries(laterAttempts);
  let parsed: RunStatus | undefined;
  const status = (): RunStatus => {
    if (parsed) return parsed;
    parsed = JSON.parse(body) as RunStatus;
    for (const [taskId, later] of corrections) {
      const task = parsed.tasks.find((t) => t.id === taskId && t.state === 'running');
      if (task) task.attempts += later;
    }
    return parsed;
  };
  return { phase, status, json: () => (corrections.length === 0 ? body : JSON.stringify(status(), null, 2)) };
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
