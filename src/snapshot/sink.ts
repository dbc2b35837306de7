// The status snapshot (this folder): what a run's worker keeps on its disk so that `baton status` can answer while
// the run is busy, without a query (a query waits its turn behind the run's workflow tasks, long on a large run).
// The workflow hands its status to the worker through the sink defined here at most once a second, and at once
// when its phase changes or a person intervenes; the worker writes it (./writer.ts, in the format of ./format.ts)
// and `baton status` reads it while it is fresh (./reader.ts).
// This file is the workflow's side: pure, no Node builtins — it is bundled into workflow code.
import type { Sinks } from '@temporalio/workflow';
import type { Phase, RunStatus } from '../workflows/status.js';

export interface StatusSnapshotSinks extends Sinks {
  statusSnapshot: {
    /** snapshotJson(status) (a string crosses from the workflow thread to the worker's in one copy) and its phase. */
    publish(statusJson: string, phase: Phase): void;
  };
}

/** The workflow publishes at most this often (its own clock: the time of the workflow task). */
export const SNAPSHOT_EVERY_MS = 1_000;

/**
 * The status as `baton status --json` prints it, so that the command can print it as it is. A running task is
 * counted in the first attempt of its run; its worker corrects that for later attempts (SnapshotHeader.laterAttempts).
 */
export function snapshotJson(status: RunStatus): string {
  return JSON.stringify(status, null, 2);
}
