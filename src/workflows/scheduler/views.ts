// What the scheduler shows: the status JSON (DESIGN.md §7), the run at a glance, one task's view.
import { errorKindOf } from '../../contract/failures.js';
import type { Note } from '../../contract/talk.js';
import {
  ATTENTION_ORDER,
  STATUS_NOTES,
  subPlanTree,
  type ChildView,
  type Overview,
  type RunStatus,
  type TaskState,
  type TaskView,
} from '../status.js';
import type { Core } from './core.js';
import { phase, waitingOn } from './outcome.js';
import type { RecordView, TaskRecord } from './state.js';

export interface StatusPage {
  offset?: number;
  limit?: number;
  compact?: boolean;
}

/**
 * The status JSON. `page` returns a slice of the tasks (a plan of thousands of tasks does not fit one
 * message); `taskCount` says how many there are in all. `compact` leaves out result summaries.
 */
export function status(core: Core, runId: string, now: string, running: number, page: StatusPage = {}): RunStatus {
  const { state } = core;
  const offset = Math.max(0, page.offset ?? 0);
  const all = allViews(core);
  const views = page.limit === undefined ? all.slice(offset) : all.slice(offset, offset + page.limit);
  return {
    runId,
    name: state.plan.name,
    goal: state.plan.goal ?? null,
    phase: phase(core, running),
    waitingOn: waitingOn(core, running),
    costUsd: round(state.costUsd),
    budgetUsd: state.budgetUsd,
    startedAt: state.startedAt,
    updatedAt: now,
    endedAt: state.endedAt,
    reason: state.reason,
    taskCount: all.length,
    tasks: page.compact ? views.map((v) => ({ ...v, summary: null })) : views,
    // The run's (../refusals.ts): it adds them.
    refusals: [],
    notes: latestNotes(core, STATUS_NOTES),
    noteCount: state.notes?.length ?? 0,
  };
}

/** Notes the Web UI's current details show. */
const OVERVIEW_NOTES = 5;

/** The latest notes, newest first. */
function latestNotes(core: Core, count: number): Note[] {
  return (core.state.notes ?? [])
    .slice(-count)
    .reverse()
    .map((n) => ({ ...n }));
}

/**
 * Every task of the run: its own, each followed by the tasks of its sub-plan as its child reported them (path ids
 * from the root run, `parent` set), a parent before its children (DESIGN.md §10).
 */
export function allViews(core: Core): TaskView[] {
  const views: TaskView[] = [];
  for (const r of core.state.records) {
    views.push(view(core, r));
    if (r.child && r.child.tasks.length > 0) views.push(...treeOrder(r.child.tasks));
  }
  return views;
}

/** A sub-plan's reported views with each task's own sub-plan right after it. */
function treeOrder(views: readonly TaskView[]): TaskView[] {
  const { roots, below } = subPlanTree(views);
  const ordered: TaskView[] = [];
  const visit = (v: TaskView): void => {
    ordered.push(v);
    for (const c of below.get(v.id) ?? []) visit(c);
  };
  roots.forEach(visit);
  return ordered;
}

/**
 * The run at a glance, in one pass over the records and with views of `limit` tasks only: the workflow
 * shows it after every change, so it must not cost what the status of thousands of tasks costs.
 */
export function overview(core: Core, running: number, limit: number): Overview {
  const { state } = core;
  const byState = new Map<TaskState, (TaskRecord | TaskView)[]>();
  const add = (item: TaskRecord | TaskView): void => {
    const list = byState.get(item.state);
    if (list) list.push(item);
    else byState.set(item.state, [item]);
  };
  let taskCount = 0;
  for (const r of state.records) {
    add(r);
    for (const v of r.child?.tasks ?? []) add(v);
    taskCount += 1 + (r.child?.tasks.length ?? 0);
  }
  const counts: Partial<Record<TaskState, number>> = {};
  const highlights: TaskView[] = [];
  for (const s of ATTENTION_ORDER) {
    const list = byState.get(s);
    if (!list) continue;
    counts[s] = list.length;
    for (const item of list) {
      if (highlights.length >= limit) break;
      // A child's reported view is a view already; a record of this run's own becomes one.
      highlights.push('title' in item ? item : view(core, item));
    }
  }
  return {
    name: state.plan.name,
    phase: phase(core, running),
    waitingOn: waitingOn(core, running),
    costUsd: round(state.costUsd),
    taskCount,
    counts,
    highlights,
    notes: latestNotes(core, OVERVIEW_NOTES),
  };
}

export function view(core: Core, r: RecordView): TaskView {
  const task = core.task(r.id);
  return {
    id: r.id,
    title: task.title ?? r.id,
    state: r.state,
    // A running task counts the attempt in progress (docs/STATUS.md): the run knows it is at least its run's first;
    // the status query and the worker's snapshot add the later attempts Temporal's retries have begun. An agent
    // waiting on its question's answer is an attempt in progress too, and so is the answer its verify commands check.
    attempts:
      r.state === 'running' || r.state === 'verifying' || (r.state === 'awaiting-answer' && r.question?.held === false)
        ? r.attempts + 1
        : r.attempts,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    costUsd: round(r.costUsd),
    summary: r.text,
    artifactPath: r.artifactPath,
    error: r.error,
    errorType: r.errorType,
    errorKind: errorKindOf(r.errorType),
    verification: r.verification ? { ...r.verification } : null,
    sessionId: r.sessionId,
    dependsOn: task.dependsOn,
    taskQueue: task.taskQueue ?? core.state.plan.defaults?.taskQueue ?? null,
    guidance: (r.notes ?? []).map((n) => ({
      message: n.message,
      at: n.at,
      delivered: n.deliveredAt !== null,
      deliveredAt: n.deliveredAt,
    })),
    ...(r.child ? { child: childView(r.child) } : {}),
    question:
      r.state === 'awaiting-answer' && r.question ? { text: r.question.text, askedAt: r.question.askedAt } : null,
  };
}

function childView(child: Readonly<ChildView>): ChildView {
  return { runId: child.runId, phase: child.phase, ...(child.planWaiting ? { planWaiting: child.planWaiting } : {}) };
}

export function round(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}
