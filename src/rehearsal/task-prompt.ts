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
