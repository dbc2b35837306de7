// The states that follow from dependencies (pending, ready, awaiting-approval, blocked), and which ready tasks
// start next. They are derived, never set by hand: after any change, `refresh` brings them up to date.
import { DONE_STATES, type TaskState } from '../status.js';
import type { Core } from './core.js';
import type { TaskRecord } from './state.js';

export const DERIVED_STATES: ReadonlySet<TaskState> = new Set(['pending', 'ready', 'awaiting-approval', 'blocked']);

/**
 * Recompute the derived states. With `from`, only those tasks and what depends on them (each completion costs
 * its dependents, not the whole plan); without, every task.
 */
export function refresh(core: Core, from?: readonly string[]): void {
  if (from) {
    const queue = [...from];
    const origins = new Set(from);
    while (queue.length > 0) {
      const id = queue.pop()!;
      const moved = rederive(core, core.record(id));
      if (!moved && !origins.delete(id)) continue;
      for (const dependent of core.dependentsOf(id)) queue.push(dependent);
    }
    return;
  }
  // Plan order is not topological in general: iterate until stable (cheap; usually one pass).
  let moved = true;
  while (moved) {
    moved = false;
    for (const r of core.state.records) moved = rederive(core, r) || moved;
  }
}

function rederive(core: Core, r: TaskRecord): boolean {
  if (!DERIVED_STATES.has(r.state)) return false;
  const next = derivedState(core, r);
  if (next === r.state) return false;
  r.state = next;
  return true;
}

function derivedState(core: Core, r: TaskRecord): TaskState {
  const task = core.task(r.id);
  let allDone = true;
  for (const dep of task.dependsOn) {
    const s = core.record(dep).state;
    if (s === 'failed' || s === 'cancelled' || s === 'blocked') return 'blocked';
    if (!DONE_STATES.includes(s)) allDone = false;
  }
  if (!allDone) return 'pending';
  // A goal's `before` gate is its planned sub-plan's: the task starts, and its planner's plan waits (DESIGN.md §10).
  if (task.approval === 'before' && task.goal === undefined && !r.beforeApproved) return 'awaiting-approval';
  return 'ready';
}

/** Tasks to start now, highest priority first, then plan order. */
export function startable(core: Core, running: number): TaskRecord[] {
  const { state } = core;
  if (state.paused || state.aborted) return [];
  const room = state.plan.maxParallel - running;
  if (room <= 0) return [];
  const ready: { r: TaskRecord; priority: number; index: number }[] = [];
  state.records.forEach((r, index) => {
    if (r.state === 'ready') ready.push({ r, priority: core.task(r.id).priority, index });
  });
  ready.sort((a, b) => b.priority - a.priority || a.index - b.index);
  return ready.slice(0, room).map((x) => x.r);
}
