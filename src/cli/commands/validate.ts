// `baton validate <plan>` and `baton graph <plan>`: read a plan without starting anything.
import { criticalPath } from '../../plan/dag.js';
import { toMermaid } from '../../plan/mermaid.js';
import { readPlan } from '../plan-input.js';

export async function validateCommand(options: { planFile: string; json?: boolean }): Promise<number> {
  const plan = await readPlan(options.planFile);
  const path = criticalPath(plan.tasks);
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ valid: true, name: plan.name, tasks: plan.tasks.length, criticalPath: path })}\n`,
    );
  } else {
    process.stdout.write(
      `${options.planFile}: valid plan "${plan.name}" — ${plan.tasks.length} tasks, up to ${plan.maxParallel} at once, ` +
        `onFailure ${plan.onFailure}; critical path (${path.length}): ${path.join(' → ')}\n`,
    );
  }
  return 0;
}

export async function graphCommand(options: { planFile: string }): Promise<number> {
  const plan = await readPlan(options.planFile);
  process.stdout.write(`${toMermaid(plan)}\n`);
  return 0;
}
