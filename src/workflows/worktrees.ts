// Worktree isolation in the workflow (DESIGN §2, §3 merge-conflict): each task runs in its own git worktree
// (prepareWorktree → runAgent → commitTask), and its branch is merged into the run's integration branch
// (mergeTask). Merges go one at a time; a conflicted one holds the integration branch — its merge waits
// there for a person — until it is approved, retried (an agent resolves it in its own worktree) or skipped.
// A plan-level verify checks each merge in its turn (./plan-verify.ts). Workflow code: activities by type only.
import { condition, log } from '@temporalio/workflow';
import type { RunAgentInput, RunAgentResult } from '../contract/agent.js';
import type { MergeTaskResult, PreparedWorktree, WorkspaceBase } from '../contract/workspace.js';
import type { EffectiveTask } from '../plan/schema.js';
import { verifyMerge, planVerifyCommands } from './plan-verify.js';
import { workspaceActivities, type ActivityTiming, type WorkspaceActivities } from './proxies.js';
import type { MergeConflict, PlanVerifyFailure, Scheduler } from './scheduler/index.js';
import { CLEAN_UP_FAILED } from './wording.js';

/** What a task's run gives back: the agent's result, and a conflict or the plan's failed verify after its merge. */
export interface IsolatedOutcome {
  result: RunAgentResult;
  conflict?: MergeTaskResult;
  verifyFailed?: PlanVerifyFailure;
}

export class Worktrees {
  /** A merge into the integration branch is in flight (they go one at a time, in the order they come). */
  private merging = false;

  constructor(
    private readonly runId: string,
    private readonly sched: Scheduler,
    /** The run's options: git retries, and the plan's verify (./plan-verify.ts). */
    private readonly timing: ActivityTiming = {},
  ) {}

  /**
   * Routing (a task's `taskQueue`): what touches the task's own worktree — preparing it, committing in it —
   * runs on the task's queue, where its agent works in that folder. What belongs to the run — the base
   * commit, merges into the integration branch, the clean-up — stays on the run's queue, so one place owns
   * the integration worktree. Both see the task's branch only when they share the repository (one host, or
   * one filesystem at the same paths) — or, with `workspace.remote`, through that remote: docs/DEPLOY.md.
   */
  private activities(summary: string, taskQueue?: string): WorkspaceActivities {
    return workspaceActivities(summary, this.timing.retryInitialInterval, taskQueue);
  }

  /** `workspace.remote`: every host's worktrees come from there (DESIGN §12); absent, one filesystem. */
  private get remote(): { remote?: string } {
    const remote = this.sched.plan.workspace?.remote;
    return remote ? { remote } : {};
  }

  private get base(): WorkspaceBase {
    const base = this.sched.state.base;
    if (!base) throw new Error('worktree isolation without a recorded base commit');
    return base;
  }

  /** Records the run's base commit once (a run continued-as-new already has it). */
  async recordBase(repo: string): Promise<WorkspaceBase> {
    const known = this.sched.state.base;
    if (known) return known;
    const input = { repo, ...(this.remote.remote ? { remote: this.remote.remote, runId: this.runId } : {}) };
    return this.sched.recordBase(await this.activities('workspace · base commit').recordBase(input));
  }

  /**
   * One run of a task in its worktree: prepare (its dependencies' work merged in; for a resolver, the
   * integration branch with its conflict), the agent, the commit, then — unless a review comes first — the merge.
   */
  async run(
    taskId: string,
    task: EffectiveTask,
    input: RunAgentInput,
    runAgent: (input: RunAgentInput) => Promise<RunAgentResult>,
  ): Promise<IsolatedOutcome> {
    const flags = this.sched.takeWorkspaceFlags(taskId);
    const dependencies = task.dependsOn.flatMap((id) => {
      const dep = this.sched.record(id);
      return dep.state === 'succeeded' && dep.branch ? [{ id, branch: dep.branch }] : [];
    });
    const prepared = await this.activities(`${taskId} · worktree`, task.taskQueue).prepareWorktree({
      runId: this.runId,
      taskId,
      base: this.base,
      dependencies,
      reset: flags.reset || undefined,
      conflictFrom: flags.resolve?.integrationBranch,
      ...this.remote,
    });
    this.sched.branchPrepared(taskId, prepared.branch);
    const repo = this.sched.plan.workspace?.repo ?? this.base.toplevel;
    const agentTask = flags.resolve ? resolverTask(input.task, prepared, flags.resolve) : input.task;
    // A retry after the plan's verify failed continues that conversation, told what failed (like a task's own verify).
    const fix = flags.fix ? { sessionId: flags.fix.sessionId, fix: { round: 1, message: flags.fix.message } } : {};
    const result = await runAgent({
      ...input,
      ...fix,
      task: agentTask,
      cwd: prepared.cwd,
      pathRebase: [
        { from: repo, to: prepared.cwd },
        { from: this.base.toplevel, to: prepared.path },
      ],
      ...(this.remote.remote ? { sharedWorktree: { remote: this.remote.remote, path: prepared.path } } : {}),
      ...(this.sched.plan.verify?.length ? { planVerifyCommands: this.sched.plan.verify.length } : {}),
    });
    await this.activities(`${taskId} · commit`, task.taskQueue).commitTask({
      runId: this.runId,
      taskId,
      title: task.title,
      path: prepared.path,
      ...this.remote,
    });
    if (task.approval === 'after') return { result };
    // The plan's verify runs in the merge's turn: the next merge builds on a branch that passed it.
    return await this.inTurn(taskId, async () => {
      const merge = await this.mergeActivity(taskId, task.title);
      if (merge.outcome === 'conflict') return { result, conflict: merge };
      const commands = planVerifyCommands(this.sched, merge);
      if (!commands) return { result };
      const verifyFailed = await verifyMerge({
        runId: this.runId,
        sched: this.sched,
        task,
        generation: input.generation,
        commands,
        merge,
        mergeInput: this.mergeInput(taskId, task.title),
        timing: this.timing,
        workspace: this.activities(`${taskId} · undo merge`),
      });
      return verifyFailed ? { result, verifyFailed } : { result };
    });
  }

  /** Merges the task's branch into the integration branch, in its turn (a person's approval: never verified). */
  async merge(taskId: string, title: string): Promise<MergeTaskResult> {
    return await this.inTurn(taskId, () => this.mergeActivity(taskId, title));
  }

  /** Work on the integration branch, one at a time, in the order it comes; a held branch waits for its holder. */
  private async inTurn<T>(taskId: string, work: () => Promise<T>): Promise<T> {
    const free = (): boolean => {
      const hold = this.sched.state.integrationHold ?? null;
      return !this.merging && (hold === null || hold === taskId);
    };
    // Several merges may wake on the same change: whoever runs first takes the turn, the others wait again.
    while (!free()) await condition(free);
    this.merging = true;
    try {
      return await work();
    } finally {
      this.merging = false;
    }
  }

  private mergeInput(taskId: string, title: string) {
    return { runId: this.runId, taskId, title, base: this.base, ...this.remote };
  }

  private async mergeActivity(taskId: string, title: string): Promise<MergeTaskResult> {
    return await this.activities(`${taskId} · merge`).mergeTask(this.mergeInput(taskId, title));
  }

  /** Removes the run's worktrees (its branches stay). A failure is logged: the run's outcome stands. */
  async cleanUp(): Promise<void> {
    try {
      const result = await this.activities('workspace · clean-up').cleanUpWorktrees({
        runId: this.runId,
        ...this.remote,
      });
      if (result.saved.length > 0)
        log.info('unfinished work committed before its worktree was removed', { branches: result.saved });
    } catch (err) {
      log.warn(CLEAN_UP_FAILED, { error: String(err) });
    }
  }
}

/** The task's prompt, turned to resolving the conflict its merge into the integration branch had. */
function resolverTask(task: EffectiveTask, prepared: PreparedWorktree, conflict: MergeConflict): EffectiveTask {
  const files = prepared.conflicts.length > 0 ? prepared.conflicts : conflict.files;
  const prompt = [
    `Your work on this task (branch ${prepared.branch}) conflicts with the run's integration branch`,
    `${conflict.integrationBranch}, which holds the work of other tasks. That branch is now merged into your`,
    `working folder, and ${files.length === 1 ? 'this file has' : 'these files have'} conflict markers: ${files.join(', ')}.`,
    '',
    'Resolve every conflict so that both sides keep what they meant to do, remove all conflict markers',
    '(<<<<<<<, =======, >>>>>>>), and change nothing else. Do not commit: baton commits the resolution.',
    '',
    'The task you did was:',
    '',
    task.prompt,
  ].join('\n');
  return { ...task, prompt };
}
