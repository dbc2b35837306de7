// The scheduler's state: plain, serialisable data, carried over continue-as-new (packed: ../pack.ts) and read
// back by clients from a run's start input. Every run in flight holds this shape: add optional fields only.
import type { Note } from '../../contract/talk.js';
import type { WorkspaceBase } from '../../contract/workspace.js';
import type { Plan } from '../../plan/schema.js';
import type { ChildView, TaskState, TaskView, Verification } from '../status.js';

/** How much of a result's text the run keeps (dependents get it; the full text is in the artifact). */
export const KEPT_TEXT_CHARS = 2_000;
/** What is kept of a result once every dependent has started: history and continue-as-new stay small. */
export const SUMMARY_CHARS = 300;

export interface TaskRecord {
  id: string;
  state: TaskState;
  /** Activity attempts over all generations. */
  attempts: number;
  /** Times the workflow scheduled the task (a person's retry or a rejection adds one). */
  generation: number;
  startedAt: string | null;
  endedAt: string | null;
  costUsd: number;
  text: string | null;
  artifactPath: string | null;
  error: string | null;
  errorType: string | null;
  sessionId: string | null;
  /** Messages for the next attempt: a person's guidance, a reviewer's feedback. */
  guidance: string[];
  /** A replacement prompt given with a retry. */
  prompt: string | null;
  beforeApproved: boolean;
  note: string | null;
  // Worktree isolation (optional: state carried from runs before it existed has none of these).
  /** The task's git branch, once its worktree was prepared. */
  branch?: string | null;
  /** Its merge into the integration branch conflicts (state merge-conflict). */
  conflict?: MergeConflict | null;
  /** The next run of the task resolves its conflict (a person's retryTask of a merge-conflict). */
  resolve?: MergeConflict | null;
  /** The next run of the task starts from a clean worktree (retryTask with reset). */
  reset?: boolean;
  /** The next run of the task continues its agent's conversation with the plan's failed verify (a retry of it). */
  planFix?: PlanFix | null;
  // Sub-plans (optional: state carried from runs before them has none).
  /** A task with a `plan` or a `goal`: its child run, as the child last reported it. */
  child?: ChildState | null;
  // Live guidance (DESIGN §11; optional: state carried from runs before it has none).
  /** A person's notes (`guide`), oldest first: pending ones go to the agent's next turn, round or prompt. */
  notes?: GuidanceNote[];
  /** The question its agent asked a person (mcp__baton__ask), until the agent has the answer. */
  question?: Question | null;
  /** Questions the task's agents asked so far: each question's id. */
  questions?: number;
  /** Its `verify` commands' last round in this run of the task (DESIGN.md §11). */
  verification?: Verification | null;
}

/** What a run knows of one of its child runs (a task's sub-plan), from the child's reports (../children). */
export interface ChildState extends ChildView {
  /** The child's tasks and its descendants', with path ids from the root run, as last reported (plan order). */
  tasks: TaskView[];
  /** What the child and its descendants wait on a person for, worded from the root run. */
  waitingOn: string[];
  /** What the child has spent so far (it counts in this run's cost). */
  costUsd: number;
  /** The last report applied. */
  seq: number;
  /** Its end is recorded (a later report, or its workflow's result, changes nothing). */
  ended: boolean;
}

export interface GuidanceNote {
  /** Numbers the task's notes, from 1. */
  seq: number;
  message: string;
  at: string;
  /** When it reached the agent; null while it waits. */
  deliveredAt: string | null;
}

/** A task's question to a person (DESIGN §13). */
export interface Question {
  id: number;
  text: string;
  askedAt: string;
  /** The run (generation) of the task that asked, and its Claude conversation. */
  generation: number;
  sessionId: string;
  answer: string | null;
  answeredAt: string | null;
  /**
   * The attempt that asked has ended (timed out, its worker died…): no agent waits any more. Answered, the task
   * runs again, continuing that conversation with the answer.
   */
  held: boolean;
}

/** The plan's verify failed on a task's merge (undone): what status shows and the task's error says. */
export interface PlanVerifyFailure {
  verification: Verification;
  message: string;
}

/** A conversation to continue, and what it is told: the plan's verify failed after the task's merge. */
export interface PlanFix {
  sessionId: string;
  message: string;
}

export interface MergeConflict {
  files: string[];
  /** Where the conflicted merge waits for a person: the integration branch's worktree. */
  worktree: string;
  integrationBranch: string;
}

export interface SchedulerState {
  plan: Plan;
  records: TaskRecord[];
  paused: boolean;
  pausedForBudget: boolean;
  aborted: boolean;
  reason: string | null;
  /** Nothing could run (worktree isolation without a base commit): the run has failed (optional: added later). */
  unstartable?: boolean;
  costUsd: number;
  budgetUsd: number | null;
  startedAt: string;
  endedAt: string | null;
  /** Worktree isolation: the commit every task branch starts from, recorded when the run starts. */
  base?: WorkspaceBase | null;
  /** Worktree isolation: the task whose conflicted merge holds the integration branch (others wait). */
  integrationHold?: string | null;
  /** The level of this run's plan in its tree of plans (absent: 1, a root run). */
  level?: number;
  /** Notes the run's agents recorded (mcp__baton__note), oldest first. */
  notes?: Note[];
}

/** How a task's attempt ended without a result (see ../activity-failures.ts). */
export interface TaskFailure {
  type: string;
  message: string;
  attempts: number;
  costUsd: number;
  sessionId?: string;
  cancelled?: boolean;
}

/** Read-only all the way down: what the scheduler's readers get, so that only its own methods change it. */
export type Frozen<T> = T extends (infer U)[]
  ? readonly Frozen<U>[]
  : T extends object
    ? { readonly [K in keyof T]: Frozen<T[K]> }
    : T;

export type RecordView = Frozen<TaskRecord>;
/** The state as readers see it; the plan keeps its own type (it is replaced whole, never changed in place). */
export type SchedulerView = Frozen<Omit<SchedulerState, 'plan'>> & { readonly plan: Plan };

/** The state of a run that starts now; `costUsd`: what it spent before (on planning). */
export function freshState(plan: Plan, now: string, costUsd = 0): SchedulerState {
  return {
    plan,
    records: plan.tasks.map((t) => newRecord(t.id)),
    paused: false,
    pausedForBudget: false,
    aborted: false,
    reason: null,
    costUsd,
    budgetUsd: plan.budgetUsd ?? null,
    startedAt: now,
    endedAt: null,
  };
}

export function newRecord(id: string): TaskRecord {
  return {
    id,
    state: 'pending',
    attempts: 0,
    generation: 0,
    startedAt: null,
    endedAt: null,
    costUsd: 0,
    text: null,
    artifactPath: null,
    error: null,
    errorType: null,
    sessionId: null,
    guidance: [],
    prompt: null,
    beforeApproved: false,
    note: null,
  };
}
