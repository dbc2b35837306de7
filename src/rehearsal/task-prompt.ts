// The two lines of a task prompt that the fake model reads: who the task is, and what it must write.
// The prompt builder uses TASK_HEADER so both sides agree on one format.

const TASK_KEY = /^# Task: ([a-z0-9][a-z0-9._-]{0,62})\s*$/m;
const EXPECTED_OUTPUTS_HEADING = /^## Expected outputs[ \t]*\r?$/m;

/** The line that names a task in its prompt: `# Task: login`. */
export const TASK_HEADER = (id: string): string => '# Task: ' + id;

/** The task id named by a `# Task: <id>` line anywhere in the text, or null. */
export function taskKeyOf(text: string): string | null {
  return TASK_KEY.exec(text)?.[1] ?? null;
}

/**
 * The paths listed under a `## Expected outputs` heading: the `- <path>` lines that follow it
 * (blank lines allowed, surrounding backticks stripped), up to the first other line. Duplicates dropped.
 */
export function expectedOutputsOf(text: string): string[] {
  const heading = EXPECTED_OUTPUTS_HEADING.exec(text);
  if (!heading) return [];
  const paths: string[] = [];
  for (const line of text.slice(heading.index + heading[0].length).split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (!trimmed.startsWith('- ')) break;
    const path = trimmed
      .slice(2)
      .trim()
      .replace(/^`(.*)`$/, '$1');
    if (path !== '' && !paths.includes(path)) paths.push(path);
  }
  return paths;
}

/** Something the rehearsal's model does with baton's tools (DESIGN §13) because its task's prompt says so. */
export type TalkStep =
  { tool: 'note'; key: string; text: string } | { tool: 'notes'; query?: string } | { tool: 'ask'; question: string };

const YOUR_TASK_HEADING = /^## Your task[ \t]*\r?$/m;
const NOTE_LINE = /^(?:- )?note:\s*(.+?)\s*=\s*(.+?)\s*$/i;
const NOTES_LINE = /^(?:- )?read notes(?::\s*(.*?))?\s*$/i;
const ASK_LINE = /^(?:- )?ask:\s*(.+?)\s*$/i;

/**
 * The lines of a task's own prompt (the `## Your task` section, never what dependencies or notes brought) that
 * ask the rehearsal to use baton's tools, in order: `note: <key> = <text>`, `read notes` (or `read notes: <query>`),
 * `ask: <question>` (the first one only: it asks once).
 */
export function talkStepsOf(text: string): TalkStep[] {
  const heading = YOUR_TASK_HEADING.exec(text);
  if (!heading) return [];
  const rest = text.slice(heading.index + heading[0].length);
  const section = rest.slice(0, rest.search(/^## /m) >= 0 ? rest.search(/^## /m) : undefined);
  const steps: TalkStep[] = [];
  for (const raw of section.split('\n')) {
    const line = raw.trim();
    const note = NOTE_LINE.exec(line);
    const notes = NOTES_LINE.exec(line);
    const ask = ASK_LINE.exec(line);
    if (note) steps.push({ tool: 'note', key: note[1]!, text: note[2]! });
    else if (notes) steps.push(notes[1] ? { tool: 'notes', query: notes[1] } : { tool: 'notes' });
    else if (ask && !steps.some((s) => s.tool === 'ask')) steps.push({ tool: 'ask', question: ask[1]! });
  }
  return steps;
}

/** The heading under which a resumed agent's prompt brings the answer to its question (src/activities/prompt.ts). */
export const ANSWER_HEADING = '## Answer to your question';
