// The status snapshot: what a run's worker keeps on its disk so that `baton status` can answer while the run is
// busy, without a query (a query waits its turn behind the run's workflow tasks: on a run of thousands of tasks,
// half a second and more). The workflow hands its status to the worker through a sink at most once a second,
// and at once when its phase changes or a person intervenes; the worker writes it (src/workers/status-snapshots.ts)
// and `baton status` reads it while it is fresh (src/client/status-snapshot.ts). Pure: safe in workflow code.
import type { Sinks } from '@temporalio/workflow';
import type { Phase, RunStatus } from './status.js';

export interface StatusSnapshotSinks extends Sinks {
  statusSnapshot: {
    /** snapshotJson(status) (a string crosses from the workflow thread to the worker's in one copy) and its phase. */
    publish(statusJson: string, phase: Phase): void;
  };
}

/** The workflow publishes at most this often (its own clock: the time of the workflow task). */
export const SNAPSHOT_EVERY_MS = 1_000;

/** A snapshot older than this is not used: the run is quiet, and a query answers at once. */
export const SNAPSHOT_FRESH_MS = 2_000;

/**
 * The status as `baton status --json` prints it, so that the command can print it as it is. The workflow counts
 * the attempts of finished activities; a status query adds the one each running task is in (the server knows
 * it), and here a running task is taken to be in its first — its worker corrects that for later attempts.
 */
export function snapshotJson(status: RunStatus): string {
  const tasks = status.tasks.map((t) => (t.state === 'running' ? { ...t, attempts: t.attempts + 1 } : t));
  return JSON.stringify({ ...status, tasks }, null, 2);
}
