// A run's notes (DESIGN §13), for `baton notes` and the MCP tool: every one of them, newest first.
import type { Client } from '@temporalio/client';
import { notesQuery, type Note } from '../contract/talk.js';
import { getStatus } from './runs.js';

export interface RunNotes {
  notes: Note[];
  /** False when only the latest notes could be read: a run that has ended, with no worker to replay it, keeps those. */
  complete: boolean;
}

/** The run's notes whose key or text contains `query` (all without one). */
export async function getNotes(client: Client, runId: string, query?: string): Promise<RunNotes> {
  const handle = client.workflow.getHandle(runId);
  try {
    const notes: Note[] = [];
    for (;;) {
      const page = await handle.query(notesQuery, { query, offset: notes.length });
      notes.push(...page.notes);
      if (page.notes.length === 0 || notes.length >= page.total) return { notes, complete: true };
    }
  } catch (err) {
    // An ended run is answered by a worker replaying it; without one, its final status has the latest notes.
    const { status } = await handle.describe();
    if (status.name === 'RUNNING') throw err;
    const final = await getStatus(client, runId);
    const needle = query?.trim().toLowerCase();
    const notes = final.notes.filter(
      (n) => !needle || n.key.toLowerCase().includes(needle) || n.text.toLowerCase().includes(needle),
    );
    return { notes, complete: final.notes.length >= final.noteCount };
  }
}
