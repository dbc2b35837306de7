// Run ids (DESIGN.md §6): a run id is never reused, and one a person gives (`--id`) must be usable as one — in
// a terminal, a folder name, a URL. Baton's own carry 48 random bits or more, so two runs of one plan never meet.
import { randomBytes } from 'node:crypto';
import { BadInputError } from './errors.js';

export const MAX_RUN_ID_LENGTH = 200;

/** `baton-<plan name>-<12 hex digits>`: 48 random bits. */
export function newRunId(planName: string): string {
  return `baton-${planName}-${randomBytes(6).toString('hex')}`;
}

/** Why `id` cannot name a run, or undefined. */
export function runIdProblem(id: string): string | undefined {
  if (id.trim() === '') return 'a run id must not be empty';
  if (id.length > MAX_RUN_ID_LENGTH) {
    return `a run id may have at most ${MAX_RUN_ID_LENGTH} characters (this one has ${id.length})`;
  }
  // Printed by `baton list` and in every message: control characters would reach people's terminals.

  if (/[\u0000-\u001f\u007f-\u009f\s]/.test(id)) return 'a run id must not contain spaces or control characters';
  return undefined;
}

/** Throws a BadInputError (exit 2) when `id` cannot name a run; the id is shown escaped. */
export function checkRunId(id: string): void {
  const problem = runIdProblem(id);
  if (problem) throw new BadInputError(`--id ${shownId(id)}: ${problem}`);
}

/** An id as messages show it: control characters escaped, long ones cut. */
export function shownId(id: string): string {
  const cut = id.length > 60 ? `${id.slice(0, 60)}…` : id;
  return JSON.stringify(cut);
}
