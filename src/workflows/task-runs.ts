// The tasks that run now, and their ends going back to the scheduler: an agent each (in a cancellation scope of its
// own: a person's cancelTask, an abort or the run's failure cancels one or all), or a child run for a task with a
// sub-plan (./children/child-runs.ts).
import { CancellationScope, uuid4 } from '@temporalio/workflow';
import type { DependencyResult, RunAgentInput } from '../contract/agent.js';
import { effectiveTask, isSubPlanTask } from '../plan/schema.js';
import { describeFailure } from './activity-failures.js';
import { ChildRuns } from './children/child-runs.js';
import type { GuidanceMemos } from './guidance-memo.js';
import type { OrchestrateOptions } from './input.js';
import type { Scheduler } from './scheduler/index.js';
import { runVerified } from './verification.js';
import { WarmAgents } from './warm-agents.js';
import type { IsolatedOutcome, Worktrees } from './worktrees.js';

/** Text of a dependency's notes its dependents' prompts carry at most (the notes tool reads them all). */
const DEPENDENCY_NOTES_BYTES = 8 * 1024;

interface Running {
  scope: CancellationScope;
  /** Settles once the task's end is recorded. */
  done: Promise<void>;
  /** Why a person cancelled it (`baton cancel --reason`): its error says so. */
  reason?: string;
}

export class TaskRuns {
  private readonly running = new Map<string, Running>();
  /** The tasks whose sub-plans run as child runs. */
  readonly children: ChildRuns;
  /** Tasks whose claude their worker may start ahead (./warm-agents.ts). */
  readonly warm: WarmAgents;

  constructor(
    private readonly runId: string,
    private readonly options: OrchestrateOptions,
    sched: () => Scheduler | undefined,
    /** A task's waiting notes go with its prompt when it starts; its memo key goes when it ends. */
    private readonly memos: GuidanceMemos,
  ) {
    this.children = new ChildRuns(runId, options, sched);
    this.warm = new WarmAgents(runId);
  }

  /** Tasks running: agents and sub-plans (maxParallel counts both). */
  get size(): number {
    return this.running.size + this.children.size;
  }

  /** Agents running (continue-as-new waits for them; running sub-plans are handed on). */
  get agents(): number {
    return this.running.size;
  }

  /** Starts a run of the task: its agent (in its worktree, with isolation) or its sub-plan; the end is recorded. */
  launch(sched: Scheduler, taskId: string, worktrees: Worktrees | undefined): void {
    if (isSubPlanTask(sched.task(taskId))) return this.children.launch(sched, taskId);
    const now = () => new Date().toISOString();
    const record = sched.markRunning(taskId, now());
    const task = effectiveTask(sched.plan, sched.task(taskId));
    const { guidance, prompt } = sched.takeGuidance(taskId, now());
    this.memos.sync(sched, taskId);
    // A sub-plan's first tasks build on what its task's dependencies gave (DESIGN.md §10: dependencies hold across levels).
    const parent = this.options.parent;
    const inherited = task.dependsOn.length === 0 ? (parent?.dependencies ?? []) : [];
    // A question whose agent ended before the answer came: this run continues that conversation with the answer.
    const answered = sched.talk.takeAnswer(taskId);
    const cwd = sched.plan.workspace?.repo ?? this.options.cwd ?? '.';
    // A warmed task's run has the conversation its claude was started with.
    const warmSession = this.warm.launched(taskId, record.generation);
    const input: RunAgentInput = {
      runId: this.runId,
      goal: sched.plan.goal,
      ...(parent ? { parentGoals: parent.parentGoals } : {}),
      task: prompt ? { ...task, prompt } : task,
      generation: record.generation,
      cwd,
      agents: sched.plan.agents,
      dependencies: [
        ...inherited,
        ...task.dependsOn.map((id): DependencyResult => {
          const dep = sched.record(id);
          return {
            id,
            title: sched.task(id).title ?? id,
            state: dep.state === 'skipped' ? 'skipped' : 'succeeded',
            summary: dep.text ?? '',
            artifactPath: dep.artifactPath ?? undefined,
            notes: sched.talk.notesOf([id], DEPENDENCY_NOTES_BYTES).map(({ key, text }) => ({ key, text })),
          };
        }),
      ],
      guidance,
      sessionId: answered?.sessionId ?? warmSession ?? uuid4(),
      ...(answered ? { answer: { question: answered.text, text: answered.answer! } } : {}),
    };
    // The agent, then its verify commands (./verification.ts), in its worktree with isolation.
    const agent = (agentInput: RunAgentInput) => runVerified(sched, this.runId, task, agentInput, this.options);
    const scope = new CancellationScope();
    const work = (): Promise<IsolatedOutcome> =>
      worktrees ? worktrees.run(taskId, task, input, agent) : agent(input).then((result) => ({ result }));
    // The task leaves `running` in the same step that records its end (and bumps sched.version): the
    // main loop may wake between two microtasks, and must never see a settled task still running.
    const done = scope.run(work).then(
      ({ result, conflict, verifyFailed }) => {
        this.running.delete(taskId);
        if (conflict) sched.mergeFailed(taskId, { conflict }, now(), result);
        else if (verifyFailed) sched.mergeFailed(taskId, { verifyFailed }, now(), result);
        else sched.succeeded(taskId, result, now());
        this.memos.sync(sched, taskId);
      },
      (err: unknown) => {
        const reason = this.running.get(taskId)?.reason;
        this.running.delete(taskId);
        const failure = describeFailure(err, task.retries + 1);
        if (failure.cancelled && reason) failure.message = `cancelled: ${reason}`;
        sched.failed(taskId, failure, now());
        this.memos.sync(sched, taskId);
        this.warm.sweep(sched);
      },
    );
    this.running.set(taskId, { scope, done });
    // Its dependents' claudes may start now (not in worktrees: a dependent's does not exist yet).
    if (!worktrees) this.warm.dependencyStarted(sched, taskId, cwd);
  }

  /** Cancels the task's agent or sub-plan; settles when its end is recorded. A task not running is left alone. */
  async cancel(taskId: string, reason?: string): Promise<void> {
    if (this.children.has(taskId)) return await this.children.cancel(taskId, reason && `cancelled: ${reason}`);
    const entry = this.running.get(taskId);
    if (!entry) return;
    entry.reason = reason;
    entry.scope.cancel();
    await entry.done;
  }

  /** Cancels every agent and ends every sub-plan (`reason`: what their runs say). */
  cancelAll(reason = 'the run above it ended'): void {
    this.warm.releaseAll();
    for (const entry of this.running.values()) entry.scope.cancel();
    this.children.cancelAll(reason);
  }

  /** Settles when every running task's end is recorded. */
  async settled(): Promise<void> {
    await Promise.allSettled([...[...this.running.values()].map((e) => e.done), this.children.settled()]);
  }
}
