// Before a run starts: prompts too large for Temporal's history go to the artifact store (BATON_HOME/inputs/<run>/,
// or the S3 bucket that workers on other hosts read), and the plan carries references (src/plan/prompt-ref.ts).
import { inputKey } from '../activities/artifact-paths.js';
import type { ArtifactStore } from '../artifacts/store.js';
import { promptRef } from '../plan/prompt-ref.js';
import type { Plan } from '../plan/schema.js';
import { forEachTask, mapTasks } from '../plan/tree.js';
import { BadInputError } from './errors.js';

/** A prompt above this size is kept out of the workflow's input. */
export const INLINE_PROMPT_BYTES = 64 * 1024;
/** Above this, the plan's prompts move to files, largest first, until the plan fits. */
const PLAN_BUDGET_BYTES = 1024 * 1024;

export async function externalizeLargePrompts(
  plan: Plan,
  runId: string,
  store: ArtifactStore | undefined,
): Promise<Plan> {
  let planBytes = Buffer.byteLength(JSON.stringify(plan));
  // Every agent's prompt, sub-plans' included, by its path id (`backend/db`).
  const prompts: { path: string; prompt: string; bytes: number }[] = [];
  forEachTask(plan, (task, path) => {
    if (task.prompt !== undefined) prompts.push({ path, prompt: task.prompt, bytes: Buffer.byteLength(task.prompt) });
  });
  prompts.sort((a, b) => b.bytes - a.bytes);
  const moving = new Map<string, string>();
  for (const { path, prompt, bytes } of prompts) {
    if (bytes <= INLINE_PROMPT_BYTES && planBytes <= PLAN_BUDGET_BYTES) break;
    if (bytes < 1024) break;
    moving.set(path, prompt);
    planBytes -= bytes;
  }
  if (moving.size === 0) return plan;
  if (!store) {
    throw new BadInputError(`the plan's prompts are too large to start a run without a store for them (BATON_HOME)`);
  }
  const refs = new Map<string, string>();
  await Promise.all(
    [...moving].map(async ([path, prompt]) => {
      refs.set(path, promptRef(await store.putText(inputKey(runId, path), prompt)));
    }),
  );
  return mapTasks(plan, (task, path) => {
    const ref = refs.get(path);
    return ref === undefined ? task : { ...task, prompt: ref };
  });
}
