// A person's notes to a task's agent (DESIGN §11). A note on a task that is not running joins the prompt of its
// next run; on a running one it waits for the agent's activity, which reads it (the run's memo: ../guidance-memo.ts)
// while claude works and says when the model got it; one that came too late for the agent's turns joins the next run.
import type { GuidanceMemo } from '../../contract/guidance.js';
import { isSubPlanTask } from '../../plan/schema.js';
import type { Core } from './core.js';
import type { GuidanceNote } from './state.js';

/** Notes kept per task (each at most 16 KB): the oldest delivered ones go first. */
export const NOTES_KEPT = 50;

export function addNote(core: Core, id: string, message: string, now: string): GuidanceNote {
  const r = core.record(id);
  const notes = (r.notes ??= []);
  const note: GuidanceNote = { seq: (notes.at(-1)?.seq ?? 0) + 1, message, at: now, deliveredAt: null };
  notes.push(note);
  while (notes.length > NOTES_KEPT) {
    const oldest = notes.findIndex((n) => n.deliveredAt !== null);
    notes.splice(oldest < 0 ? 0 : oldest, 1);
  }
  return note;
}

/** The notes that wait, given to a prompt or a round that starts now: delivered with it. */
export function takeNotes(core: Core, id: string, now: string): string[] {
  const waiting = (core.record(id).notes ?? []).filter((n) => n.deliveredAt === null);
  for (const note of waiting) note.deliveredAt = now;
  return waiting.map((n) => n.message);
}

/**
 * What the task's running agent may still be told; null when it is not running or nothing waits, and for a task
 * with a sub-plan: no agent of this run reads it (its sub-plan's tasks are guided by their path ids).
 */
export function liveNotes(core: Core, id: string): GuidanceMemo | null {
  const r = core.record(id);
  if (r.state !== 'running' || isSubPlanTask(core.task(id))) return null;
  const notes = (r.notes ?? []).filter((n) => n.deliveredAt === null).map((n) => ({ seq: n.seq, message: n.message }));
  return notes.length === 0 ? null : { generation: r.generation, notes };
}

/** The agent of `generation` says these reached the model; returns whether anything changed. */
export function notesDelivered(
  core: Core,
  id: string,
  generation: number,
  seqs: readonly number[],
  now: string,
): boolean {
  const r = core.record(id);
  if (r.generation !== generation) return false;
  let changed = false;
  for (const note of r.notes ?? []) {
    if (note.deliveredAt === null && seqs.includes(note.seq)) {
      note.deliveredAt = now;
      changed = true;
    }
  }
  return changed;
}

/** The scheduler's face of live guidance: what a running agent may be told, and what reached its model. */
export class LiveGuidance {
  constructor(
    private readonly core: Core,
    /** Counts a change, so the workflow's main loop looks again. */
    private readonly changed: () => void,
  ) {}

  /** What the task's running agent may still be told (the run's memo: ../guidance-memo.ts); null: nothing. */
  liveNotes(id: string): GuidanceMemo | null {
    return liveNotes(this.core, id);
  }

  /** The task's agent of `generation` says these notes reached the model. */
  notesDelivered(id: string, generation: number, seqs: readonly number[], now: string): void {
    if (notesDelivered(this.core, id, generation, seqs, now)) this.changed();
  }
}
