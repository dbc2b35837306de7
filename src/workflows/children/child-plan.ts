// What a task's sub-plan runs with (DESIGN.md §10): its workflow id, its plan — what it sets itself over what it
// inherits from the plan above (workspace, defaults, agents, onFailure, maxParallel, a budget no larger than what
// is left) — and, once it ends, its synthesis. Pure.
import type { DependencyResult } from '../../contract/agent.js';
import {
  DEFAULT_MAX_DEPTH,
  TaskSettingsSchema,
  type AgentDefinition,
  type OnFailure,
  type Plan,
  type SubPlan,
  type Task,
  type TaskSettings,
  type Workspace,
} from '../../plan/schema.js';
import { joinPath } from '../../plan/tree.js';
import type { RecordView } from '../scheduler/index.js';

/** A child run's workflow id: its parent's and its task's (`baton-shop-1a2b/backend`); `~2` once retried. */
export function childWorkflowId(parentId: string, taskId: string, generation: number): string {
  const id = joinPath(parentId, taskId);
  return generation <= 1 ? id : `${id}~${generation}`;
}

/** What a sub-plan takes from the plan above it, whatever it sets itself. */
export interface Inheritance {
  workspace?: Workspace;
  defaults?: TaskSettings;
  agents?: Record<string, AgentDefinition>;
  onFailure: OnFailure;
  maxParallel: number;
  /** What the plan above has left of its budget (none: no budget). */
  budgetUsd?: number;
  maxDepth: number;
}

/** Where a child run sits in its tree, and what it inherits: given to it in its options (OrchestrateOptions.parent). */
export interface ParentLink {
  /** The parent run's workflow id: reports go to whichever of its runs is open. */
  workflowId: string;
  /** The parent's task this run does. */
  taskId: string;
  /** That task's path id from the root run (`backend/api`). */
  path: string;
  /** The level of this run's plan (the root's is 1). */
  level: number;
  /** The goals of the plans above, the root's first. */
  parentGoals: string[];
  /** The results of the task's dependencies: its first tasks (and a goal's planner) build on them. */
  dependencies: DependencyResult[];
  inherit: Inheritance;
}

const SETTINGS = Object.keys(TaskSettingsSchema.shape) as (keyof TaskSettings)[];

/** What the task's sub-plan inherits from `plan` (the parent's), `spentUsd` being what the parent has spent. */
export function inheritance(plan: Plan, task: Task, spentUsd: number, budgetUsd: number | null): Inheritance {
  // The task's own settings are defaults for its sub-plan's tasks, over the plan's.
  const own: TaskSettings = {};
  for (const key of SETTINGS) if (task[key] !== undefined) Object.assign(own, { [key]: task[key] });
  const defaults = { ...plan.defaults, ...own };
  return {
    workspace: plan.workspace,
    defaults: Object.keys(defaults).length > 0 ? defaults : undefined,
    agents: plan.agents,
    onFailure: plan.onFailure,
    maxParallel: plan.maxParallel,
    budgetUsd: budgetUsd === null ? undefined : Math.max(0, budgetUsd - spentUsd),
    maxDepth: plan.maxDepth ?? DEFAULT_MAX_DEPTH,
  };
}

/** The whole plan a sub-plan runs: what it sets, over what it inherits. */
export function planOf(sub: SubPlan | Plan, inherit: Inheritance, name: string, goal: string | undefined): Plan {
  const budgets = [sub.budgetUsd, inherit.budgetUsd].filter((b): b is number => b !== undefined);
  const depths = [sub.maxDepth, inherit.maxDepth].filter((d): d is number => d !== undefined);
  const defaults = { ...inherit.defaults, ...sub.defaults };
  const agents = { ...inherit.agents, ...sub.agents };
  return {
    version: 1,
    name: sub.name ?? name,
    goal: sub.goal ?? goal,
    maxParallel: sub.maxParallel ?? inherit.maxParallel,
    onFailure: sub.onFailure ?? inherit.onFailure,
    ...(budgets.length > 0 ? { budgetUsd: Math.min(...budgets) } : {}),
    maxDepth: Math.min(...depths),
    ...(Object.keys(defaults).length > 0 ? { defaults } : {}),
    ...(inherit.workspace ? { workspace: inherit.workspace } : {}),
    ...(Object.keys(agents).length > 0 ? { agents } : {}),
    tasks: sub.tasks,
  };
}

/** A run's result for the task it does: the results of its tasks that nothing depends on, each under its title. */
export function synthesis(plan: Plan, record: (id: string) => RecordView): string {
  const needed = new Set(plan.tasks.flatMap((t) => t.dependsOn));
  const parts = plan.tasks
    .filter((t) => !needed.has(t.id))
    .map((t) => ({ task: t, r: record(t.id) }))
    .filter(({ r }) => r.state === 'succeeded')
    .map(({ task, r }) => `### ${task.id}: ${task.title ?? task.id}\n\n${(r.text ?? '').trim() || '(no summary)'}`);
  return parts.join('\n\n');
}

/** What tasks that finished gave, as their dependents' prompts (and a sub-goal's planner) are told it. */
export function resultsOf(
  ids: readonly string[],
  record: (id: string) => RecordView,
  title: (id: string) => string,
): DependencyResult[] {
  return ids.map((id) => {
    const dep = record(id);
    return {
      id,
      title: title(id),
      state: dep.state === 'skipped' ? 'skipped' : 'succeeded',
      summary: dep.text ?? '',
      artifactPath: dep.artifactPath ?? undefined,
    };
  });
}
