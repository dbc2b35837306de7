// The deterministic state machine of a run: which task may start, what a result or a person's intervention does
// to the states. Pure (no Temporal calls), so it runs in the workflow sandbox and in unit tests alike; its state
// is plain data (./state.ts), carried over continue-as-new. Only this class's methods change it, and each change
// bumps `version`, which the workflow's main loop watches. The work is done by the parts beside it.
import type { RunAgentResult } from '../../contract/agent.js';
import type { WorkspaceBase } from '../../contract/workspace.js';
import type { Plan, Task } from '../../plan/schema.js';
import type { ChildEnd, ChildReport } from '../children/messages.js';
import type { Overview, Phase, RunStatus, TaskView } from '../status.js';
import type { SubPlanWording } from '../wording.js';
import * as children from './children.js';
import { Core } from './core.js';
import { refresh, startable } from './derivation.js';
import { LiveGuidance } from './guidance.js';
import * as intervention from './interventions.js';
import * as lifecycle from './lifecycle.js';
import * as merges from './merges.js';
import * as run from './outcome.js';
import type { Outcome } from './outcome.js';
import { freshState, type RecordView, type SchedulerState } from './state.js';
import type { SchedulerView, TaskFailure } from './state.js';
import { Talk } from './talk.js';
import { allViews, overview, status, view, type StatusPage } from './views.js';

export class Scheduler {
  private readonly core: Core;
  private changes = 0;
  /** Agents' notes and questions (DESIGN §13; see ./talk.ts). */
  readonly talk: Talk;
  /** A person's notes to running agents (DESIGN §11; see ./guidance.ts). */
  readonly guidance: LiveGuidance;

  /** Takes `state` over: from here on, only this scheduler changes it. */
  constructor(state: SchedulerState) {
    this.core = new Core(state);
    refresh(this.core);
    this.talk = new Talk(this.core, (apply) => this.change(apply));
    this.guidance = new LiveGuidance(this.core, () => this.changes++);
  }

  /**
   * A run that starts now; `spentUsd`: what it cost before it had its plan (planning), part of its budget; `level`:
   * its plan's level in its tree of plans (a sub-plan's run, DESIGN.md §10).
   */
  static fresh(plan: Plan, now: string, spentUsd = 0, level = 1): Scheduler {
    return new Scheduler({ ...freshState(plan, now, spentUsd), ...(level > 1 ? { level } : {}) });
  }

  /** The state, read-only: what continue-as-new carries. */
  get state(): SchedulerView {
    return this.core.state;
  }

  /** Bumped on every change, so the workflow's main loop knows when to look again. */
  get version(): number {
    return this.changes;
  }

  get plan(): Plan {
    return this.core.state.plan;
  }

  get isolated(): boolean {
    return this.core.isolated;
  }

  record(id: string): RecordView {
    return this.core.record(id);
  }

  task(id: string): Task {
    return this.core.task(id);
  }

  hasTask(id: string): boolean {
    return this.core.has(id);
  }

  /** Every change goes through here: it is applied, then counted. */
  private change<T>(apply: (core: Core) => T): T {
    const result = apply(this.core);
    this.changes++;
    return result;
  }

  /** Recompute the states that follow from dependencies (see ./derivation.ts). */
  refresh(from?: readonly string[]): void {
    this.change((core) => refresh(core, from));
  }

  // ── Tasks' runs ──

  /** Tasks to start now, highest priority first, then plan order. */
  startable(running: number): RecordView[] {
    return startable(this.core, running);
  }

  verifying(id: string, change: lifecycle.VerifyStep): void {
    this.change((core) => lifecycle.verifying(core, id, change));
  }

  markRunning(id: string, now: string): RecordView {
    return this.change((core) => lifecycle.markRunning(core, id, now));
  }

  /** Guidance and replacement prompt are used once, by the attempt that starts now. */
  takeGuidance(id: string, now: string): { guidance: string[]; prompt: string | null } {
    return this.change((core) => lifecycle.takeGuidance(core, id, now));
  }

  succeeded(id: string, result: RunAgentResult, now: string): void {
    this.change((core) => lifecycle.succeeded(core, id, result, now));
  }

  failed(id: string, failure: TaskFailure, now: string): void {
    this.change((core) => lifecycle.failed(core, id, failure, now));
  }

  /** Every task not settled becomes cancelled (used when the run ends early). */
  cancelUnsettled(now: string, reason: string): void {
    this.change((core) => lifecycle.cancelUnsettled(core, now, reason));
  }

  // ── Sub-plans: a task's child run (DESIGN.md §10; see ./children.ts) ──

  childStarted(id: string, runId: string, phase: Phase): void {
    this.change((core) => children.childStarted(core, id, runId, phase));
  }

  /** Applies the child's report; false (nothing changed) when it is stale. */
  childReported(id: string, report: ChildReport): boolean {
    return this.change((core) => children.childReported(core, id, report));
  }

  /** The child ended, and the task with it; false when its end was already recorded. */
  childEnded(id: string, runId: string, end: ChildEnd, now: string): boolean {
    return this.change((core) => children.childEnded(core, id, runId, end, now));
  }

  // ── Worktree isolation (see ./merges.ts) ──

  /** Records the run's base commit once (a run continued-as-new already has it); the base the run keeps. */
  recordBase(base: WorkspaceBase): WorkspaceBase {
    return this.change((core) => merges.recordBase(core, base));
  }

  branchPrepared(id: string, branch: string): void {
    this.change((core) => merges.branchPrepared(core, id, branch));
  }

  /** The merge conflicts, or the plan's verify failed on it; `result`: the agent's, when this comes right after it. */
  mergeFailed(id: string, failure: merges.MergeFailure, now: string, result?: RunAgentResult): void {
    this.change((core) => merges.mergeFailed(core, id, failure, now, result));
  }

  /** Whether an approval of the task must first merge it (after its review, or its conflict). */
  mergesOnApprove(id: string): boolean {
    return merges.mergesOnApprove(this.core, id);
  }

  /** What the next run of the task does to its worktree and its agent; used once, by the run that starts now. */
  takeWorkspaceFlags(id: string): merges.WorkspaceFlags {
    return this.change((core) => merges.takeWorkspaceFlags(core, id));
  }

  // ── The run as a whole (see ./outcome.ts) ──

  /** Whether the run has ended, and how. */
  outcome(running: number): Outcome {
    return run.outcome(this.core, running);
  }

  /** The first task that failed for good, for onFailure: fail. */
  firstFailure(): RecordView | undefined {
    return run.firstFailure(this.core);
  }

  phase(running: number): Phase {
    return run.phase(this.core, running);
  }

  /** What the run waits on a person for, one line each, naming the command that answers (`sub`: in a sub-plan). */
  waitingOn(running: number, sub?: SubPlanWording): string[] {
    return run.waitingOn(this.core, running, sub);
  }

  /** The run ends: what has not run is cancelled with `reason`, and the end is recorded. */
  end(now: string, reason: string): void {
    this.change((core) => run.end(core, now, reason));
  }

  /** The run could not start its tasks: `reason` is the run's, `taskError` each task's. */
  notStarted(reason: string, taskError: string, now: string): void {
    this.change((core) => run.notStarted(core, reason, taskError, now));
  }

  /** The run was cancelled (Temporal's cancellation): every task gets its final state. */
  cancelled(now: string): void {
    this.change((core) => run.cancelled(core, now));
  }

  // ── Views (see ./views.ts) ──

  /** The status JSON, or a page of its tasks. */
  status(runId: string, now: string, running: number, page: StatusPage = {}): RunStatus {
    return status(this.core, runId, now, running, page);
  }

  /** The run at a glance, cheap at any size. */
  overview(running: number, limit: number): Overview {
    return overview(this.core, running, limit);
  }

  view(r: RecordView): TaskView {
    return view(this.core, r);
  }

  /** Every task's view: the run's own, and its sub-plans' as they reported them. */
  views(): TaskView[] {
    return allViews(this.core);
  }

  // ── Interventions (DESIGN.md §4; see ./interventions.ts). check* throws a Refusal; the rest changes state. ──

  checkApprove(taskId: string | undefined): void {
    intervention.checkApprove(this.core, taskId);
  }

  approve(taskId: string, note: string | undefined): TaskView {
    return this.view(this.change((core) => intervention.approve(core, taskId, note)));
  }

  checkReject(taskId: string | undefined): void {
    intervention.checkReject(this.core, taskId);
  }

  reject(taskId: string, reason: string, now: string): TaskView {
    return this.view(this.change((core) => intervention.reject(core, taskId, reason, now)));
  }

  checkPause(): void {
    intervention.checkPause(this.core);
  }

  pause(): void {
    this.change((core) => intervention.pause(core));
  }

  checkResume(budgetUsd: number | undefined): void {
    intervention.checkResume(this.core, budgetUsd);
  }

  resume(budgetUsd: number | undefined): void {
    this.change((core) => intervention.resume(core, budgetUsd));
  }

  checkRetry(taskId: string, reset?: boolean): void {
    intervention.checkRetry(this.core, taskId, reset);
  }

  retry(taskId: string, prompt: string | undefined, note: string | undefined, reset?: boolean): TaskView {
    return this.view(this.change((core) => intervention.retry(core, taskId, prompt, note, reset)));
  }

  checkSkip(taskId: string): void {
    intervention.checkSkip(this.core, taskId);
  }

  skip(taskId: string, reason: string | undefined, now: string): TaskView {
    return this.view(this.change((core) => intervention.skip(core, taskId, reason, now)));
  }

  checkCancelTask(taskId: string): void {
    intervention.checkCancelTask(this.core, taskId);
  }

  checkGuide(taskId: string, message: string): void {
    intervention.checkGuide(this.core, taskId, message);
  }

  guide(taskId: string, message: string, now: string): TaskView {
    return this.view(this.change((core) => intervention.guide(core, taskId, message, now)));
  }

  checkAddTasks(tasks: readonly Task[]): void {
    intervention.checkAddTasks(this.core, tasks);
  }

  addTasks(tasks: readonly Task[]): TaskView[] {
    return this.change((core) => intervention.addTasks(core, tasks)).map((r) => this.view(r));
  }

  checkAbort(): void {
    intervention.checkAbort(this.core);
  }

  abort(reason: string | undefined): void {
    this.change((core) => intervention.abort(core, reason));
  }
}
