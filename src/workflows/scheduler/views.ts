// What the scheduler shows: the status JSON (DESIGN.md §7), the run at a glance, one task's view.
import type { Note } from '../../contract/talk.js';
import {
  ATTENTION_ORDER,
  STATUS_NOTES,
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
  const records =
    page.limit === undefined ? state.records.slice(offset) : state.records.slice(offset, offset + page.limit);
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
    taskCount: state.records.length,
    tasks: records.map((r) => (page.compact ? { ...view(core, r), summary: null } : view(core, r))),
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
 * The run at a glance, in one pass over the records and with views of `limit` tasks only: the workflow
 * shows it after every change, so it must not cost what the status of thousands of tasks costs.
 */
export function overview(core: Core, running: number, limit: number): Overview {
  const { state } = core;
  const byState = new Map<TaskState, TaskRecord[]>();
  for (const r of state.records) {
    const list = byState.get(r.state);
    if (list) list.push(r);
    else byState.set(r.state, [r]);
  }
  const counts: Partial<Record<TaskState, number>> = {};
  const highlights: TaskView[] = [];
  for (const s of ATTENTION_ORDER) {
    const list = byState.get(s);
    if (!list) continue;
    counts[s] = list.length;
    for (const r of list) {
      if (highlights.length >= limit) break;
      highlights.push(view(core, r));
    }
  }
  return {
    name: state.plan.name,
    phase: phase(core, running),
    waitingOn: waitingOn(core, running),
    costUsd: round(state.costUsd),
    taskCount: state.records.length,
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
    // waiting on its question's answer is an attempt in progress too.
    attempts:
      r.state === 'running' || (r.state === 'awaiting-answer' && r.question?.held === false)
        ? r.attempts + 1
        : r.attempts,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    costUsd: round(r.costUsd),
    summary: r.text,
    artifactPath: r.artifactPath,
    error: r.error,
    errorType: r.errorType,
    sessionId: r.sessionId,
    dependsOn: task.dependsOn,
    taskQueue: task.taskQueue ?? core.state.plan.defaults?.taskQueue ?? null,
    guidance: (r.notes ?? []).map((n) => ({
      message: n.message,
      at: n.at,
      delivered: n.deliveredAt !== null,
      deliveredAt: n.deliveredAt,
    })),
    question:
      r.state === 'awaiting-answer' && r.question ? { text: r.question.text, askedAt: r.question.askedAt } : null,
  };
}

export function round(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}
