// Sub-plan tasks' part of the state (DESIGN.md §10): the child run a task started, what the child reports of itself
// (its tasks and its descendants', what they wait on, what they cost: kept to show in this run's views, and carried
// over continue-as-new), and how it ended — the task's own end.
import type { ChildEnd, ChildReport } from '../children/messages.js';
import type { Phase, TaskView } from '../status.js';
import type { Core } from './core.js';
import { refresh } from './derivation.js';
import { addCost } from './lifecycle.js';
import { KEPT_TEXT_CHARS, type ChildState } from './state.js';

export function childStarted(core: Core, id: string, runId: string, phase: Phase): void {
  core.record(id).child = { runId, phase, tasks: [], waitingOn: [], costUsd: 0, seq: 0, ended: false };
}

/** Applies a report of the task's child; false when it is stale (an earlier child, an older report, an ended one). */
export function childReported(core: Core, id: string, report: ChildReport): boolean {
  const r = core.record(id);
  const child = r.child;
  if (!child || child.runId !== report.runId || child.ended || report.seq <= child.seq) return false;
  child.seq = report.seq;
  child.phase = report.phase;
  if (report.planWaiting) child.planWaiting = report.planWaiting;
  else delete child.planWaiting;
  child.waitingOn = report.waitingOn;
  mergeViews(child, report.tasks);
  addCost(core, r, report.costUsd - child.costUsd);
  child.costUsd = report.costUsd;
  return true;
}

/** The child ended: the task ends with it (a completed child's synthesis is the task's result). */
export function childEnded(core: Core, id: string, runId: string, end: ChildEnd, now: string): boolean {
  const r = core.record(id);
  const child = r.child;
  if (!child || child.runId !== runId || child.ended) return false;
  child.ended = true;
  if (end.costUsd !== undefined && end.costUsd > child.costUsd) {
    addCost(core, r, end.costUsd - child.costUsd);
    child.costUsd = end.costUsd;
  }
  child.phase = end.outcome;
  delete child.planWaiting;
  child.waitingOn = [];
  r.attempts += 1;
  r.endedAt = now;
  if (end.outcome === 'completed') {
    r.state = 'succeeded';
    r.text = bounded(end.synthesis);
  } else {
    r.state = end.outcome === 'cancelled' ? 'cancelled' : 'failed';
    r.error = end.message ?? `its sub-plan ${end.outcome === 'cancelled' ? 'was cancelled' : 'failed'}`;
    r.errorType = end.outcome === 'cancelled' ? 'Cancelled' : 'SubPlanFailed';
  }
  refresh(core, [id]);
  return true;
}

/** Replaces the views the report brings (by id) and appends new ones, keeping the order of first appearance. */
function mergeViews(child: ChildState, views: readonly TaskView[]): void {
  if (views.length === 0) return;
  const at = new Map(child.tasks.map((t, i) => [t.id, i]));
  for (const view of views) {
    const i = at.get(view.id);
    if (i === undefined) {
      at.set(view.id, child.tasks.length);
      child.tasks.push(view);
    } else child.tasks[i] = view;
  }
}

function bounded(text: string): string {
  return text.length > KEPT_TEXT_CHARS ? `${text.slice(0, KEPT_TEXT_CHARS)}…` : text;
}
