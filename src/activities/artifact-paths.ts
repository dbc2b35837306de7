// Where one task's files live. One layout, in one place:
//   <artifactsDir>/<runId>/<taskId>/g<generation>/attempt-<n>.jsonl       the attempt's full stream-json transcript
//   <artifactsDir>/<runId>/<taskId>/g<generation>/attempt-<n>.stderr.log  what claude wrote to stderr
//   <artifactsDir>/<runId>/<taskId>/g<generation>/attempt-<n>.session.json  new or resumed conversation, and why
//   <artifactsDir>/<runId>/<taskId>/g<generation>/attempt-<n>.resume.md   a resumed attempt's prompt, when too long for argv
//   <artifactsDir>/<runId>/<taskId>/g<generation>/prompt.md               the prompt (the same for every attempt)
//   <artifactsDir>/<runId>/<taskId>/g<generation>/result.md               the full result text of the successful attempt
// A generation is one run of the task (a person's retry starts the next one); attempts are Temporal's retries.
import path from 'node:path';

export interface AttemptPaths {
  dir: string;
  transcript: string;
  stderr: string;
  session: string;
  prompt: string;
  resumePrompt: string;
  result: string;
}

export function attemptPaths(
  artifactsDir: string,
  ids: { runId: string; taskId: string; generation: number; attempt: number },
): AttemptPaths {
  const dir = path.join(path.resolve(artifactsDir), segment(ids.runId), segment(ids.taskId), `g${ids.generation}`);
  return {
    dir,
    transcript: path.join(dir, `attempt-${ids.attempt}.jsonl`),
    stderr: path.join(dir, `attempt-${ids.attempt}.stderr.log`),
    session: path.join(dir, `attempt-${ids.attempt}.session.json`),
    prompt: path.join(dir, 'prompt.md'),
    resumePrompt: path.join(dir, `attempt-${ids.attempt}.resume.md`),
    result: path.join(dir, 'result.md'),
  };
}

/** Workflow ids may be chosen by callers: keep them one safe folder name. */
function segment(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return safe === '' || safe === '.' || safe === '..' ? `_${safe}` : safe;
}
