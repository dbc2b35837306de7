// The planning phase of a run started from a goal (issue 4): ask the planner, send invalid answers back with
// their problems (a bounded number of times), then wait on a person; with `approvePlan`, hold the valid plan
// until a person approves or rejects it (a rejection plans again with the reason). Pure state, no Temporal
// calls: the orchestrate workflow drives it, and unit tests can too.
import type { PlanGoalResult } from '../contract/planner.js';
import type { Plan } from '../plan/schema.js';
import { Scheduler } from './scheduler/index.js';
import { round } from './scheduler/views.js';
import type { RunStatus } from './status.js';
import { refuse, waiting, waitingInSubPlan, type Refusal, type SubPlanWording } from './wording.js';

export const DEFAULT_PLANNING_ROUNDS = 3;
/** The problems a status lists one by one (the rest are counted). */
const SHOWN_ISSUES = 20;
/** A previous answer longer than this is not repeated to the planner (it travels in workflow history). */
const PREVIOUS_ANSWER_LIMIT = 16_000;

export type PlanningStage =
  /** The planner is (about to be) asked. */
  | 'planning'
  /** A valid plan waits for a person's approve or reject (`approvePlan`). */
  | 'awaiting-approval'
  /** The planner gave no valid plan within its rounds, or failed: a person rejects (plan again) or aborts. */
  | 'awaiting-fix'
  | 'accepted'
  | 'aborted';

export interface PlanningState {
  goal: string;
  stage: PlanningStage;
  startedAt: string;
  endedAt: string | null;
  /** Planner requests so far: the round of the latest one. */
  round: number;
  /** Invalid answers since the last person's word; at `maxRounds` the run waits on a person. */
  invalidInARow: number;
  maxRounds: number;
  /** Given to the next request: the problems of the last answer, a person's reason. */
  feedback: string[];
  /** The last answer (its JSON), repeated to the planner so the problems' paths make sense. */
  previous: string | null;
  /** Problems of the last answer (or the planner's failure), shown while waiting on a person. */
  issues: string[];
  /** The valid plan: proposed (awaiting-approval) or accepted. */
  plan: Plan | null;
  costUsd: number;
  reason: string | null;
  note: string | null;
}

/** A run's name before it has a plan: a slug of its goal (also used in the workflow id). */
export function goalSlug(goal: string): string {
  const slug = goal
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return slug === '' ? 'goal' : slug;
}

export class Planning {
  private readonly s: PlanningState;
  private changes = 0;

  constructor(goal: string, now: string, maxRounds = DEFAULT_PLANNING_ROUNDS) {
    this.s = {
      goal,
      stage: 'planning',
      startedAt: now,
      endedAt: null,
      round: 0,
      invalidInARow: 0,
      maxRounds: Math.max(1, maxRounds),
      feedback: [],
      previous: null,
      issues: [],
      plan: null,
      costUsd: 0,
      reason: null,
      note: null,
    };
  }

  /** The state, read-only: only the methods below change it. */
  get state(): Readonly<PlanningState> {
    return this.s;
  }

  /** Bumped on every change, so the workflow knows when to look again. */
  get version(): number {
    return this.changes;
  }

  private changed(): void {
    this.changes++;
  }

  /** The next planner request; the stage must be `planning`. */
  nextRequest(): { round: number; feedback: string[]; previous: string | null } {
    this.s.round++;
    this.changed();
    return { round: this.s.round, feedback: [...this.s.feedback], previous: this.s.previous };
  }

  answered(result: PlanGoalResult, approvePlan: boolean): void {
    const s = this.s;
    s.costUsd += result.costUsd;
    if (result.ok) {
      s.plan = result.plan;
      s.issues = [];
      s.stage = approvePlan ? 'awaiting-approval' : 'accepted';
    } else {
      s.invalidInARow++;
      s.issues = result.issues;
      s.feedback = result.issues;
      s.previous = bounded(result.raw);
      if (s.invalidInARow >= s.maxRounds) s.stage = 'awaiting-fix';
    }
    this.changed();
  }

  /** The planner activity failed for good (claude missing, auth, retries used up). */
  plannerFailed(message: string): void {
    this.s.issues = [`the planner failed: ${message}`];
    this.s.stage = 'awaiting-fix';
    this.changed();
  }

  /** A method, not a getter: the workflow reads it again after every await, and TypeScript must not narrow it. */
  stage(): PlanningStage {
    return this.s.stage;
  }

  // ── Interventions on the plan (no taskId). check* throws a Refusal; the rest changes state. ──

  checkApprove(taskId: string | undefined): void {
    if (taskId !== undefined) throw refuse.noTaskYet(this.phase(), taskId);
    if (this.s.stage === 'awaiting-fix') throw refuse.noValidPlan();
    if (this.s.stage !== 'awaiting-approval') throw refuse.planNotAwaiting(this.phase());
  }

  approve(note: string | undefined): void {
    this.checkApprove(undefined);
    this.s.stage = 'accepted';
    if (note) this.s.note = note;
    this.changed();
  }

  checkReject(taskId: string | undefined): void {
    if (taskId !== undefined) throw refuse.noTaskYet(this.phase(), taskId);
    if (this.s.stage !== 'awaiting-approval' && this.s.stage !== 'awaiting-fix') {
      throw refuse.planNotAwaiting(this.phase());
    }
  }

  /** Plan again, telling the planner why: a rejected plan, or a person's advice after invalid ones. */
  reject(reason: string): void {
    this.checkReject(undefined);
    const s = this.s;
    const rejected = s.stage === 'awaiting-approval';
    s.feedback = rejected
      ? [`A person rejected your plan. Their reason: ${reason}`]
      : [...s.issues, `A person asks you to plan again. Their advice: ${reason}`];
    if (rejected) s.previous = bounded(s.plan);
    s.plan = null;
    s.issues = [];
    s.invalidInARow = 0;
    s.stage = 'planning';
    this.changed();
  }

  checkAbort(): void {
    if (this.s.stage === 'aborted') throw refuse.alreadyAborted();
  }

  abort(reason: string | undefined, now: string): void {
    this.checkAbort();
    this.s.stage = 'aborted';
    this.s.reason = reason ? `aborted: ${reason}` : 'aborted';
    this.s.endedAt = now;
    this.changed();
  }

  /** What the plan waits on a person for: its approval, or advice after invalid plans (DESIGN.md §10 shows it above). */
  planWaiting(): 'approval' | 'fix' | undefined {
    if (this.s.stage === 'awaiting-approval') return 'approval';
    return this.s.stage === 'awaiting-fix' ? 'fix' : undefined;
  }

  /** Refusal for every intervention on tasks while there are none. */
  noTasks(operation: string): Refusal {
    return refuse.noTasksYet(this.phase(), operation);
  }

  phase(): RunStatus['phase'] {
    if (this.s.stage === 'aborted') return 'cancelled';
    // Accepted: the run is about to start its tasks (an approve's answer says so).
    if (this.s.stage === 'accepted') return 'running';
    return this.s.stage === 'awaiting-approval' ? 'awaiting-plan-approval' : 'planning';
  }

  /** `sub`: a sub-goal's run words its lines as the root run shows them (DESIGN.md §10). */
  waitingOn(sub?: SubPlanWording): string[] {
    const s = this.s;
    if (s.stage === 'awaiting-approval' && s.plan) {
      const tasks = s.plan.tasks.length;
      return [sub ? waitingInSubPlan.planApproval(sub.path, tasks, sub.runId) : waiting.planApproval(tasks)];
    }
    if (s.stage !== 'awaiting-fix') return [];
    const rounds = s.invalidInARow >= s.maxRounds ? s.invalidInARow : null;
    const head = sub ? waitingInSubPlan.planFix(sub.path, rounds) : waiting.planFix(rounds);
    const error = (issue: string): string =>
      sub ? waitingInSubPlan.planError(sub.path, issue) : `plan error: ${issue}`;
    const shown = s.issues.slice(0, SHOWN_ISSUES).map(error);
    if (s.issues.length > SHOWN_ISSUES) shown.push(error(`… and ${s.issues.length - SHOWN_ISSUES} more`));
    return [head, ...shown];
  }

  status(runId: string, now: string): RunStatus {
    const s = this.s;
    const proposed = s.stage === 'awaiting-approval' || s.stage === 'accepted' ? s.plan : null;
    return {
      runId,
      name: proposed?.name ?? goalSlug(s.goal),
      goal: s.goal,
      phase: this.phase(),
      waitingOn: this.waitingOn(),
      costUsd: round(s.costUsd),
      budgetUsd: proposed?.budgetUsd ?? null,
      startedAt: s.startedAt,
      updatedAt: now,
      endedAt: s.endedAt,
      reason: s.reason,
      // A proposed plan's tasks are shown as they would be at its start.
      taskCount: proposed?.tasks.length ?? 0,
      tasks: proposed ? Scheduler.fresh(proposed, s.startedAt).status(runId, now, 0).tasks : [],
      // The run's (./refusals.ts): it adds them.
      refusals: [],
      // Agents write notes once tasks run.
      notes: [],
      noteCount: 0,
    };
  }
}

function bounded(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const json = JSON.stringify(value);
  return json.length > PREVIOUS_ANSWER_LIMIT ? null : json;
}
