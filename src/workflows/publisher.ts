// What people see of a run while it runs, kept in step after every change: the Web UI's current details, the
// search attributes (`baton list --waiting`), the worker's status snapshot (`baton status` without a query),
// and a notification (BATON_NOTIFY_CMD) for each new thing the run waits on a person for.
import { log, proxySinks, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { WaitingEvent } from '../contract/notify.js';
import { renderDetails } from './details.js';
import { notify } from './proxies.js';
import { BatonPhase, BatonWaiting } from './search-attributes.js';
import { SNAPSHOT_EVERY_MS, snapshotJson, type StatusSnapshotSinks } from '../snapshot/sink.js';
import type { Overview, RunStatus } from './status.js';

const { statusSnapshot } = proxySinks<StatusSnapshotSinks>();

/** The run as the publisher reads it. */
export interface RunView {
  /** The run at a glance (cheap at any size). */
  overview(): Overview;
  status(): RunStatus;
}

export class Publisher {
  /** What the run waited on when people were last told. */
  private notified = new Set<string>();
  /** Phase and waiting of the search attributes last set. */
  private published = '';
  /** When the worker last got the status for its snapshot (workflow time), and whether a person acted since. */
  private snapshotAt = 0;
  private intervened = false;

  constructor(
    private readonly runId: string,
    private readonly run: RunView,
    /** Whether this run tells people (BATON_NOTIFY_CMD): a sub-plan's run leaves it to the root, which shows all. */
    private readonly options: { notify: boolean } = { notify: true },
  ) {}

  /** A person's intervention was applied: the next snapshot goes out at once. */
  intervention(): void {
    this.intervened = true;
  }

  publish(): void {
    const current = this.run.overview();
    setCurrentDetails(renderDetails(current, this.runId));
    this.notifyNewWaits(current);
    const waiting = current.waitingOn.length > 0;
    const key = `${current.phase}/${waiting}`;
    const changed = key !== this.published;
    // Sinks are not called on replay, and a snapshot is no command: history is the same with or without it.
    if (changed || this.intervened || Date.now() - this.snapshotAt >= SNAPSHOT_EVERY_MS) {
      statusSnapshot.publish(snapshotJson(this.run.status()), current.phase);
      this.snapshotAt = Date.now();
      this.intervened = false;
    }
    if (!changed) return;
    this.published = key;
    upsertSearchAttributes([
      { key: BatonPhase, value: current.phase },
      { key: BatonWaiting, value: waiting },
    ]);
  }

  /** Tell people once about each thing the run starts waiting on. */
  private notifyNewWaits(current: Overview): void {
    if (!this.options.notify) return;
    const fresh = current.waitingOn.filter((w) => !this.notified.has(w));
    this.notified = new Set(current.waitingOn);
    if (fresh.length === 0) return;
    const event: WaitingEvent = {
      event: 'waiting',
      runId: this.runId,
      name: current.name,
      phase: current.phase,
      waitingOn: fresh,
    };
    // Fire and forget: a notification that cannot be delivered must not stop the run.
    void notify(event).catch((err: unknown) => log.warn('notification failed', { error: String(err) }));
  }
}
