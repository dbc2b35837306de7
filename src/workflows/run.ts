// One run's live parts while its workflow runs: the planning (a run started from a goal) until the run has a
// plan, then its scheduler; the agents running now; worktree isolation; and what people see of it.
import { proxySinks, type CancellationScope } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { AnswerSinks } from '../contract/talk.js';
import type { Plan } from '../plan/schema.js';
import { DETAILS_ROWS } from './details.js';
import type { OrchestrateOptions } from './input.js';
import { GuidanceMemos } from './guidance-memo.js';
import type { InterventionHooks } from './interventions.js';
import type { PlanRoundsContext } from './plan-rounds.js';
import type { Planning } from './planning.js';
import { Publisher } from './publisher.js';
import type { Scheduler, StatusPage } from './scheduler/index.js';
import { overviewOf, type Overview, type RunStatus } from './status.js';
import { TaskRuns } from './task-runs.js';
import { Worktrees } from './worktrees.js';

const now = (): string => new Date().toISOString();
const { agentAnswers } = proxySinks<AnswerSinks>();

export class Run implements PlanRoundsContext {
  readonly tasks: TaskRuns;
  /** The notes running agents may still be told, in the run's memo (DESIGN §11). */
  readonly memos = new GuidanceMemos();
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
  ) {
    this.sched = scheduler;
    this.tasks = new TaskRuns(runId, options, this.memos);
    this.publisher = new Publisher(runId, { overview: () => this.overview(), status: () => this.status() });
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
  isolate(sched: Scheduler, retryInitialInterval: Duration | undefined): Worktrees {
    this.isolation = new Worktrees(this.runId, sched, retryInitialInterval);
    return this.isolation;
  }

  status(page?: StatusPage): RunStatus {
    return this.sched
      ? this.sched.status(this.runId, now(), this.tasks.size, page)
      : this.planning!.status(this.runId, now());
  }

  /** The run at a glance (cheap at any size: see Scheduler.overview). */
  overview(): Overview {
    return this.sched
      ? this.sched.overview(this.tasks.size, DETAILS_ROWS)
      : overviewOf(this.planning!.status(this.runId, now()), DETAILS_ROWS);
  }

  /** The accepted plan; while one waits for approval, the proposed one (`baton plan show` is how people review it). */
  plan(): Plan | null {
    return this.sched?.plan ?? this.planning?.state.plan ?? null;
  }

  /** Keep the Web UI's current details, the search attributes and the worker's status snapshot in step. */
  publish(): void {
    this.publisher.publish();
  }

  plannerScope(scope: CancellationScope | undefined): void {
    this.planner = scope;
  }

  /** What people's interventions need of the run (see ./interventions.ts). */
  readonly hooks: InterventionHooks = {
    now,
    status: () => this.status(),
    intervened: () => this.publisher.intervention(),
    cancelTask: (taskId, reason) => this.tasks.cancel(taskId, reason),
    guided: (taskId) => {
      if (this.sched) this.memos.sync(this.sched, taskId);
    },
    abortRunning: () => {
      this.tasks.cancelAll();
      this.planner?.cancel();
    },
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
        if (merge.outcome === 'conflict') sched.mergeConflict(taskId, merge, now());
        else sched.approve(taskId, note);
      })();
    },
  };
}
