// The workflow checks its own input (DESIGN.md §9) with the schema and DAG checks the CLI uses: a run started
// around the CLI (the Web UI, `temporal workflow start`, an SDK) with an invalid plan ends at once as failed, its
// problems listed in the failure (type InvalidPlan, non-retryable), instead of a run that waits forever on a
// cycle or a workflow task that fails on junk and is retried without end.
import { ApplicationFailure } from '@temporalio/workflow';
import type { z } from 'zod';
import { formatIssue, type PlanIssue } from '../plan/errors.js';
import type { Plan } from '../plan/schema.js';
import type { HierarchyContext } from '../plan/hierarchy.js';
import { validatePlanObject } from '../plan/validate.js';
import type { OrchestrateInput, OrchestrateOptions } from './input.js';
import { OptionsSchema, RefusalsSchema } from './input-schemas.js';
import { unpack } from './pack.js';
import type { SchedulerState } from './scheduler/index.js';
import { TaskState, type RefusedSignal, type RunStatus } from './status.js';

export const INVALID_PLAN = 'InvalidPlan';

const TASK_STATES = new Set<string>(Object.values(TaskState));

export interface CheckedInput {
  plan?: Plan;
  goal?: string;
  options: OrchestrateOptions;
  carried?: SchedulerState;
  refusals: RefusedSignal[];
}

/** The input, checked; an InvalidPlan failure (the run's end) listing every problem otherwise. */
export function checkInput(input: unknown, runId: string, now: string): CheckedInput {
  const problems: PlanIssue[] = [];
  const at = (path: string, issues: readonly PlanIssue[]) =>
    problems.push(...issues.map((issue) => ({ ...issue, path: join(path, issue.path) })));
  if (!isRecord(input)) {
    throw invalid(runId, now, undefined, [{ path: '', message: 'the input must be an object: { plan } or { goal }' }]);
  }
  const raw = input as OrchestrateInput & Record<string, unknown>;
  const options = OptionsSchema.safeParse(raw.options ?? {});
  if (!options.success) at('options', zodIssues(options.error));
  const refusals = RefusalsSchema.safeParse(raw.refusals ?? []);
  if (!refusals.success) at('refusals', zodIssues(refusals.error));

  let carried: SchedulerState | undefined;
  let plan: Plan | undefined;
  if (raw.carried !== undefined) {
    carried = checkCarried(raw.carried, (issues) => at('carried', issues));
  } else if (raw.plan !== undefined) {
    const result = validatePlanObject(raw.plan, undefined, hierarchyContextOf(raw.options));
    if (result.ok) plan = result.plan;
    else at('plan', result.issues);
  }
  const goal = typeof raw.goal === 'string' ? raw.goal.trim() : undefined;
  if (raw.goal !== undefined && !goal) problems.push({ path: 'goal', message: 'must be a non-empty string' });
  if (raw.carried === undefined && raw.plan === undefined && raw.goal === undefined) {
    problems.push({ path: '', message: 'the run was started without a plan or a goal' });
  }
  if (problems.length > 0) throw invalid(runId, now, raw.plan, problems);
  return {
    ...(plan ? { plan } : {}),
    ...(goal ? { goal } : {}),
    options: options.data as OrchestrateOptions,
    ...(carried ? { carried } : {}),
    refusals: refusals.data ?? [],
  };
}

/** State carried over continue-as-new: what this workflow packed, unless someone started a run with their own. */
function checkCarried(packed: unknown, report: (issues: PlanIssue[]) => void): SchedulerState | undefined {
  let state: unknown;
  try {
    state = typeof packed === 'string' ? unpack<unknown>(packed) : undefined;
  } catch {
    state = undefined;
  }
  if (!isRecord(state) || !Array.isArray(state.records)) {
    report([{ path: '', message: 'is not state this workflow carried over continue-as-new' }]);
    return undefined;
  }
  const result = validatePlanObject(state.plan);
  if (!result.ok) {
    report(result.issues.map((issue) => ({ ...issue, path: join('plan', issue.path) })));
    return undefined;
  }
  const ids = new Set(result.plan.tasks.map((t) => t.id));
  const records = state.records as unknown[];
  const bad = records.findIndex(
    (r) => !isRecord(r) || typeof r.id !== 'string' || !ids.has(r.id) || !TASK_STATES.has(String(r.state)),
  );
  if (bad >= 0 || records.length !== ids.size) {
    report([{ path: bad >= 0 ? `records[${bad}]` : 'records', message: "does not match the plan's tasks" }]);
    return undefined;
  }
  return { ...(state as unknown as SchedulerState), plan: result.plan };
}

/** Problems listed in the message; all of them are in the failure's details. */
const SHOWN_PROBLEMS = 10;

function invalid(runId: string, now: string, plan: unknown, problems: PlanIssue[]): ApplicationFailure {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const shown = problems.slice(0, SHOWN_PROBLEMS).map(formatIssue);
  if (problems.length > SHOWN_PROBLEMS) shown.push(`… and ${problems.length - SHOWN_PROBLEMS} more`);
  const message = `invalid plan (${count}): ${shown.join('; ')}`;
  const name = isRecord(plan) && typeof plan.name === 'string' ? plan.name.slice(0, 63) : 'invalid-plan';
  // The final status, as every run that ends has one (`baton status`, `baton result`).
  const status: RunStatus = {
    runId,
    name,
    goal: null,
    phase: 'failed',
    waitingOn: [],
    costUsd: 0,
    budgetUsd: null,
    startedAt: now,
    updatedAt: now,
    endedAt: now,
    reason: message,
    taskCount: 0,
    tasks: [],
    refusals: [],
    notes: [],
    noteCount: 0,
  };
  return ApplicationFailure.create({
    type: INVALID_PLAN,
    message,
    nonRetryable: true,
    details: [status, { problems: problems.slice(0, 100) }],
  });
}

function zodIssues(error: z.ZodError): PlanIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.'),
    message: issue.message,
  }));
}

function join(prefix: string, path: string): string {
  if (path === '') return prefix;
  return path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A sub-plan's run is checked at its own level of the tree, under the depth its root allows (DESIGN.md §10). */
function hierarchyContextOf(options: unknown): HierarchyContext {
  const parent = isRecord(options) && isRecord(options.parent) ? options.parent : undefined;
  const inherit = parent && isRecord(parent.inherit) ? parent.inherit : undefined;
  return {
    level: typeof parent?.level === 'number' ? parent.level : undefined,
    maxDepth: typeof inherit?.maxDepth === 'number' ? inherit.maxDepth : undefined,
  };
}
