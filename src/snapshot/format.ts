// The snapshot file, <artifactsDir>/<runId>/.status.json (src/activities/artifact-paths.ts): one line of header
// (SnapshotHeader, JSON), then the status as `baton status --json` prints it. ./writer.ts writes it whole,
// ./reader.ts reads it. Pure.
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
  /** The tasks whose agent runs in the worker that wrote it (absent: written by an older worker). */
  runningHere?: string[];
}

export function snapshotFileText(header: SnapshotHeader, statusJson: string): string {
  return `${JSON.stringify(header)}\n${statusJson}\n`;
}

export interface Snapshot {
  phase: Phase;
  /** The tasks whose agent runs in the worker that wrote it; undefined when it does not say. */
  runningHere: string[] | undefined;
  status(): RunStatus;
  /** The status JSON, pretty-printed: as written when no attempt needs correcting (the common case). */
  json(): string;
}

/** The snapshot in `text` if it is `runId`'s, whole, and `usable` accepts its header; otherwise null. */
export function parseSnapshot(
  text: string,
  runId: string,
  usable: (header: SnapshotHeader) => boolean,
): Snapshot | null {
  let header: Partial<SnapshotHeader>;
  try {
    header = JSON.parse(text.slice(0, text.indexOf('\n'))) as Partial<SnapshotHeader>;
  } catch {
    return null;
  }
  const { publishedAt, phase, laterAttempts = {}, runningHere } = header;
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
  return {
    phase,
    runningHere,
    status,
    json: () => (corrections.length === 0 ? body : JSON.stringify(status(), null, 2)),
  };
}
