// Walking a plan with its inline sub-plans (DESIGN.md §10): every task at every level, with its path id
// (`backend/db`) and its level (the plan itself is level 1). Pure: safe to import from workflow code.
import type { SubPlan, Task } from './schema.js';

/** What the walk needs of a plan or a sub-plan. */
export interface TaskList {
  tasks: Task[];
}

/** The separator of path ids: never part of a task id. */
export const PATH_SEPARATOR = '/';

export function joinPath(parent: string, id: string): string {
  return parent === '' ? id : `${parent}${PATH_SEPARATOR}${id}`;
}

/** The inline sub-plan of a task, if it has one (a file not yet inlined, or a goal, has none). */
export function inlineSubPlan(task: Pick<Task, 'plan'>): SubPlan | undefined {
  return typeof task.plan === 'object' ? task.plan : undefined;
}

/** Every task, parents before their children, in plan order. */
export function forEachTask(
  plan: TaskList,
  visit: (task: Task, path: string, level: number) => void,
  prefix = '',
  level = 1,
): void {
  for (const task of plan.tasks) {
    const path = joinPath(prefix, task.id);
    visit(task, path, level);
    const sub = inlineSubPlan(task);
    if (sub) forEachTask(sub, visit, path, level + 1);
  }
}

/** The plan with every task (sub-plans' too) replaced by what `change` makes of it. */
export function mapTasks<P extends TaskList>(plan: P, change: (task: Task, path: string) => Task, prefix = ''): P {
  return {
    ...plan,
    tasks: plan.tasks.map((task) => {
      const path = joinPath(prefix, task.id);
      const changed = change(task, path);
      const sub = inlineSubPlan(changed);
      return sub ? { ...changed, plan: mapTasks(sub, change, path) } : changed;
    }),
  };
}

/** Tasks at every level, and how many of them an agent runs (neither a `plan` nor a `goal`). */
export function countTasks(plan: TaskList): { all: number; agents: number } {
  let all = 0;
  let agents = 0;
  forEachTask(plan, (task) => {
    all++;
    if (task.plan === undefined && task.goal === undefined) agents++;
  });
  return { all, agents };
}

/** How many levels the plan has (1 without sub-plans; a goal task counts the level its planner will write). */
export function depthOf(plan: TaskList): number {
  let depth = 1;
  forEachTask(plan, (task, _path, level) => {
    if (task.plan !== undefined || task.goal !== undefined) depth = Math.max(depth, level + 1);
  });
  return depth;
}
