// The deterministic state machine of a run: which task may start, what a result or a
// person's intervention does to the states. Pure (no Temporal calls), so it runs in the
// workflow sandbox and in unit tests alike, and its state survives continue-as-new.
import type { Plan, Task } from '../plan/schema.js';
import type { RunAgentResult } from '../contract/agent.js';
import type { MergeTaskResult, WorkspaceBase } from '../contract/workspace.js';
import {
  ATTENTION_ORDER,
  DONE_STATES,
  GATE_STATES,
  type Overview,
  type Phase,
  type RunStatus,
  type TaskState,
  type TaskView,
} from './status.js';

/** How much of a result's text the run keeps (dependents get it; the full text is in the artifact). */
export const KEPT_TEXT_CHARS = 2_000;
/** What is kept of a result once every dependent has started: history and continue-as-new stay small. */
export const SUMMARY_CHARS = 300;

const DERIVED_STATES: ReadonlySet<TaskState> = new Set(['pending', 'ready', 'awaiting-approval', 'blocked']);

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
  costUsd: number;
  budgetUsd: number | null;
  startedAt: string;
  endedAt: string | null;
  /** Worktree isolation: the commit every task branch starts from, recorded when the run starts. */
  base?: WorkspaceBase | null;
  /** Worktree isolation: the task whose conflicted merge holds the integration branch (others wait). */
  integrationHold?: string | null;
}

export interface TaskFailure {
  type: string;
  message: string;
  attempts: number;
  costUsd: number;
  sessionId?: string;
  cancelled?: boolean;
}

/** Thrown by a check when an intervention is not allowed now; the message is the refusal. */
export class Refusal extends Error {
  override name = 'Refusal';
}

export interface StatusPage {
  offset?: number;
  limit?: number;
  compact?: boolean;
}

export type Outcome = 'running' | 'completed' | 'failed' | 'cancelled';

export class Scheduler {
  readonly state: SchedulerState;
  private readonly byId = new Map<string, TaskRecord>();
  private readonly tasks = new Map<string, Task>();
  private dependents = new Map<string, string[]>();
  /** Bumped on every change, so the workflow's main loop knows when to look again. */
  version = 0;

  constructor(state: SchedulerState) {
    this.state = state;
    this.index();
    this.refresh();
  }

  static fresh(plan: Plan, now: string): Scheduler {
    return new Scheduler({
      plan,
      records: plan.tasks.map((t) => newRecord(t.id)),
      paused: false,
      pausedForBudget: false,
      aborted: false,
      reason: null,
      costUsd: 0,
      budgetUsd: plan.budgetUsd ?? null,
      startedAt: now,
      endedAt: null,
    });
  }

  private index(): void {
    this.byId.clear();
    this.tasks.clear();
    this.dependents = new Map();
    for (const r of this.state.records) this.byId.set(r.id, r);
    for (const t of this.state.plan.tasks) {
      this.tasks.set(t.id, t);
      for (const d of t.dependsOn) {
        const list = this.dependents.get(d) ?? [];
        list.push(t.id);
        this.dependents.set(d, list);
      }
    }
  }

  get plan(): Plan {
    return this.state.plan;
  }

  record(id: string): TaskRecord {
    const r = this.byId.get(id);
    if (!r) throw new Refusal(`no task "${id}" in this run (tasks: ${this.listIds()})`);
    return r;
  }

  task(id: string): Task {
    const t = this.tasks.get(id);
    if (!t) throw new Refusal(`no task "${id}" in this run (tasks: ${this.listIds()})`);
    return t;
  }

  private listIds(): string {
    const ids = this.state.records.map((r) => r.id);
    return ids.length > 10 ? `${ids.slice(0, 10).join(', ')}, …` : ids.join(', ');
  }

  private changed(): void {
    this.version++;
  }

  /**
   * Recompute the states that follow from dependencies: pending, ready, awaiting-approval, blocked.
   * With `from`, only those tasks and what depends on them (each completion costs its dependents,
   * not the whole plan); without, every task.
   */
  refresh(from?: readonly string[]): void {
    if (from) {
      const queue = [...from];
      const origins = new Set(from);
      while (queue.length > 0) {
        const id = queue.pop()!;
        const moved = this.rederive(this.record(id));
        if (!moved && !origins.delete(id)) continue;
        for (const dependent of this.dependents.get(id) ?? []) queue.push(dependent);
      }
      return;
    }
    // Plan order is not topological in general: iterate until stable (cheap; usually one pass).
    let moved = true;
    while (moved) {
      moved = false;
      for (const r of this.state.records) moved = this.rederive(r) || moved;
    }
  }

  private rederive(r: TaskRecord): boolean {
    if (!DERIVED_STATES.has(r.state)) return false;
    const next = this.derivedState(r);
    if (next === r.state) return false;
    r.state = next;
    this.changed();
    return true;
  }

  private derivedState(r: TaskRecord): TaskState {
    const task = this.task(r.id);
    let allDone = true;
    for (const dep of task.dependsOn) {
      const s = this.record(dep).state;
      if (s === 'failed' || s === 'cancelled' || s === 'blocked') return 'blocked';
      if (!DONE_STATES.includes(s)) allDone = false;
    }
    if (!allDone) return 'pending';
    if (task.approval === 'before' && !r.beforeApproved) return 'awaiting-approval';
    return 'ready';
  }

  /** Tasks to start now, highest priority first, then plan order. */
  startable(running: number): TaskRecord[] {
    if (this.state.paused || this.state.aborted) return [];
    const room = this.state.plan.maxParallel - running;
    if (room <= 0) return [];
    const ready: { r: TaskRecord; priority: number; index: number }[] = [];
    this.state.records.forEach((r, index) => {
      if (r.state === 'ready') ready.push({ r, priority: this.task(r.id).priority, index });
    });
    ready.sort((a, b) => b.priority - a.priority || a.index - b.index);
    return ready.slice(0, room).map((x) => x.r);
  }

  markRunning(id: string, now: string): TaskRecord {
    const r = this.record(id);
    r.state = 'running';
    r.generation++;
    r.startedAt = now;
    r.endedAt = null;
    r.error = null;
    r.errorType = null;
    for (const dep of this.task(id).dependsOn) this.trimWhenConsumed(dep);
    this.changed();
    return r;
  }

  /** A result's long text is kept for dependents' prompts; once all have started, a summary is enough. */
  private trimWhenConsumed(id: string): void {
    const r = this.record(id);
    if (r.text === null || r.text.length <= SUMMARY_CHARS) return;
    const waiting = (this.dependents.get(id) ?? []).some((d) => DERIVED_STATES.has(this.record(d).state));
    if (!waiting) r.text = `${r.text.slice(0, SUMMARY_CHARS)}…`;
  }

  /** Guidance and replacement prompt are used once, by the attempt that starts now. */
  takeGuidance(id: string): { guidance: string[]; prompt: string | null } {
    const r = this.record(id);
    const taken = { guidance: r.guidance, prompt: r.prompt };
    r.guidance = [];
    r.prompt = null;
    return taken;
  }

  succeeded(id: string, result: RunAgentResult, now: string): void {
    const r = this.record(id);
    this.recordResult(r, result, now);
    r.state = this.task(id).approval === 'after' ? 'awaiting-review' : 'succeeded';
    this.trimWhenConsumed(id);
    this.changed();
    this.refresh([id]);
  }

  private recordResult(r: TaskRecord, result: RunAgentResult, now: string): void {
    r.attempts += result.attempt;
    r.sessionId = result.sessionId;
    r.text = result.text.length > KEPT_TEXT_CHARS ? `${result.text.slice(0, KEPT_TEXT_CHARS)}…` : result.text;
    r.artifactPath = result.artifactPath;
    r.endedAt = now;
    this.addCost(r, result.costUsd);
  }

  // ── Worktree isolation ──

  get isolated(): boolean {
    return this.state.plan.workspace?.isolation === 'worktree';
  }

  /**
   * The task's merge into the integration branch conflicts: it waits for a person, and holds the integration
   * branch (the conflicted merge is in its worktree) until it is resolved, retried or skipped.
   * `result`: the agent's, when the conflict comes right after it.
   */
  mergeConflict(id: string, merge: MergeTaskResult, now: string, result?: RunAgentResult): void {
    const r = this.record(id);
    if (result) this.recordResult(r, result, now);
    r.state = 'merge-conflict';
    r.endedAt = now;
    r.conflict = { files: merge.files, worktree: merge.worktree, integrationBranch: merge.integrationBranch };
    r.errorType = 'MergeConflict';
    r.error = merge.uncommitted
      ? `the merge of ${r.branch ?? id} into ${merge.integrationBranch} is resolved but not committed: commit it in ${merge.worktree}, then approve`
      : `merging ${r.branch ?? id} into ${merge.integrationBranch} conflicts in ${merge.files.join(', ')}: resolve and commit in ${merge.worktree}, then approve (or retry: an agent resolves it; or skip)`;
    this.state.integrationHold = id;
    this.changed();
  }

  /** Whether an approval of the task must first merge it (worktree isolation: after its review, or its conflict). */
  mergesOnApprove(id: string): boolean {
    const state = this.record(id).state;
    return this.isolated && (state === 'merge-conflict' || state === 'awaiting-review');
  }

  /** What the next run of the task does to its worktree; used once, by the run that starts now. */
  takeWorkspaceFlags(id: string): { reset: boolean; resolve: MergeConflict | null } {
    const r = this.record(id);
    const flags = { reset: r.reset === true, resolve: r.resolve ?? null };
    r.reset = false;
    r.resolve = null;
    return flags;
  }

  private releaseHold(id: string): void {
    if (this.state.integrationHold === id) this.state.integrationHold = null;
  }

  failed(id: string, failure: TaskFailure, now: string): void {
    const r = this.record(id);
    r.attempts += failure.attempts;
    if (failure.sessionId) r.sessionId = failure.sessionId;
    r.endedAt = now;
    r.error = failure.message;
    r.errorType = failure.type;
    r.state = failure.cancelled ? 'cancelled' : 'failed';
    this.addCost(r, failure.costUsd);
    this.changed();
    this.refresh([id]);
  }

  private addCost(r: TaskRecord, costUsd: number): void {
    r.costUsd += costUsd;
    this.state.costUsd += costUsd;
    const budget = this.state.budgetUsd;
    if (budget !== null && this.state.costUsd > budget && !this.state.pausedForBudget) {
      this.state.paused = true;
      this.state.pausedForBudget = true;
    }
  }

  /** Every task not settled becomes cancelled (used when the run ends early). */
  cancelUnsettled(now: string, reason: string): void {
    for (const r of this.state.records) {
      if (r.state === 'succeeded' || r.state === 'skipped' || r.state === 'failed' || r.state === 'cancelled') continue;
      if (r.state === 'blocked') continue;
      r.state = 'cancelled';
      r.error ??= reason;
      r.endedAt ??= now;
    }
    this.changed();
  }

  runningIds(): string[] {
    return this.state.records.filter((r) => r.state === 'running').map((r) => r.id);
  }

  /** Whether the run has ended, and how. */
  outcome(running: number): Outcome {
    if (this.state.aborted) return running === 0 ? 'cancelled' : 'running';
    if (running > 0) return 'running';
    const records = this.state.records;
    if (records.every((r) => DONE_STATES.includes(r.state))) return 'completed';
    // fail: the first failure ends the run, once what was running has stopped.
    if (this.state.plan.onFailure === 'fail' && this.firstFailure()) return 'failed';
    if (this.state.plan.onFailure !== 'continue') return 'running';
    // continue: ends when nothing can run any more and nobody is asked anything.
    const open = records.some((r) => r.state === 'ready' || r.state === 'pending' || GATE_STATES.includes(r.state));
    if (open || this.state.paused) return 'running';
    return 'failed';
  }

  /** The first task that failed for good, for onFailure: fail. */
  firstFailure(): TaskRecord | undefined {
    return this.state.records.find((r) => r.state === 'failed');
  }

  phase(running: number): Phase {
    const outcome = this.outcome(running);
    if (outcome !== 'running') return outcome;
    return this.state.paused ? 'paused' : 'running';
  }

  /** What the run waits on a person for, one line each, naming the command that answers. */
  waitingOn(running: number): string[] {
    // A run that is ending or has ended (aborted, failed, completed) waits on nobody.
    if (this.state.aborted || this.outcome(running) !== 'running') return [];
    const waits: string[] = [];
    if (this.state.pausedForBudget && this.state.paused) {
      waits.push(
        `budget: spent $${this.state.costUsd.toFixed(2)} of $${(this.state.budgetUsd ?? 0).toFixed(2)} — baton resume <run> --budget <usd>`,
      );
    } else if (this.state.paused) {
      waits.push('paused — baton resume <run>');
    }
    for (const r of this.state.records) {
      if (r.state === 'awaiting-approval') waits.push(`task ${r.id}: approval to start — baton approve <run> ${r.id}`);
      if (r.state === 'awaiting-review')
        waits.push(`task ${r.id}: review of its result — baton approve|reject <run> ${r.id}`);
      if (r.state === 'merge-conflict') {
        const where = r.conflict
          ? ` in ${r.conflict.files.join(', ') || '(resolved, not committed)'} — resolve and commit in ${r.conflict.worktree}, then`
          : ' — resolve, then';
        waits.push(
          `task ${r.id}: merge conflict${where} baton approve <run> ${r.id} (or baton retry|skip <run> ${r.id})`,
        );
      }
    }
    const stuck =
      running === 0 &&
      !this.state.paused &&
      !this.state.records.some((r) => r.state === 'ready' || r.state === 'pending');
    if (stuck && this.state.plan.onFailure === 'wait') {
      for (const r of this.state.records) {
        if (r.state === 'failed' || r.state === 'cancelled') {
          waits.push(`task ${r.id}: ${r.state} — baton retry|skip <run> ${r.id}, or baton abort <run>`);
        }
      }
    }
    return waits;
  }

  /**
   * The status JSON. `page` returns a slice of the tasks (a plan of thousands of tasks does not fit one
   * message); `taskCount` says how many there are in all. `compact` leaves out result summaries.
   */
  status(runId: string, now: string, running: number, page: StatusPage = {}): RunStatus {
    const offset = Math.max(0, page.offset ?? 0);
    const records =
      page.limit === undefined
        ? this.state.records.slice(offset)
        : this.state.records.slice(offset, offset + page.limit);
    return {
      runId,
      name: this.state.plan.name,
      goal: this.state.plan.goal ?? null,
      phase: this.phase(running),
      waitingOn: this.waitingOn(running),
      costUsd: round(this.state.costUsd),
      budgetUsd: this.state.budgetUsd,
      startedAt: this.state.startedAt,
      updatedAt: now,
      endedAt: this.state.endedAt,
      reason: this.state.reason,
      taskCount: this.state.records.length,
      tasks: records.map((r) => (page.compact ? { ...this.view(r), summary: null } : this.view(r))),
    };
  }

  /**
   * The run at a glance, in one pass over the records and with views of `limit` tasks only: the workflow
   * shows it after every change, so it must not cost what the status of thousands of tasks costs.
   */
  overview(running: number, limit: number): Overview {
    const byState = new Map<TaskState, TaskRecord[]>();
    for (const r of this.state.records) {
      const list = byState.get(r.state);
      if (list) list.push(r);
      else byState.set(r.state, [r]);
    }
    const counts: Partial<Record<TaskState, number>> = {};
    const highlights: TaskView[] = [];
    for (const state of ATTENTION_ORDER) {
      const list = byState.get(state);
      if (!list) continue;
      counts[state] = list.length;
      for (const r of list) {
        if (highlights.length >= limit) break;
        highlights.push(this.view(r));
      }
    }
    return {
      name: this.state.plan.name,
      phase: this.phase(running),
      waitingOn: this.waitingOn(running),
      costUsd: round(this.state.costUsd),
      taskCount: this.state.records.length,
      counts,
      highlights,
    };
  }

  view(r: TaskRecord): TaskView {
    const task = this.task(r.id);
    return {
      id: r.id,
      title: task.title ?? r.id,
      state: r.state,
      attempts: r.attempts,
      startedAt: r.startedAt,
      endedAt: r.endedAt,
      costUsd: round(r.costUsd),
      summary: r.text,
      artifactPath: r.artifactPath,
      error: r.error,
      errorType: r.errorType,
      sessionId: r.sessionId,
      dependsOn: task.dependsOn,
      taskQueue: task.taskQueue ?? this.state.plan.defaults?.taskQueue ?? null,
    };
  }

  // ── Interventions (DESIGN.md §4). check* throws a Refusal; apply* changes state. ──

  checkApprove(taskId: string | undefined): void {
    if (taskId === undefined) throw new Refusal('the plan is not waiting for approval');
    const r = this.record(taskId);
    if (!['awaiting-approval', 'awaiting-review', 'merge-conflict'].includes(r.state)) {
      throw new Refusal(`task ${taskId} is ${r.state}, not waiting for approval`);
    }
  }

  approve(taskId: string, note: string | undefined): TaskView {
    this.checkApprove(taskId);
    const r = this.record(taskId);
    if (r.state === 'awaiting-approval') {
      r.beforeApproved = true;
      r.state = 'ready';
    } else {
      if (r.state === 'merge-conflict') {
        r.conflict = null;
        r.error = null;
        r.errorType = null;
        this.releaseHold(taskId);
      }
      r.state = 'succeeded';
    }
    if (note) r.note = note;
    this.changed();
    this.refresh([taskId]);
    return this.view(r);
  }

  checkReject(taskId: string | undefined): void {
    if (taskId === undefined) throw new Refusal('the plan is not waiting for approval');
    const r = this.record(taskId);
    if (r.state !== 'awaiting-approval' && r.state !== 'awaiting-review') {
      throw new Refusal(`task ${taskId} is ${r.state}, not waiting for approval or review`);
    }
  }

  reject(taskId: string, reason: string, now: string): TaskView {
    this.checkReject(taskId);
    const r = this.record(taskId);
    if (r.state === 'awaiting-approval') {
      r.state = 'skipped';
      r.error = `rejected before start: ${reason}`;
      r.endedAt = now;
    } else {
      r.guidance.push(`A reviewer rejected your previous result. Reviewer feedback: ${reason}`);
      r.state = 'ready';
    }
    this.changed();
    this.refresh([taskId]);
    return this.view(r);
  }

  checkPause(): void {
    if (this.state.aborted) throw new Refusal('the run is aborted');
    if (this.state.paused) throw new Refusal('the run is already paused');
  }

  pause(): void {
    this.checkPause();
    this.state.paused = true;
    this.changed();
  }

  checkResume(budgetUsd: number | undefined): void {
    if (!this.state.paused) throw new Refusal('the run is not paused');
    if (budgetUsd !== undefined && !(budgetUsd > 0)) throw new Refusal('budgetUsd must be a positive number');
    if (this.state.pausedForBudget && this.state.budgetUsd !== null) {
      const budget = budgetUsd ?? this.state.budgetUsd;
      if (budget <= this.state.costUsd) {
        throw new Refusal(
          `the run has spent $${this.state.costUsd.toFixed(2)}; resume with a budget above that (--budget <usd>)`,
        );
      }
    }
  }

  resume(budgetUsd: number | undefined): void {
    this.checkResume(budgetUsd);
    if (budgetUsd !== undefined) this.state.budgetUsd = budgetUsd;
    this.state.paused = false;
    this.state.pausedForBudget = false;
    this.changed();
  }

  checkRetry(taskId: string, reset?: boolean): void {
    const r = this.record(taskId);
    if (r.state === 'merge-conflict') {
      if (reset)
        throw new Refusal(`task ${taskId} has a merge conflict; a reset would throw its work away (skip it instead)`);
      return;
    }
    if (r.state !== 'failed' && r.state !== 'cancelled') {
      throw new Refusal(`task ${taskId} is ${r.state}, not failed or cancelled`);
    }
    if (reset && !this.isolated) throw new Refusal('reset needs worktree isolation (workspace.isolation: worktree)');
  }

  /** A failed or cancelled task runs again; a task in a merge conflict runs an agent that resolves it. */
  retry(taskId: string, prompt: string | undefined, note: string | undefined, reset?: boolean): TaskView {
    this.checkRetry(taskId, reset);
    const r = this.record(taskId);
    if (r.state === 'merge-conflict') {
      // The conflicted merge is left; the agent merges the integration branch into its own worktree instead.
      r.resolve = r.conflict ?? null;
      r.conflict = null;
      this.releaseHold(taskId);
    }
    if (reset) r.reset = true;
    if (prompt) r.prompt = prompt;
    if (note) r.guidance.push(note);
    r.state = 'pending';
    r.error = null;
    r.errorType = null;
    r.endedAt = null;
    this.changed();
    this.refresh([taskId]);
    return this.view(r);
  }

  checkSkip(taskId: string): void {
    const r = this.record(taskId);
    if (r.state === 'running' || r.state === 'succeeded' || r.state === 'skipped') {
      throw new Refusal(`task ${taskId} is ${r.state}; only a task that is not running or done can be skipped`);
    }
  }

  skip(taskId: string, reason: string | undefined, now: string): TaskView {
    this.checkSkip(taskId);
    const r = this.record(taskId);
    if (r.state === 'merge-conflict') {
      // Its conflicted merge is abandoned: the next merge into the integration branch aborts it.
      r.conflict = null;
      this.releaseHold(taskId);
    }
    r.state = 'skipped';
    r.error = reason ? `skipped: ${reason}` : r.error;
    r.endedAt = now;
    this.changed();
    this.refresh([taskId]);
    return this.view(r);
  }

  checkCancelTask(taskId: string): void {
    const r = this.record(taskId);
    if (r.state !== 'running') throw new Refusal(`task ${taskId} is ${r.state}, not running`);
  }

  checkGuide(taskId: string, message: string): void {
    if (!message.trim()) throw new Refusal('the guidance message is empty');
    const r = this.record(taskId);
    if (['succeeded', 'skipped'].includes(r.state)) throw new Refusal(`task ${taskId} is ${r.state}, already finished`);
  }

  guide(taskId: string, message: string): TaskView {
    this.checkGuide(taskId, message);
    const r = this.record(taskId);
    r.guidance.push(message);
    this.changed();
    return this.view(r);
  }

  checkAddTasks(tasks: Task[]): void {
    if (this.state.aborted) throw new Refusal('the run is aborted');
    if (tasks.length === 0) throw new Refusal('no tasks to add');
    const problems: string[] = [];
    const known = new Set(this.state.records.map((r) => r.id));
    const adding = new Set<string>();
    for (const t of tasks) {
      if (known.has(t.id) || adding.has(t.id)) problems.push(`task id "${t.id}" is already in the run`);
      adding.add(t.id);
    }
    for (const t of tasks) {
      for (const d of t.dependsOn) {
        if (!known.has(d) && !adding.has(d)) problems.push(`task "${t.id}" depends on unknown task "${d}"`);
      }
    }
    // New tasks may depend on each other: check that part for cycles.
    const cycle = findCycle(tasks);
    if (cycle) problems.push(`the new tasks form a cycle: ${cycle.join(' → ')}`);
    if (problems.length > 0) throw new Refusal(problems.join('; '));
  }

  addTasks(tasks: Task[]): TaskView[] {
    this.checkAddTasks(tasks);
    this.state.plan = { ...this.state.plan, tasks: [...this.state.plan.tasks, ...tasks] };
    for (const t of tasks) this.state.records.push(newRecord(t.id));
    this.index();
    this.changed();
    this.refresh();
    return tasks.map((t) => this.view(this.record(t.id)));
  }

  checkAbort(): void {
    if (this.state.aborted) throw new Refusal('the run is already aborted');
  }

  abort(reason: string | undefined): void {
    this.checkAbort();
    this.state.aborted = true;
    this.state.reason = reason ? `aborted: ${reason}` : 'aborted';
    this.changed();
  }
}

function newRecord(id: string): TaskRecord {
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

function round(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}

/** A cycle among these tasks' dependencies on each other, as a closed path, or null. */
function findCycle(tasks: Pick<Task, 'id' | 'dependsOn'>[]): string[] | null {
  const deps = new Map(tasks.map((t) => [t.id, t.dependsOn.filter((d) => tasks.some((x) => x.id === d))]));
  const color = new Map<string, 1 | 2>();
  for (const start of deps.keys()) {
    if (color.has(start)) continue;
    const stack: { id: string; next: number }[] = [{ id: start, next: 0 }];
    const path: string[] = [start];
    color.set(start, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const children = deps.get(top.id) ?? [];
      if (top.next < children.length) {
        const child = children[top.next++]!;
        if (color.get(child) === 1) return [...path.slice(path.indexOf(child)), child];
        if (!color.has(child)) {
          color.set(child, 1);
          stack.push({ id: child, next: 0 });
          path.push(child);
        }
      } else {
        color.set(top.id, 2);
        stack.pop();
        path.pop();
      }
    }
  }
  return null;
}
