// `baton validate <plan>` and `baton graph <plan>`: read a plan without starting anything.
import { criticalPath } from '../../plan/dag.js';
import { PlanError, type PlanIssue } from '../../plan/errors.js';
import { toMermaid } from '../../plan/mermaid.js';
import { routedTasks, type Plan, type Task } from '../../plan/schema.js';
import { countTasks, depthOf, inlineSubPlan } from '../../plan/tree.js';
import { planWarnings, readPlan } from '../plan-input.js';

export async function validateCommand(options: { planFile: string; json?: boolean }): Promise<number> {
  let plan: Plan;
  try {
    plan = await readPlan(options.planFile);
  } catch (err) {
    if (!(options.json && err instanceof PlanError)) throw err;
    // A script reads the problems from stdout; people still see them on stderr. Exit 2, as for any bad input.
    process.stdout.write(`${JSON.stringify({ valid: false, problems: err.issues.map(problemOf) }, null, 2)}\n`);
    process.stderr.write(`baton: ${err.message}\n`);
    return 2;
  }
  const path = criticalPath(plan.tasks);
  // Valid, but a worker refuses it unless told otherwise: people see it on stderr, scripts in `warnings`.
  const warnings = planWarnings(plan);
  for (const warning of warnings) process.stderr.write(`baton: warning: ${warning}\n`);
  // Routing (`taskQueue`): which tasks need workers on which queues, besides the run's own.
  const taskQueues: Record<string, string[]> = {};
  for (const { id, taskQueue } of routedTasks(plan)) if (taskQueue) (taskQueues[taskQueue] ??= []).push(id);
  const all = countTasks(plan);
  const levels = depthOf(plan);
  if (options.json) {
    const shape = {
      valid: true,
      name: plan.name,
      tasks: plan.tasks.length,
      // Sub-plans (DESIGN.md §10): tasks at every level, and how many levels of plans.
      tasksInAll: all.all,
      levels,
      criticalPath: path,
      taskQueues,
      problems: [],
      warnings,
    };
    process.stdout.write(`${JSON.stringify(shape)}\n`);
  } else {
    const tree = levels > 1 ? ` (${all.all} in ${levels} levels of plans, ${all.agents} by agents)` : '';
    process.stdout.write(
      `${options.planFile}: valid plan "${plan.name}" — ${plan.tasks.length} tasks${tree}, up to ${plan.maxParallel} at once, ` +
        `onFailure ${plan.onFailure}; critical path (${path.length}): ${path.join(' → ')}\n`,
    );
    for (const [queue, ids] of Object.entries(taskQueues)) {
      process.stdout.write(`  task queue "${queue}" (needs a worker serving it): ${ids.join(', ')}\n`);
    }
  }
  return 0;
}

/** One problem as `validate --json` prints it: where (null when the file gives no place) and what. */
function problemOf(issue: PlanIssue) {
  const where = { path: issue.path, line: issue.line ?? null, column: issue.column ?? null };
  // `file`: the plan file, or the sub-plan file the problem is in.
  return { ...where, message: issue.message, file: issue.file ?? null };
}

export async function graphCommand(options: { planFile: string; json?: boolean }): Promise<number> {
  const plan = await readPlan(options.planFile);
  const mermaid = toMermaid(plan);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ name: plan.name, mermaid, tasks: graphTasks(plan.tasks) }, null, 2)}\n`);
  } else {
    process.stdout.write(`${mermaid}\n`);
  }
  return 0;
}

/** The tasks as `graph --json` lists them: a sub-plan's tasks under its task, a sub-goal with its goal. */
type GraphTask = Pick<Task, 'id' | 'dependsOn' | 'approval' | 'goal'> & { title: string; tasks?: GraphTask[] };

function graphTasks(tasks: readonly Task[]): GraphTask[] {
  return tasks.map((t) => {
    const sub = inlineSubPlan(t);
    return {
      id: t.id,
      title: t.title ?? t.id,
      dependsOn: t.dependsOn,
      approval: t.approval,
      ...(t.goal !== undefined ? { goal: t.goal } : {}),
      ...(sub ? { tasks: graphTasks(sub.tasks) } : {}),
    };
  });
}
