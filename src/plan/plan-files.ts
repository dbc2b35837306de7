// Sub-plan files (DESIGN.md §10): `plan: plans/backend.yaml` names a plan file relative to the plan that names it.
// Loading a plan loads those too, recursively, each checked at its own level with its problems placed in its own
// file; a chain of files that comes back to one of its own is refused. Once every file is valid each is inlined,
// so the run's plan carries its whole tree: the workflow reads no file. The reading itself is load.ts's (given).
import path from 'node:path';
import { formatPath, PlanError, type PathSegment, type PlanIssue } from './errors.js';
import { isRecord, type HierarchyContext } from './hierarchy.js';
import { DEFAULT_MAX_DEPTH, type Plan, type SubPlan, type Task } from './schema.js';

export type PlanValidation = { ok: true; plan: Plan } | { ok: false; issues: PlanIssue[] };

/** One plan file, read and checked; `place` gives the line and column of a path in it. */
export interface CheckedFile {
  result: PlanValidation;
  /** The file's content as parsed (before the schema), for what the schema rejected. */
  value: unknown;
  place(path: string): Pick<PlanIssue, 'line' | 'column'>;
}

/** Reads and checks one plan file at a level of the tree; throws a PlanError when it cannot be read. */
export type CheckFile = (file: string, context: HierarchyContext) => Promise<CheckedFile>;

/** The fields a sub-plan file may set that its parent would otherwise give (see SubPlanSchema). */
const INHERITABLE = [
  'name',
  'goal',
  'maxParallel',
  'onFailure',
  'budgetUsd',
  'maxDepth',
  'defaults',
  'agents',
] as const;

/** A `plan:` naming a file, where it is and at which level its plan would be. */
interface FileRef {
  /** `tasks[2].plan` (or deeper, inside an inline sub-plan). */
  path: string;
  file: string;
  level: number;
}

/** The file, every sub-plan file under it, all checked; the plan with each file inlined, or every problem. */
export async function loadPlanTree(file: string, check: CheckFile): Promise<PlanValidation> {
  return (await loadTree(file, check, 1, undefined, [])).result;
}

async function loadTree(
  file: string,
  check: CheckFile,
  level: number,
  maxDepth: number | undefined,
  chain: readonly string[],
): Promise<{ result: PlanValidation; value: unknown }> {
  const checked = await check(file, { level, maxDepth });
  const issues = checked.result.ok ? [] : [...checked.result.issues];
  const depth = Math.min(maxDepth ?? Infinity, depthOf(checked.value) ?? maxDepth ?? DEFAULT_MAX_DEPTH);
  if (level > 1 && isRecord(checked.value) && checked.value.workspace !== undefined) {
    const message = 'a sub-plan works in the workspace of the plan above it: remove "workspace" here';
    issues.push({ file, path: 'workspace', ...checked.place('workspace'), message });
  }
  const inlined = new Map<string, SubPlan>();
  const here = path.resolve(file);
  for (const ref of fileRefs(checked.value, level)) {
    const target = path.isAbsolute(ref.file) ? ref.file : path.join(path.dirname(file), ref.file);
    const at = { file, path: ref.path, ...checked.place(ref.path) };
    const seen = [...chain, here];
    if (seen.includes(path.resolve(target))) {
      const loop = [...seen.slice(seen.indexOf(path.resolve(target))), path.resolve(target)];
      issues.push({
        ...at,
        message: `sub-plan files form a cycle: ${loop.map((f) => path.relative('.', f)).join(' → ')}`,
      });
      continue;
    }
    const sub = await loadTree(target, check, ref.level, depth, seen).catch((err: unknown) => {
      if (!(err instanceof PlanError)) throw err;
      // An unreadable file is a problem of the `plan:` that names it.
      const unreadable = err.issues.map((issue) => ({ ...at, message: `sub-plan ${target}: ${issue.message}` }));
      return { result: { ok: false as const, issues: unreadable }, value: undefined };
    });
    if (sub.result.ok) inlined.set(ref.path, asSubPlan(sub.result.plan, sub.value));
    else issues.push(...sub.result.issues);
  }
  const { value } = checked;
  if (issues.length > 0 || !checked.result.ok) return { result: { ok: false, issues }, value };
  return { result: { ok: true, plan: inline(checked.result.plan, inlined) }, value };
}

/** Every `plan:` that names a file, in the plan and its inline sub-plans. */
function fileRefs(value: unknown, level: number, at: PathSegment[] = []): FileRef[] {
  const tasks = isRecord(value) && Array.isArray(value.tasks) ? (value.tasks as unknown[]) : [];
  return tasks.flatMap((task, i) => {
    if (!isRecord(task)) return [];
    const here: PathSegment[] = [...at, 'tasks', i, 'plan'];
    if (typeof task.plan === 'string' && task.plan !== '') {
      return [{ path: formatPath(here), file: task.plan, level: level + 1 }];
    }
    return isRecord(task.plan) ? fileRefs(task.plan, level + 1, here) : [];
  });
}

function depthOf(value: unknown): number | undefined {
  const depth = isRecord(value) ? value.maxDepth : undefined;
  return typeof depth === 'number' && Number.isInteger(depth) && depth >= 1 ? depth : undefined;
}

/** A whole plan file as a task's sub-plan: what it sets itself, and its tasks (their files inlined already). */
function asSubPlan(plan: Plan, raw: unknown): SubPlan {
  const written = isRecord(raw) ? raw : {};
  const sub: Record<string, unknown> = { tasks: plan.tasks };
  for (const key of INHERITABLE) if (written[key] !== undefined) sub[key] = plan[key];
  return sub as SubPlan;
}

/** The plan with each file `plan:` (by its path) replaced by the sub-plan loaded from it. */
function inline(plan: Plan, subs: ReadonlyMap<string, SubPlan>): Plan {
  if (subs.size === 0) return plan;
  const walk = (tasks: Task[], at: PathSegment[]): Task[] =>
    tasks.map((task, i) => {
      const here: PathSegment[] = [...at, 'tasks', i, 'plan'];
      const loaded = subs.get(formatPath(here));
      if (loaded) return { ...task, plan: loaded };
      if (typeof task.plan === 'object') return { ...task, plan: { ...task.plan, tasks: walk(task.plan.tasks, here) } };
      return task;
    });
  return { ...plan, tasks: walk(plan.tasks, []) };
}
