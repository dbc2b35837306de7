// `baton validate <plan>` and `baton graph <plan>`: read a plan without starting anything.
import { criticalPath } from '../../plan/dag.js';
import { toMermaid } from '../../plan/mermaid.js';
import { routedTasks } from '../../plan/schema.js';
import { readPlan } from '../plan-input.js';

export async function validateCommand(options: { planFile: string; json?: boolean }): Promise<number> {
  const plan = await readPlan(options.planFile);
  const path = criticalPath(plan.tasks);
  // Routing (`taskQueue`): which tasks need workers on which queues, besides the run's own.
  const taskQueues: Record<string, string[]> = {};
  for (const { id, taskQueue } of routedTasks(plan)) if (taskQueue) (taskQueues[taskQueue] ??= []).push(id);
  if (options.json) {
    const shape = { valid: true, name: plan.name, tasks: plan.tasks.length, criticalPath: path, taskQueues };
    process.stdout.write(`${JSON.stringify(shape)}\n`);
  } else {
    process.stdout.write(
      `${options.planFile}: valid plan "${plan.name}" — ${plan.tasks.length} tasks, up to ${plan.maxParallel} at once, ` +
        `onFailure ${plan.onFailure}; critical path (${path.length}): ${path.join(' → ')}\n`,
    );
    for (const [queue, ids] of Object.entries(taskQueues)) {
      process.stdout.write(`  task queue "${queue}" (needs a worker serving it): ${ids.join(', ')}\n`);
    }
  }
  return 0;
}

export async function graphCommand(options: { planFile: string }): Promise<number> {
  const plan = await readPlan(options.planFile);
  process.stdout.write(`${toMermaid(plan)}\n`);
  return 0;
}
