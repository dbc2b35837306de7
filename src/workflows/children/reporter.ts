// A child run's reports to its parent run (DESIGN.md §10): what changed of its tasks and its descendants' (path ids
// from the root run), what they wait on a person for, its phase and cost — so that the root's status, its Web UI
// details, its search attributes and its notifications show the whole tree — and at last how it ended. One report
// is in flight at a time: what changes meanwhile goes in the next one, so a busy child sends few. A report that
// cannot be delivered means the parent run is gone: the child is an orphan.
import { CancellationScope, condition, getExternalWorkflowHandle, isCancellation, log } from '@temporalio/workflow';
import { SUMMARY_CHARS } from '../scheduler/index.js';
import type { Phase, TaskView } from '../status.js';
import type { SubPlanWording } from '../wording.js';
import type { ParentLink } from './child-plan.js';
import { childReportSignal, type ChildEnd, type ChildReport } from './messages.js';

/** The most task views one report carries (a large sub-plan's first report goes in several). */
const VIEWS_PER_REPORT = 500;

/** What the reporter reads of its run. */
export interface ReportSource {
  phase(): Phase;
  planWaiting(): 'approval' | 'fix' | undefined;
  costUsd(): number;
  /** The run's own tasks (local ids) and its sub-plans' (path ids from the root, `parent` set). */
  views(): TaskView[];
  waitingOn(sub: SubPlanWording): string[];
}

export class Reporter {
  private counter = 0;
  private dirty = true;
  private sending: Promise<void> | undefined;
  /** Each task's view as last sent (JSON), by path id. */
  private readonly sent = new Map<string, string>();
  private lost = false;
  private ending = false;

  constructor(
    private readonly link: ParentLink,
    private readonly runId: string,
    private readonly source: ReportSource,
    /** The parent run is gone (its report could not be delivered). */
    private readonly orphaned: (reason: string) => void,
  ) {}

  /** Something changed: the next report says what. */
  changed(): void {
    this.dirty = true;
  }

  /** Sends reports while the run goes on (start it inside the run's own scope); its cancellation ends it quietly. */
  async run(): Promise<void> {
    try {
      for (;;) {
        await condition(() => this.dirty && !this.lost && !this.ending);
        this.dirty = false;
        // A report once begun is delivered: a cancelled signal would look like a parent that is gone.
        this.sending = CancellationScope.nonCancellable(() => this.send());
        await this.sending;
      }
    } catch (err) {
      if (!isCancellation(err)) throw err;
    }
  }

  /** The last report: everything not yet sent, and how the run ended. Delivered before the run closes. */
  async final(end: ChildEnd): Promise<void> {
    this.ending = true;
    await this.sending;
    if (this.lost) return;
    this.dirty = false;
    await this.send(end);
  }

  private async send(end?: ChildEnd): Promise<void> {
    const views = this.changedViews();
    const chunks: TaskView[][] = [];
    for (let i = 0; i < views.length; i += VIEWS_PER_REPORT) chunks.push(views.slice(i, i + VIEWS_PER_REPORT));
    if (chunks.length === 0) chunks.push([]);
    const parent = getExternalWorkflowHandle(this.link.workflowId);
    const sub = { path: this.link.path, runId: this.runId };
    for (const [i, tasks] of chunks.entries()) {
      const last = i === chunks.length - 1;
      const report: ChildReport = {
        runId: this.runId,
        taskId: this.link.taskId,
        // Increasing across the run's continue-as-new too: workflow time, and a count within one instant.
        seq: Date.now() * 1000 + (this.counter++ % 1000),
        phase: this.source.phase(),
        ...(this.source.planWaiting() ? { planWaiting: this.source.planWaiting() } : {}),
        costUsd: this.source.costUsd(),
        tasks,
        waitingOn: this.source.waitingOn(sub),
        ...(last && end ? { end } : {}),
      };
      try {
        await parent.signal(childReportSignal, report);
      } catch (err) {
        this.lost = true;
        const reason = `its parent run ${this.link.workflowId} cannot be reached (${err instanceof Error ? err.message : String(err)})`;
        log.warn('a report to the parent run was not delivered', { reason });
        if (!end) this.orphaned(reason);
        return;
      }
    }
  }

  /** The views that changed since the last report, with path ids from the root run. */
  private changedViews(): TaskView[] {
    const changed: TaskView[] = [];
    for (const own of this.source.views()) {
      const v = bounded(own.parent === undefined ? this.rootward(own) : own);
      const json = JSON.stringify(v);
      if (this.sent.get(v.id) === json) continue;
      this.sent.set(v.id, json);
      changed.push(v);
    }
    return changed;
  }

  /** One of the run's own tasks as the root run shows it: `db` → `backend/db`, its parent `backend`. */
  private rootward(v: TaskView): TaskView {
    const path = this.link.path;
    return { ...v, id: `${path}/${v.id}`, parent: path, dependsOn: v.dependsOn.map((d) => `${path}/${d}`) };
  }
}

/** A parent keeps a short summary of each task below it (the full result is the task's artifact). */
function bounded(v: TaskView): TaskView {
  return v.summary && v.summary.length > SUMMARY_CHARS ? { ...v, summary: `${v.summary.slice(0, SUMMARY_CHARS)}…` } : v;
}
