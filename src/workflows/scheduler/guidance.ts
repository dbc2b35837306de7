// A person's notes to a task's agent (DESIGN §11). A note on a task that is not running joins the prompt of its
// next run; on a running one it waits for the agent's activity, which asks for it while claude works and says
// when the model got it; one that came too late for a turn joins the next verification round or run.
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

/** What a running agent of this generation may still be told; nothing for an agent that is not the task's now. */
export function pendingNotes(core: Core, id: string, generation: number): { seq: number; message: string }[] {
  const r = core.state.records.find((record) => record.id === id);
  if (!r || r.state !== 'running' || r.generation !== generation) return [];
  return (r.notes ?? []).filter((n) => n.deliveredAt === null).map((n) => ({ seq: n.seq, message: n.message }));
}

/** The agent says these reached the model; returns whether anything changed. */
export function notesDelivered(core: Core, id: string, seqs: readonly number[], now: string): boolean {
  const r = core.state.records.find((record) => record.id === id);
  let changed = false;
  for (const note of r?.notes ?? []) {
    if (note.deliveredAt === null && seqs.includes(note.seq)) {
      note.deliveredAt = now;
      changed = true;
    }
  }
  return changed;
}
