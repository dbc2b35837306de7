// The status snapshot: what a run's worker keeps on its disk so that `baton status` can answer while the run is
// busy, without a query (a query waits its turn behind the run's workflow tasks: on a run of thousands of tasks,
// half a second and more). The workflow hands its status to the worker through a sink at most once a second,
// and at once when its phase changes or a person intervenes; the worker writes it (src/workers/status-snapshots.ts)
// and `baton status` reads it while it is fresh (src/client/status-snapshot.ts). Pure: safe in workflow code.
import type { Sinks } from '@temporalio/workflow';

export interface StatusSnapshotSinks extends Sinks {
  statusSnapshot: {
    /** The run's status as JSON (a string crosses from the workflow thread to the worker's in one copy). */
    publish(statusJson: string): void;
  };
}

/** The workflow publishes at most this often (its own clock: the time of the workflow task). */
export const SNAPSHOT_EVERY_MS = 1_000;

/** A snapshot older than this is not used: the run is quiet, and a query answers at once. */
export const SNAPSHOT_FRESH_MS = 2_000;
