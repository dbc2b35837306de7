// The rules of plans within plans (DESIGN.md §10) that the schema alone cannot say: a task has exactly one of
// `prompt`, `plan` and `goal`; sub-plans nest no deeper than `maxDepth`; each inline sub-plan's dependency graph
// holds; what only an agent's task may carry stays there. Checked on the value as parsed, like the graph, so that
// one round reports every problem even when the schema is not satisfied. Pure: the workflow checks its input too.
import { checkDag, type DagTask } from './dag.js';
import { formatPath, parsePath, type PathSegment, type PlanIssue } from './errors.js';
import { DEFAULT_MAX_DEPTH, MAX_DEPTH_LIMIT } from './schema.js';

export interface HierarchyContext {
  /** The level of the plan checked: 1 for a run's plan; a sub-plan's own run knows its level. */
  level?: number;
  /** The most levels the plan above allows; the plan's own `maxDepth` may lower it. Default DEFAULT_MAX_DEPTH. */
  maxDepth?: number;
  /**
   * Whether `plan:` may name a file. Only in a plan file on disk (its loader inlines the file); a workflow's
   * input, a planner's answer and tasks added to a run carry their sub-plans inline.
   */
  files?: boolean;
}

const KINDS = ['prompt', 'plan', 'goal'] as const;

export const NEEDS_ONE_KIND =
  'is required but missing: a task needs a prompt (one agent does it), a plan (a sub-plan does it) or a goal (a planner writes its sub-plan)';
const ONE_KIND_ONLY = 'give a task only one of prompt, plan and goal';
const NO_FILES_HERE =
  'a sub-plan file is read when baton loads a plan file; here give the sub-plan inline ({ tasks: [...] }) or a goal';
const AFTER_ON_SUB_PLAN =
  '"after" reviews one agent\'s result; a task with a plan or a goal takes "before" (for a goal: its sub-plan waits for approval) or none';
const AGENT_ONLY = (key: string) =>
  `a task with a plan or a goal has no agent of its own: put ${key} on the tasks of its sub-plan`;

/** Every problem of the plan's hierarchy (the top level's dependency graph is checkDag's, not this). */
export function hierarchyIssues(value: unknown, context: HierarchyContext = {}): PlanIssue[] {
  const level = context.level ?? 1;
  const own = depthSetting(value);
  const maxDepth = Math.min(context.maxDepth ?? own ?? DEFAULT_MAX_DEPTH, own ?? Infinity);
  const issues: PlanIssue[] = [];
  walk(value, [], level, maxDepth, context.files === true, issues);
  return issues;
}

function walk(
  plan: unknown,
  at: PathSegment[],
  level: number,
  maxDepth: number,
  files: boolean,
  issues: PlanIssue[],
): void {
  const tasks = isRecord(plan) && Array.isArray(plan.tasks) ? (plan.tasks as unknown[]) : [];
  tasks.forEach((task, i) => {
    if (!isRecord(task)) return;
    const here: PathSegment[] = [...at, 'tasks', i];
    const kinds = KINDS.filter((kind) => task[kind] !== undefined);
    if (kinds.length === 0) issues.push({ path: formatPath([...here, 'prompt']), message: NEEDS_ONE_KIND });
    if (kinds.length > 1) issues.push({ path: formatPath([...here, kinds[1]!]), message: ONE_KIND_ONLY });
    const kind = kinds.find((k) => k !== 'prompt');
    if (kind === undefined) return;
    if (level + 1 > maxDepth) {
      issues.push({
        path: formatPath([...here, kind]),
        message: `a sub-plan here would be level ${level + 1}, deeper than maxDepth ${maxDepth} allows (the plan itself is level 1)`,
      });
    }
    if (task.approval === 'after') issues.push({ path: formatPath([...here, 'approval']), message: AFTER_ON_SUB_PLAN });
    for (const key of ['contextFiles', 'expectedOutputs', 'verify'] as const) {
      const list = task[key];
      if (Array.isArray(list) && list.length > 0)
        issues.push({ path: formatPath([...here, key]), message: AGENT_ONLY(key) });
    }
    const sub = task.plan;
    if (typeof sub === 'string' && !files) issues.push({ path: formatPath([...here, 'plan']), message: NO_FILES_HERE });
    if (!isRecord(sub)) return;
    const inside: PathSegment[] = [...here, 'plan'];
    const prefix = formatPath(inside);
    for (const issue of checkDag(dagTasksOf(sub))) {
      issues.push({ ...issue, path: formatPath([...inside, ...parsePath(issue.path)]) || prefix });
    }
    const own = depthSetting(sub);
    walk(sub, inside, level + 1, own === undefined ? maxDepth : Math.min(maxDepth, own), files, issues);
  });
}

/** The plan's own `maxDepth`, when it is a valid one (the schema reports the others). */
function depthSetting(plan: unknown): number | undefined {
  const depth = isRecord(plan) ? plan.maxDepth : undefined;
  return typeof depth === 'number' && Number.isInteger(depth) && depth >= 1 && depth <= MAX_DEPTH_LIMIT
    ? depth
    : undefined;
}

/** Whatever ids and dependencies can be read from a plan; '' stands for unreadable. */
export function dagTasksOf(value: unknown): DagTask[] {
  const tasks = isRecord(value) && Array.isArray(value.tasks) ? (value.tasks as unknown[]) : [];
  return tasks.map((task) => {
    if (!isRecord(task)) return { id: '' };
    const id = typeof task.id === 'string' ? task.id : '';
    const dependsOn = Array.isArray(task.dependsOn)
      ? (task.dependsOn as unknown[]).map((dep) => (typeof dep === 'string' ? dep : ''))
      : [];
    return { id, dependsOn };
  });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
