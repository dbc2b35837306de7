// A run's sub-plan tasks (DESIGN.md §10): each runs as a child `orchestrate` workflow, started with what it inherits
// and its parent close policy request-cancel. A child's end reaches its task from its last report, or — for a child
// this run started — from its workflow's result, whichever comes first; after continue-as-new the next run holds
// the children its predecessor handed on (adopt), and learns their end from their reports. The parent reaches its
// children by signals (abort, pause, resume, the interventions people address to tasks below): the same way for
// the children it started and those it adopted.
import {
  ApplicationFailure,
  CancelledFailure,
  ChildWorkflowCancellationType,
  ChildWorkflowFailure,
  ParentClosePolicy,
  CancellationScope,
  getExternalWorkflowHandle,
  startChild,
  workflowInfo,
  type SignalDefinition,
} from '@temporalio/workflow';
import type { DependencyResult } from '../../contract/agent.js';
import { countTasks, inlineSubPlan, joinPath } from '../../plan/tree.js';
import type { OrchestrateInput, OrchestrateOptions } from '../input.js';
import { abortSignal, pauseSignal, resumeSignal } from '../messages.js';
import type { Scheduler } from '../scheduler/index.js';
import type { RunStatus } from '../status.js';
import { childWorkflowId, inheritance, planOf, resultsOf, type ParentLink } from './child-plan.js';
import { parentContinuedSignal, type ChildEnd, type ChildReport } from './messages.js';

interface ChildEntry {
  runId: string;
  /** Settles once the child has started (or could not): a hand-over waits for it. */
  started: Promise<void>;
  /** Settles once the task's end is recorded. */
  done: Promise<void>;
  finish(): void;
}

export class ChildRuns {
  private readonly entries = new Map<string, ChildEntry>();
  /** Whether the children were last told to pause (the run paused) or to go on. */
  private paused = false;

  constructor(
    private readonly runId: string,
    private readonly options: OrchestrateOptions,
    private readonly sched: () => Scheduler | undefined,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  has(taskId: string): boolean {
    return this.entries.has(taskId);
  }

  /** Starts the task's sub-plan as a child run; its end is recorded as the task's. */
  launch(sched: Scheduler, taskId: string): void {
    const task = sched.task(taskId);
    const record = sched.markRunning(taskId, new Date().toISOString());
    const childId = childWorkflowId(this.runId, taskId, record.generation);
    const own = this.options.parent;
    const link: ParentLink = {
      workflowId: this.runId,
      taskId,
      path: joinPath(own?.path ?? '', taskId),
      level: (own?.level ?? 1) + 1,
      parentGoals: [...(own?.parentGoals ?? []), sched.plan.goal ?? sched.plan.name],
      dependencies: dependencyResults(sched, taskId, own?.dependencies ?? []),
      inherit: inheritance(sched.plan, task, sched.state.costUsd, sched.state.budgetUsd),
    };
    const sub = inlineSubPlan(task);
    const options: OrchestrateOptions = { ...this.options, approvePlan: undefined, parent: link };
    const input: OrchestrateInput = sub
      ? { plan: planOf(sub, link.inherit, taskId, task.title), options }
      : { goal: task.goal, options: { ...options, approvePlan: task.approval === 'before' } };
    sched.childStarted(taskId, childId, sub ? 'running' : 'planning');
    const root = workflowInfo().root?.workflowId ?? this.runId;
    const what = sub ? `${countTasks(sub).all} tasks` : `goal: ${task.goal ?? ''}`;
    const entry = this.entry(taskId, childId);
    // Not cancellable: the run ends its children by the abort signal (./guard.ts says why), and waits for them.
    entry.started = CancellationScope.nonCancellable(async () => {
      try {
        const handle = await startChild('orchestrate', {
          workflowId: childId,
          args: [input],
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          cancellationType: ChildWorkflowCancellationType.ABANDON,
          staticSummary: `${taskId}: sub-plan of task ${link.path} in run ${root} — ${what}`.slice(0, 200),
          staticDetails: task.goal ?? sub?.goal ?? task.title,
        });
        void handle.result().then(
          (status) => this.ended(taskId, childId, completedEnd(status as RunStatus)),
          (err: unknown) => this.ended(taskId, childId, failedEnd(err)),
        );
      } catch (err) {
        this.ended(taskId, childId, failedEnd(err, 'its sub-plan could not start'));
      }
    });
  }

  /** After continue-as-new: the children the run's predecessor started and handed on. */
  adopt(sched: Scheduler): void {
    for (const r of sched.state.records) {
      if (r.state !== 'running' || !r.child || r.child.ended) continue;
      this.entry(r.id, r.child.runId).started = Promise.resolve();
    }
  }

  /** A child's report: its tasks, waits and cost; and, in its last, its end. */
  report(report: ChildReport): void {
    const sched = this.sched();
    if (!sched || !sched.hasTask(report.taskId) || !sched.childReported(report.taskId, report)) return;
    if (report.end) this.ended(report.taskId, report.runId, report.end);
  }

  /** Before continue-as-new: every running child is told, so that the close of this run does not end it. */
  async handOver(): Promise<void> {
    const runId = workflowInfo().runId;
    await Promise.all(
      [...this.entries.values()].map(async (entry) => {
        await entry.started;
        await this.signal(entry.runId, parentContinuedSignal, { runId });
      }),
    );
  }

  /** Ends the task's child (the abort signal); settles once the task's end is recorded. */
  async cancel(taskId: string, reason: string | undefined): Promise<void> {
    const entry = this.entries.get(taskId);
    if (!entry) return;
    await this.abort(taskId, entry, reason);
    await entry.done;
  }

  cancelAll(reason: string): void {
    for (const [taskId, entry] of this.entries) void this.abort(taskId, entry, reason);
  }

  async settled(): Promise<void> {
    await Promise.allSettled([...this.entries.values()].map((e) => e.done));
  }

  /** An intervention addressed to a task below `taskId`, passed on to its child. */
  async forward<T>(taskId: string, signal: SignalDefinition<[T]>, payload: T): Promise<void> {
    const entry = this.entries.get(taskId);
    if (entry) await this.signal(entry.runId, signal, payload);
  }

  /**
   * The run paused or went on: its running children do the same (a resume gives them what is left of the budget).
   * Asked on every turn of the run's loop; nothing is created (no promise) unless the run's pause changed.
   */
  followPause(paused: boolean, budgetLeftUsd: number | null): void {
    if (paused === this.paused) return;
    this.paused = paused;
    const sched = this.sched();
    for (const [taskId, entry] of this.entries) {
      if (paused) {
        void this.signal(entry.runId, pauseSignal, {});
        continue;
      }
      const spent = sched?.record(taskId).child?.costUsd ?? 0;
      const budget = budgetLeftUsd === null ? {} : { budgetUsd: spent + Math.max(budgetLeftUsd, 0.000001) };
      void this.signal(entry.runId, resumeSignal, budget);
    }
  }

  private entry(taskId: string, runId: string): ChildEntry {
    let finish = (): void => undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const entry: ChildEntry = { runId, started: Promise.resolve(), done, finish };
    this.entries.set(taskId, entry);
    return entry;
  }

  /** The child ended: the task's end is recorded and the task leaves the running ones, in the same step. */
  private ended(taskId: string, runId: string, end: ChildEnd): void {
    const sched = this.sched();
    const entry = this.entries.get(taskId);
    if (!sched || !sched.childEnded(taskId, runId, end, new Date().toISOString())) return;
    if (entry?.runId === runId) {
      this.entries.delete(taskId);
      entry.finish();
    }
  }

  private async abort(taskId: string, entry: ChildEntry, reason: string | undefined): Promise<void> {
    await entry.started;
    const delivered = await this.signal(entry.runId, abortSignal, reason ? { reason } : {});
    // A child that cannot be reached has ended, or was ended by hand: a child this run adopted has no result to wait for.
    if (!delivered)
      this.ended(taskId, entry.runId, { outcome: 'cancelled', synthesis: '', message: 'its sub-plan run is gone' });
  }

  private async signal<T>(runId: string, signal: SignalDefinition<[T]>, payload: T): Promise<boolean> {
    try {
      await getExternalWorkflowHandle(runId).signal(signal, payload);
      return true;
    } catch {
      return false;
    }
  }
}

/** The results a sub-plan builds on: its task's dependencies', or (none) those its own run was given. */
function dependencyResults(sched: Scheduler, taskId: string, inherited: DependencyResult[]): DependencyResult[] {
  const task = sched.task(taskId);
  if (task.dependsOn.length === 0) return inherited;
  return resultsOf(
    task.dependsOn,
    (id) => sched.record(id),
    (id) => sched.task(id).title ?? id,
  );
}

/** A child's end from its workflow's result, when no last report said it (it ended without one). */
function completedEnd(status: RunStatus): ChildEnd {
  const needed = new Set(status.tasks.flatMap((t) => (t.parent === undefined ? t.dependsOn : [])));
  const synthesis = status.tasks
    .filter((t) => t.parent === undefined && !needed.has(t.id) && t.state === 'succeeded')
    .map((t) => `### ${t.id}: ${t.title}\n\n${(t.summary ?? '').trim() || '(no summary)'}`)
    .join('\n\n');
  return { outcome: 'completed', synthesis, message: null, costUsd: status.costUsd };
}

function failedEnd(err: unknown, prefix = 'its sub-plan did not complete'): ChildEnd {
  const cause = err instanceof ChildWorkflowFailure ? err.cause : err;
  // A run that did not complete says how it ended in its failure's details (RunFailed), or its cancellation's.
  const carrier = cause instanceof ApplicationFailure || cause instanceof CancelledFailure ? cause : undefined;
  const details = carrier?.details?.[0] as Partial<RunStatus> | undefined;
  const aborted = cause instanceof CancelledFailure;
  const message = cause instanceof Error ? cause.message : String(cause);
  return {
    outcome: aborted ? 'cancelled' : 'failed',
    synthesis: '',
    message: `${prefix}: ${message}`,
    ...(typeof details?.costUsd === 'number' ? { costUsd: details.costUsd } : {}),
  };
}
