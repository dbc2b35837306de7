// Where one task's files live. One layout, in one place:
//   <artifactsDir>/<runId>/<taskId>/g<generation>/attempt-<n>.jsonl       the attempt's full stream-json transcript
//   <artifactsDir>/<runId>/<taskId>/g<generation>/attempt-<n>.stderr.log  what claude wrote to stderr
//   <artifactsDir>/<runId>/<taskId>/g<generation>/attempt-<n>.session.json  new or resumed conversation, and why
//   <artifactsDir>/<runId>/<taskId>/g<generation>/attempt-<n>.resume.md   a resumed attempt's prompt, when too long for argv
//   <artifactsDir>/<runId>/<taskId>/g<generation>/prompt.md               the prompt (the same for every attempt)
//   <artifactsDir>/<runId>/<taskId>/g<generation>/result.md               the full result text of the successful attempt
//   <artifactsDir>/<runId>/<taskId>/g<generation>/completed.json          the successful attempt's answer to Temporal,
//                                                                          returned again if Temporal did not take it
//                                                                          (completed.fix<k>.json: of fix round k)
//   <artifactsDir>/<runId>/<taskId>/g<generation>/verify-<k>.log          the output of verify round k (DESIGN §11)
//   <artifactsDir>/<runId>/<taskId>/g<generation>/attempt-fix<k>-<n>.*    the files of an attempt of fix round k
//   <artifactsDir>/<runId>/<taskId>/g<generation>/conversations.json      the Claude conversations its attempts had
//   <artifactsDir>/<runId>/<taskId>/g<generation>/conversations/<id>.jsonl  a copy of claude's conversation file,
//                                                                          kept as it grows (another host resumes it)
//   <artifactsDir>/<runId>/<taskId>/g<generation>/dependencies/<dep>.result.md  a dependency's result fetched
//                                                                          from a remote store (S3) for the agent
//   <artifactsDir>/<runId>/.status.json    the run's status snapshot, kept by the worker running the run
//                                            (src/workflows/snapshot.ts; a task id cannot start with a dot)
// A generation is one run of the task (a person's retry starts the next one); attempts are Temporal's retries.
// An attempt numbered like an earlier one (`temporal activity reset` starts again at 1) is `attempt-<n>.<k>`, its
// k-th of that number, so it never overwrites the earlier one's files.
// In the artifact store the same files have the keys `artifacts/<runId>/<taskId>/g<generation>/<file>`.
import path from 'node:path';
import type { StoreKey } from '../artifacts/store.js';
import { safeSegment as segment } from './path-segment.js';

export interface AttemptPaths {
  dir: string;
  transcript: string;
  stderr: string;
  session: string;
  prompt: string;
  resumePrompt: string;
  result: string;
  completed: string;
  conversations: string;
  conversationCopy(sessionId: string): string;
  /** The store key of the generation's folder. */
  dirKey: StoreKey;
  /** The local copy of a dependency's full result (when it is not a local file already). */
  dependencyResult(taskId: string): string;
  /** The store key of one of the files above (one of this attempt's folder). */
  key(file: string): StoreKey;
}

export function attemptPaths(
  artifactsDir: string,
  ids: { runId: string; taskId: string; generation: number; attempt: number | string; fixRound?: number },
): AttemptPaths {
  const fix = ids.fixRound ? `.fix${ids.fixRound}` : '';
  const dir = path.join(path.resolve(artifactsDir), segment(ids.runId), segment(ids.taskId), `g${ids.generation}`);
  const dirKey: StoreKey = `${taskKey(ids.runId, ids.taskId)}/g${ids.generation}`;
  return {
    dir,
    transcript: path.join(dir, `attempt-${String(ids.attempt)}.jsonl`),
    stderr: path.join(dir, `attempt-${String(ids.attempt)}.stderr.log`),
    session: path.join(dir, `attempt-${String(ids.attempt)}.session.json`),
    prompt: path.join(dir, 'prompt.md'),
    resumePrompt: path.join(dir, `attempt-${String(ids.attempt)}.resume.md`),
    result: path.join(dir, 'result.md'),
    completed: path.join(dir, `completed${fix}.json`),
    conversations: path.join(dir, 'conversations.json'),
    conversationCopy: (sessionId) => path.join(dir, 'conversations', `${segment(sessionId)}.jsonl`),
    dirKey,
    dependencyResult: (taskId) => path.join(dir, 'dependencies', `${segment(taskId)}.result.md`),
    key: (file) => `${dirKey}/${path.relative(dir, file).split(path.sep).join('/')}` as StoreKey,
  };
}

/** The status snapshot of a run on the disk of the worker that runs it (never in a remote store). */
export function snapshotPath(artifactsDir: string, runId: string): string {
  return path.join(path.resolve(artifactsDir), segment(runId), '.status.json');
}

/** The store key under which every file of one task of one run lies. */
export function taskKey(runId: string, taskId: string): StoreKey {
  return `artifacts/${segment(runId)}/${segment(taskId)}`;
}

/** The store key of a prompt kept out of the run's input (src/client/large-prompts.ts). */
export function inputKey(runId: string, taskId: string): StoreKey {
  return `inputs/${segment(runId)}/${segment(taskId)}.prompt.md`;
}
