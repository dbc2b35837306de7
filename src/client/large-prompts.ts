// Before a run starts: prompts too large for Temporal's history go to the artifact store (BATON_HOME/inputs/<run>/,
// or the S3 bucket that workers on other hosts read), and the plan carries references (src/plan/prompt-ref.ts).
import { inputKey } from '../activities/artifact-paths.js';
import type { ArtifactStore } from '../artifacts/store.js';
import { promptRef } from '../plan/prompt-ref.js';
import type { Plan } from '../plan/schema.js';
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
  const bySize = plan.tasks
    .map((task, index) => ({ index, bytes: Buffer.byteLength(task.prompt) }))
    .sort((a, b) => b.bytes - a.bytes);
  const moving = new Set<number>();
  for (const { index, bytes } of bySize) {
    if (bytes <= INLINE_PROMPT_BYTES && planBytes <= PLAN_BUDGET_BYTES) break;
    if (bytes < 1024) break;
    moving.add(index);
    planBytes -= bytes;
  }
  if (moving.size === 0) return plan;
  if (!store) {
    throw new BadInputError(`the plan's prompts are too large to start a run without a store for them (BATON_HOME)`);
  }
  const tasks = await Promise.all(
    plan.tasks.map(async (task, index) => {
      if (!moving.has(index)) return task;
      return { ...task, prompt: promptRef(await store.putText(inputKey(runId, task.id), task.prompt)) };
    }),
  );
  return { ...plan, tasks };
}
