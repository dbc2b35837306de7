// Run and task states and the status JSON (DESIGN.md §3, §7). Pure types and constants.
import type { ErrorKind } from '../contract/failures.js';
import type { Note } from '../contract/talk.js';

export type { Note } from '../contract/talk.js';

export const Phase = {
  Planning: 'planning',
  AwaitingPlanApproval: 'awaiting-plan-approval',
  Running: 'running',
  Paused: 'paused',
  Completed: 'completed',
  Failed: 'failed',
  Cancelled: 'cancelled',
} as const;
export type Phase = (typeof Phase)[keyof typeof Phase];

export const TaskState = {
  Pending: 'pending',
  Ready: 'ready',
  AwaitingApproval: 'awaiting-approval',
  Running: 'running',
  /** Its agent ended; its `verify` commands run (DESIGN.md §11). */
  Verifying: 'verifying',
  /** Its agent asked a person a question (mcp__baton__ask) and waits for the answer. */
  AwaitingAnswer: 'awaiting-answer',
  AwaitingReview: 'awaiting-review',
  MergeConflict: 'merge-conflict',
  /** The plan's `verify` failed on the integration branch after its merge (undone): it waits for a person. */
  VerificationFailed: 'verification-failed',
  Succeeded: 'succeeded',
  Failed: 'failed',
  Skipped: 'skipped',
  Cancelled: 'cancelled',
  Blocked: 'blocked',
} as const;
export type TaskState = (typeof TaskState)[keyof typeof TaskState];

/** States a task does not leave by itself (a person may still retry or skip it). */
export const SETTLED_STATES: readonly TaskState[] = ['succeeded', 'failed', 'skipped', 'cancelled', 'blocked'];
/** States in which a task's dependents may start. */
export const DONE_STATES: readonly TaskState[] = ['succeeded', 'skipped'];
/** States in which a task waits on a person. */
export const GATE_STATES: readonly TaskState[] = [
  'awaiting-approval',
  'awaiting-answer',
  'awaiting-review',
  'merge-conflict',
  'verification-failed',
];

/** Task states by how much they ask for a person's eye: running and waiting first, done last. */
export const ATTENTION_ORDER: readonly TaskState[] = [
  'running',
  'verifying',
  'awaiting-answer',
  'awaiting-approval',
  'awaiting-review',
  'merge-conflict',
  'verification-failed',
  'failed',
  'cancelled',
  'blocked',
  'ready',
  'pending',
  'succeeded',
  'skipped',
];

export function isFinalPhase(phase: Phase): boolean {
  return phase === 'completed' || phase === 'failed' || phase === 'cancelled';
}

/** One task in the status JSON (DESIGN.md §7). */
export interface TaskView {
  id: string;
  title: string;
  state: TaskState;
  attempts: number;
  startedAt: string | null;
  endedAt: string | null;
  costUsd: number;
  summary: string | null;
  artifactPath: string | null;
  error: string | null;
  errorType: string | null;
  /** What kind of trouble `error` is (`agent`, `timeout`, `policy`, `verification`, …); null without an error. */
  errorKind: ErrorKind | null;
  /** A task with `verify` commands, once they ran: the last round's outcome (DESIGN.md §11); null otherwise. */
  verification: Verification | null;
  sessionId: string | null;
  dependsOn: string[];
  /** The task queue the plan routes the task to (`taskQueue`, its own or from `defaults`); null: the run's own. */
  taskQueue: string | null;
  /** A person's notes (`baton guide`), oldest first, and whether each has reached the agent. */
  guidance: GuidanceView[];
  /** The question its agent asked a person, while it waits for the answer (`baton answer`). */
  question: { text: string; askedAt: string } | null;
  /**
   * True while an operator has paused the task's agent activity (`temporal activity pause`, the Web UI); absent
   * otherwise. Only the server knows: `baton status` adds it from the run's pending activities.
   */
  paused?: true;
  /** A task of a sub-plan (DESIGN.md §10): the path id of the task whose sub-plan it is (`backend`). */
  parent?: string;
  /** A task with a `plan` or a `goal`, once its sub-plan runs: the child run (workflow id) and its phase. */
  child?: ChildView;
}

/** How a task's `verify` commands went (DESIGN.md §11). */
export interface Verification {
  /** The last round passed. */
  passed: boolean;
  /** Rounds run: 1 when the agent's first answer passed (or failed with no fix round left). */
  rounds: number;
  /** The last round's output (a file, or an s3:// ref of the artifact store). */
  outputPath: string;
}

/** The sub-plan of a task as its parent shows it. */
export interface ChildView {
  /** The child workflow's id: `<run>/<task>` (`~<n>` after a person's retry started it again). */
  runId: string;
  phase: Phase;
  /** While its planner's plan waits on a person: `approval` (approve or reject it) or `fix` (reject with advice). */
  planWaiting?: 'approval' | 'fix';
}

/** A signal the run refused (DESIGN.md §4): a signal has no caller to answer, so the run keeps it in view. */
export interface RefusedSignal {
  at: string;
  /** The signal's name (`guide`, `retryTask`, …). */
  operation: string;
  /** The payload as JSON, trimmed: never a large payload carried on. */
  payload: string;
  reason: string;
}

export interface GuidanceView {
  message: string;
  /** When the run received it. */
  at: string;
  /** It reached the agent: with a prompt, or at a turn of a running agent. */
  delivered: boolean;
  deliveredAt: string | null;
}

/** The status JSON (DESIGN.md §7). */
export interface RunStatus {
  runId: string;
  name: string;
  goal: string | null;
  phase: Phase;
  waitingOn: string[];
  costUsd: number;
  budgetUsd: number | null;
  startedAt: string;
  updatedAt: string;
  endedAt: string | null;
  reason: string | null;
  /** Tasks in the run; `tasks` holds them all unless the status was read a page at a time. */
  taskCount: number;
  tasks: TaskView[];
  /** The last signals the run refused, oldest first (at most 20). */
  refusals: RefusedSignal[];
  /** Notes the run's agents recorded (mcp__baton__note), newest first: the latest STATUS_NOTES; `baton notes` has all. */
  notes: Note[];
  /** Notes in the run, all told. */
  noteCount: number;
}

/** Notes the status carries (a run may hold up to a thousand of a few KB each). */
export const STATUS_NOTES = 200;

/** A run at a glance, cheap at any size: what the Web UI's current details and the search attributes show. */
export interface Overview {
  name: string;
  phase: Phase;
  waitingOn: string[];
  costUsd: number;
  taskCount: number;
  /** Tasks per state (states with none are absent). */
  counts: Partial<Record<TaskState, number>>;
  /** The first tasks in ATTENTION_ORDER (then plan order), at most the number asked for. */
  highlights: TaskView[];
  /** The last signals the run refused (the Web UI's details show them). */
  refusals?: RefusedSignal[];
  /** The latest notes, newest first. */
  notes: Note[];
}

/** The overview of a status that has its tasks at hand. */
export function overviewOf(status: RunStatus, limit: number): Overview {
  const rank = (t: TaskView) => ATTENTION_ORDER.indexOf(t.state);
  return {
    name: status.name,
    phase: status.phase,
    waitingOn: status.waitingOn,
    costUsd: status.costUsd,
    taskCount: status.taskCount,
    counts: countStates(status.tasks.map((t) => t.state)),
    highlights: [...status.tasks].sort((a, b) => rank(a) - rank(b)).slice(0, limit),
    notes: status.notes ?? [],
  };
}

export function countStates(states: Iterable<TaskState>): Partial<Record<TaskState, number>> {
  const counts: Partial<Record<TaskState, number>> = {};
  for (const state of states) counts[state] = (counts[state] ?? 0) + 1;
  return counts;
}

/** The activity type of an agent attempt. */
export const AGENT_ACTIVITY = 'runAgent';

/** An agent activity's id: the task and its generation (a person's retry starts the next one). */
export function agentActivityId(taskId: string, generation: number): string {
  return `${taskId}.${generation}`;
}

/** The task of an agent activity id. */
export function taskIdOfActivity(activityId: string): string {
  return activityId.replace(/\.\d+$/, '');
}

/**
 * Task views as a forest (DESIGN.md §10): each view's sub-plan tasks under it, in the order given. A view whose
 * parent is not among them is a root. Used by the run's own view order and by the CLI's tree table.
 */
export function subPlanTree(views: readonly TaskView[]): { roots: TaskView[]; below: Map<string, TaskView[]> } {
  const ids = new Set(views.map((v) => v.id));
  const below = new Map<string, TaskView[]>();
  const roots: TaskView[] = [];
  for (const v of views) {
    if (v.parent === undefined || !ids.has(v.parent)) {
      roots.push(v);
      continue;
    }
    const siblings = below.get(v.parent);
    if (siblings) siblings.push(v);
    else below.set(v.parent, [v]);
  }
  return { roots, below };
}
