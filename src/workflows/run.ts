// One run's live parts while its workflow runs: the planning (a run started from a goal) until the run has a
// plan, then its scheduler; the agents and sub-plans running now; worktree isolation; what people see of it; and,
// for a sub-plan's run, its reports to the run above it (DESIGN.md §10).
import { CancellationScope, isCancellation, proxySinks } from '@temporalio/workflow';
import type { AnswerSinks } from '../contract/talk.js';
import type { Plan } from '../plan/schema.js';
import { synthesis } from './children/child-plan.js';
import { CancellationGuard } from './children/guard.js';
import type { ChildEnd } from './children/messages.js';
import { Reporter, type ReportSource } from './children/reporter.js';
import { route } from './children/routing.js';
import { DETAILS_ROWS } from './details.js';
import type { OrchestrateOptions } from './input.js';
import { GuidanceMemos } from './guidance-memo.js';
import type { InterventionHooks } from './interventions.js';
import type { PlanRoundsContext } from './plan-rounds.js';
import type { ActivityTiming } from './proxies.js';
import type { Planning } from './planning.js';
import { Publisher } from './publisher.js';
import { Refusals } from './refusals.js';
import type { Scheduler, StatusPage } from './scheduler/index.js';
import { overviewOf, type Overview, type RefusedSignal, type RunStatus } from './status.js';
import { TaskRuns } from './task-runs.js';
import { Worktrees } from './worktrees.js';

const now = (): string => new Date().toISOString();
const { agentAnswers } = proxySinks<AnswerSinks>();

export class Run implements PlanRoundsContext {
  readonly tasks: TaskRuns;
  /** The notes running agents may still be told, in the run's memo (DESIGN §11). */
  readonly memos = new GuidanceMemos();
  /** Signals the run refused, kept where people look (DESIGN.md §4). */
  readonly refusals: Refusals;
  /** The run's own cancellation scope (./children/guard.ts): its work, and handlers' work, runs in it. */
  readonly guard: CancellationGuard;
  /** A sub-plan's run: its reports to the run above it. */
  readonly reporter: Reporter | undefined;
  private readonly publisher: Publisher;
  private sched: Scheduler | undefined;
  private isolation: Worktrees | undefined;
  private planner: CancellationScope | undefined;

  constructor(
    readonly runId: string,
    readonly options: OrchestrateOptions,
    /** The run's scheduler when it was started with a plan (or carried one over continue-as-new). */
    scheduler: Scheduler | undefined,
    /** A run started from a goal: its planning, until a plan is accepted. */
    readonly planning: Planning | undefined,
    /** The refusals of the run before it continued as new. */
    refusals: readonly RefusedSignal[] = [],
  ) {
    this.sched = scheduler;
    this.refusals = new Refusals(refusals);
    this.tasks = new TaskRuns(runId, options, () => this.sched, this.memos);
    this.guard = new CancellationGuard();
    const parent = options.parent;
    this.reporter = parent && new Reporter(parent, runId, this.reportSource, (reason) => this.orphaned(reason));
    // The root run tells people what the whole tree waits on; a sub-plan's run leaves that to it.
    const run = { overview: () => this.overview(), status: () => this.status() };
    this.publisher = new Publisher(runId, run, { notify: !parent });
  }

  /** The run's scheduler, once it has a plan; until then `planning` answers for the run. */
  get scheduler(): Scheduler | undefined {
    return this.sched;
  }

  /** Worktree isolation (workspace.isolation: worktree): set once the run has its plan. */
  get worktrees(): Worktrees | undefined {
    return this.isolation;
  }

  /** The plan was accepted: from here on its scheduler answers for the run. */
  planAccepted(sched: Scheduler): void {
    this.sched = sched;
  }

  /** Worktree isolation: the scheduler's tasks run in worktrees of their own from here on. */
  isolate(sched: Scheduler, timing: ActivityTiming): Worktrees {
    this.isolation = new Worktrees(this.runId, sched, timing);
    return this.isolation;
  }

  status(page?: StatusPage): RunStatus {
    const status = this.sched
      ? this.sched.status(this.runId, now(), this.tasks.size, page)
      : this.planning!.status(this.runId, now());
    return { ...status, refusals: this.refusals.list() };
  }

  /** The run at a glance (cheap at any size: see Scheduler.overview). */
  overview(): Overview {
    const overview = this.sched
      ? this.sched.overview(this.tasks.size, DETAILS_ROWS)
      : overviewOf(this.planning!.status(this.runId, now()), DETAILS_ROWS);
    return { ...overview, refusals: this.refusals.list() };
  }

  /** The accepted plan; while one waits for approval, the proposed one (`baton plan show` is how people review it). */
  plan(): Plan | null {
    return this.sched?.plan ?? this.planning?.state.plan ?? null;
  }

  /** Keep the Web UI's current details, the search attributes, the worker's status snapshot and the reports in step. */
  publish(): void {
    this.publisher.publish();
    this.reporter?.changed();
  }

  /**
   * A sub-plan's run ends with `ending`: its last report says how (completed: with its synthesis, the results of its
   * tasks that nothing depends on), delivered before the run closes.
   */
  async ends<T>(ending: Promise<T>): Promise<T> {
    const reporter = this.reporter;
    if (!reporter) return await ending;
    const report = (end: ChildEnd) => CancellationScope.nonCancellable(() => reporter.final(end));
    let result: T;
    try {
      result = await ending;
    } catch (err) {
      // An abort or Temporal's cancellation (./endings.ts): either way a CancelledFailure.
      const aborted = isCancellation(err);
      const message = err instanceof Error ? err.message : String(err);
      await report({ outcome: aborted ? 'cancelled' : 'failed', synthesis: '', message: `its sub-plan: ${message}` });
      throw err;
    }
    const sched = this.sched;
    await report({
      outcome: 'completed',
      synthesis: sched ? synthesis(sched.plan, (id) => sched.record(id)) : '',
      message: null,
      costUsd: sched?.state.costUsd,
    });
    return result;
  }

  /** What a sub-plan's run reports of itself. */
  private readonly reportSource: ReportSource = {
    phase: () => (this.sched ? this.sched.phase(this.tasks.size) : this.planning!.phase()),
    planWaiting: () => (this.sched ? undefined : this.planning!.planWaiting()),
    costUsd: () => (this.sched ? this.sched.state.costUsd : this.planning!.state.costUsd),
    views: () => (this.sched ? this.sched.views() : this.planning!.status(this.runId, now()).tasks),
    waitingOn: (sub) => (this.sched ? this.sched.waitingOn(this.tasks.size, sub) : this.planning!.waitingOn(sub)),
  };

  /** The run above is gone (a report could not reach it): this run ends as aborted, and its tasks with it. */
  private orphaned(reason: string): void {
    const sched = this.sched;
    if (sched && !sched.state.aborted) sched.abort(reason);
    else if (!sched && this.planning && this.planning.stage() !== 'aborted') this.planning.abort(reason, now());
    else return;
    this.hooks.abortRunning(reason);
    this.publish();
  }

  plannerScope(scope: CancellationScope | undefined): void {
    this.planner = scope;
  }

  /** What people's interventions need of the run (see ./interventions.ts). */
  readonly hooks: InterventionHooks = {
    now,
    status: () => this.status(),
    intervened: () => this.publisher.intervention(),
    refused: (operation, payload, reason) => {
      this.refusals.add(now(), operation, payload, reason);
      // Nothing else changed, so the main loop would not publish: the details and the snapshot show it now.
      this.publisher.intervention();
      this.publish();
    },
    cancelTask: (taskId, reason) => this.tasks.cancel(taskId, reason),
    guided: (taskId) => {
      if (this.sched) this.memos.sync(this.sched, taskId);
    },
    abortRunning: (reason) => {
      this.tasks.cancelAll(reason ? `aborted: ${reason}` : 'the run above it was aborted');
      this.planner?.cancel();
    },
    route: (operation, input) =>
      this.sched
        ? route(this.sched, this.tasks.children, operation, input, this.options.parent?.path ?? '')
        : undefined,
    inScope: (work) => this.guard.run(work),
    // Sinks are not called on replay: an answer given before a worker's restart reaches its agent by the query.
    answered: (taskId, questionId, answer) => agentAnswers.answered(taskId, questionId, answer),
    mergeOnApprove: (taskId, note) => {
      const sched = this.sched;
      const isolated = this.isolation;
      // Decided synchronously: an approval that merges nothing completes in the same step as it always did.
      if (!isolated || !sched || !sched.mergesOnApprove(taskId)) return undefined;
      return (async () => {
        const merge = await isolated.merge(taskId, sched.task(taskId).title ?? taskId);
        // Skipped (or approved by another call) while the merge waited for its turn: that answer stands.
        if (!sched.mergesOnApprove(taskId)) return;
        if (merge.outcome === 'conflict') sched.mergeFailed(taskId, { conflict: merge }, now());
        else sched.approve(taskId, note);
      })();
    },
  };
}
