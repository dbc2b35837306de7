// Before a run starts: prompts too large for Temporal's history go to files under
// BATON_HOME/inputs/<run>/, and the plan carries references (src/plan/prompt-ref.ts).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promptRef } from '../plan/prompt-ref.js';
import type { Plan } from '../plan/schema.js';
import { BadInputError } from './errors.js';

/** A prompt above this size is kept out of the workflow's input. */
export const INLINE_PROMPT_BYTES = 64 * 1024;
/** Above this, the plan's prompts move to files, largest first, until the plan fits. */
const PLAN_BUDGET_BYTES = 1024 * 1024;

export async function externalizeLargePrompts(plan: Plan, runId: string, inputsDir: string | undefined): Promise<Plan> {
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
  if (!inputsDir) {
    throw new BadInputError(`the plan's prompts are too large to start a run without a folder for them (BATON_HOME)`);
  }
  const dir = path.join(inputsDir, runId);
  await mkdir(dir, { recursive: true });
  const tasks = await Promise.all(
    plan.tasks.map(async (task, index) => {
      if (!moving.has(index)) return task;
      const file = path.join(dir, `${task.id}.prompt.md`);
      await writeFile(file, task.prompt);
      return { ...task, prompt: promptRef(file) };
    }),
  );
  return { ...plan, tasks };
}
