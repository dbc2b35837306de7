// `baton notes <run> [--query <text>] [--json]`: the notes a run's agents recorded for each other (DESIGN §13).
import type { Config } from '../../config/index.js';
import { getNotes } from '../../client/notes.js';
import { withWorker } from '../../client/worker-check.js';
import { table } from '../format.js';
import { openClient } from '../temporal.js';

export interface NotesOptions {
  runId: string;
  query?: string;
  json?: boolean;
}

/** What the table shows of a note's text (`--json` has it whole). */
const TEXT_CHARS = 100;

export async function notesCommand(config: Config, options: NotesOptions): Promise<number> {
  const connected = await openClient(config);
  try {
    const { notes, complete } = await withWorker(connected, options.runId, () =>
      getNotes(connected.client, options.runId, options.query),
    );
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ runId: options.runId, notes, complete }, null, 2)}\n`);
      return 0;
    }
    if (notes.length === 0) {
      process.stdout.write(options.query ? `No notes match "${options.query}".\n` : 'No notes in this run yet.\n');
      return 0;
    }
    const rows = notes.map((n) => [oneLine(n.key, 40), n.taskId, n.at, oneLine(n.text, TEXT_CHARS)]);
    process.stdout.write(`${table(['KEY', 'TASK', 'AT', 'TEXT'], rows)}\n`);
    if (!complete)
      process.stdout.write('(the latest notes: the run has ended and no worker could replay it for all)\n');
    return 0;
  } finally {
    await connected.close();
  }
}

/** One line without control characters: an agent's text must not move a person's terminal around. */
function oneLine(text: string, max: number): string {
  const flat = text
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
