// The orchestrate workflow (DESIGN.md §3): a deterministic scheduler over the plan's DAG
// whose tasks are runAgent activities. Started from a goal, its first step is planning: planGoal
// activities until a plan is accepted (see planning.ts), so the accepted plan is in history before
// any task starts. Runs in Temporal's sandbox: no I/O, no Node builtins.
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  TimeoutFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  proxyActivities,
  proxySinks,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Duration, SignalDefinition, UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import type { PlanGoalInput, PlanGoalResult } from '../contract/planner.js';
import type { RunAgentInput, RunAgentResult } from '../contract/agent.js';
import type { WaitingEvent } from '../contract/notify.js';
import { durationMs, effectiveTask, type Duration as PlanDuration, type Plan } from '../plan/schema.js';
import { NON_RETRYABLE_FAILURE_TYPES, type AgentFailureDetails } from '../contract/failures.js';
import * as m from './messages.js';
import { Scheduler, type SchedulerState, type StatusPage, type TaskFailure } from './scheduler/index.js';
import { refuse } from './wording.js';
import { DETAILS_ROWS, renderDetails } from './details.js';
import { pack, unpack } from './pack.js';
import { DEFAULT_PLANNING_ROUNDS, Planning } from './planning.js';
import { BatonPhase, BatonWaiting } from './search-attributes.js';
import { SNAPSHOT_EVERY_MS, snapshotJson, type StatusSnapshotSinks } from './snapshot.js';
import { agentActivityId, overviewOf, type Overview, type RunStatus } from './status.js';
import { Worktrees, type IsolatedOutcome } from './worktrees.js';

export interface OrchestrateOptions {
  /** Folder baton was started from (absolute): the workspace when the plan names none. */
  cwd?: string;
  /** First retry delay of an agent attempt (doubles each time, up to a minute). */
  retryInitialInterval?: Duration;
  /** How long an agent may go without a heartbeat before its worker is presumed dead. */
  heartbeatTimeout?: Duration;
  /** Continue-as-new after this many history events even if Temporal does not suggest it yet. */
  continueAsNewAfterEvents?: number;
  /** Started from a goal: wait for a person's approve (or reject with a reason) of the plan before running it. */
  approvePlan?: boolean;
  /** Started from a goal: the folder of the agents a plan may assign (absolute; default `<cwd>/.claude/agents`). */
  agentsDir?: string;
  /** Started from a goal: invalid plans in a row before the run waits on a person (default 3). */
  planningRounds?: number;
  /** Started from a goal: the planner's model (claude's default when absent). */
  plannerModel?: string;
  /** Started from a goal: wall-clock limit of one planner attempt (default 20m). */
  plannerTimeout?: PlanDuration;
}

export interface OrchestrateInput {
  plan?: Plan;
  goal?: string;
  options?: OrchestrateOptions;
  /** State carried over continue-as-new, packed (`pack.ts`): thousands of tasks stay under the payload limit. */
  carried?: string;
}

export const DEFAULT_HEARTBEAT_TIMEOUT = '10s';

interface Activities {
  runAgent(input: RunAgentInput): Promise<RunAgentResult>;
  planGoal(input: PlanGoalInput): Promise<PlanGoalResult>;
  notify(event: WaitingEvent): Promise<void>;
}

/** The activity's own wall-clock limit fires first and says so; Temporal's is the backstop. */
const TIMEOUT_SLACK_MS = 15_000;

/** Above this many tasks the final result leaves out summaries (each task's artifact has its result). */
const COMPACT_RESULT_ABOVE_TASKS = 1_000;
const DEFAULT_PLANNER_TIMEOUT = '20m';
/** Attempts of one planner request when claude itself fails (rate limits, crashes). */
const PLANNER_ATTEMPTS = 3;

const { notify } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  retry: { maximumAttempts: 3, initialInterval: '2s' },
  summary: 'notify · the run waits on a person',
});

const { statusSnapshot } = proxySinks<StatusSnapshotSinks>();

export async function orchestrate(input: OrchestrateInput): Promise<RunStatus> {
  const options = input.options ?? {};
  const runId = workflowInfo().workflowId;
  const now = () => new Date().toISOString();

  const carried = input.carried ? unpack<SchedulerState>(input.carried) : undefined;
  const given = carried?.plan ?? input.plan;
  const goal = input.goal?.trim();
  if (!given && !goal) {
    throw ApplicationFailure.nonRetryable('the run was started without a plan or a goal', 'BadInput');
  }
  /** The run's scheduler, once it has a plan; until then `planning` answers for the run. */
  let current: Scheduler | undefined = given
    ? carried
      ? new Scheduler(carried)
      : Scheduler.fresh(given, now())
    : undefined;
  const planning = current ? undefined : new Planning(goal!, now(), options.planningRounds ?? DEFAULT_PLANNING_ROUNDS);
  let plannerScope: CancellationScope | undefined;
  const running = new Map<string, { scope: CancellationScope; done: Promise<void> }>();
  let draining = false;
  /** Worktree isolation (workspace.isolation: worktree): set once the run has its plan and base commit. */
  let worktrees: Worktrees | undefined;

  const status = (page?: StatusPage): RunStatus =>
    current ? current.status(runId, now(), running.size, page) : planning!.status(runId, now());
  /** The run at a glance (cheap at any size: see Scheduler.overview). */
  const overview = (): Overview =>
    current ? current.overview(running.size, DETAILS_ROWS) : overviewOf(planning!.status(runId, now()), DETAILS_ROWS);
  /** Tell people (BATON_NOTIFY_CMD) once about each thing the run starts waiting on. */
  let notified = new Set<string>();
  const notifyNewWaits = (current: Overview): void => {
    const fresh = current.waitingOn.filter((w) => !notified.has(w));
    notified = new Set(current.waitingOn);
    if (fresh.length === 0) return;
    const event: WaitingEvent = { event: 'waiting', runId, name: current.name, phase: current.phase, waitingOn: fresh };
    // Fire and forget: a notification that cannot be delivered must not stop the run.
    void notify(event).catch((err: unknown) => log.warn('notification failed', { error: String(err) }));
  };
  let published = '';
  /** When the worker last got the status for its snapshot (workflow time), and whether a person acted since. */
  let snapshotAt = 0;
  let intervened = false;
  /** Keep the Web UI's current details, the search attributes and the worker's status snapshot in step. */
  const publish = (): void => {
    const current = overview();
    setCurrentDetails(renderDetails(current));
    notifyNewWaits(current);
    const waiting = current.waitingOn.length > 0;
    const key = `${current.phase}/${waiting}`;
    const changed = key !== published;
    // Sinks are not called on replay, and a snapshot is no command: history is the same with or without it.
    if (changed || intervened || Date.now() - snapshotAt >= SNAPSHOT_EVERY_MS) {
      statusSnapshot.publish(snapshotJson(status()), current.phase);
      snapshotAt = Date.now();
      intervened = false;
    }
    if (!changed) return;
    published = key;
    upsertSearchAttributes([
      { key: BatonPhase, value: current.phase },
      { key: BatonWaiting, value: waiting },
    ]);
  };

  setHandler(m.statusQuery, status);
  // The accepted plan; while one waits for approval, the proposed one (`baton plan show` is how people review it).
  setHandler(m.planQuery, () => current?.plan ?? planning?.state.plan ?? null);
  registerInterventions(() => current, planning, {
    now,
    status,
    intervened: () => {
      intervened = true;
    },
    cancelTask: async (taskId) => {
      const entry = running.get(taskId);
      if (!entry) return;
      entry.scope.cancel();
      await entry.done;
    },
    abort: () => {
      for (const entry of running.values()) entry.scope.cancel();
      plannerScope?.cancel();
    },
    mergeOnApprove: (taskId, note) => {
      const sched = current;
      const isolated = worktrees;
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
  });

  /** Ask the planner until a plan is accepted; null when the run was aborted meanwhile. */
  const plan = async (p: Planning, goalText: string): Promise<Plan | null> => {
    for (;;) {
      if (p.stage() === 'planning') {
        const request = p.nextRequest();
        publish();
        const activities = proxyActivities<Activities>({
          activityId: `planner.${request.round}`,
          summary: `planner · round ${request.round}`,
          startToCloseTimeout: durationMs(options.plannerTimeout ?? DEFAULT_PLANNER_TIMEOUT) + TIMEOUT_SLACK_MS,
          heartbeatTimeout: options.heartbeatTimeout ?? DEFAULT_HEARTBEAT_TIMEOUT,
          cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
          retry: {
            maximumAttempts: PLANNER_ATTEMPTS,
            initialInterval: options.retryInitialInterval ?? '1s',
            backoffCoefficient: 2,
            maximumInterval: '1m',
            nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURE_TYPES],
          },
        });
        const scope = new CancellationScope();
        plannerScope = scope;
        try {
          const result = await scope.run(() =>
            activities.planGoal({
              runId,
              goal: goalText,
              cwd: options.cwd ?? '.',
              agentsDir: options.agentsDir,
              feedback: request.feedback,
              previous: request.previous,
              round: request.round,
              model: options.plannerModel,
              timeoutMs: durationMs(options.plannerTimeout ?? DEFAULT_PLANNER_TIMEOUT),
            }),
          );
          if (p.stage() === 'planning') p.answered(result, options.approvePlan === true);
        } catch (err) {
          // Cancelled by an abort: the loop below ends the run. Cancelled with the workflow: the caller's catch.
          if (p.stage() !== 'aborted') {
            if (isCancellation(err) && CancellationScope.current().consideredCancelled) throw err;
            p.plannerFailed(describeFailure(err, PLANNER_ATTEMPTS).message);
          }
        } finally {
          plannerScope = undefined;
        }
      }
      publish();
      if (p.stage() === 'accepted') return p.state.plan;
      if (p.stage() === 'aborted') return null;
      if (p.stage() === 'planning') continue; // the answer goes back to the planner
      const seen = p.version;
      await condition(() => p.version !== seen);
    }
  };

  const launch = (taskId: string): void => {
    const sched = current!;
    const record = sched.markRunning(taskId, now());
    const task = effectiveTask(sched.plan, sched.task(taskId));
    const { guidance, prompt } = sched.takeGuidance(taskId);
    const activityInput: RunAgentInput = {
      runId,
      goal: sched.plan.goal,
      task: prompt ? { ...task, prompt } : task,
      generation: record.generation,
      cwd: sched.plan.workspace?.repo ?? options.cwd ?? '.',
      agents: sched.plan.agents,
      dependencies: task.dependsOn.map((id) => {
        const dep = sched.record(id);
        return {
          id,
          title: sched.task(id).title ?? id,
          state: dep.state === 'skipped' ? 'skipped' : 'succeeded',
          summary: dep.text ?? '',
          artifactPath: dep.artifactPath ?? undefined,
        };
      }),
      guidance,
      sessionId: uuid4(),
    };
    const activities = proxyActivities<Activities>({
      activityId: agentActivityId(taskId, record.generation),
      // Routing: the workers serving the task's queue (a host, a repository, a tool); else the run's own queue.
      // A queue nobody serves leaves the task `running`, waiting for a worker (schedule-to-start is unbounded).
      taskQueue: task.taskQueue,
      summary: `${taskId} · attempt ${record.generation} · ${task.agent ?? 'claude'}`,
      startToCloseTimeout: durationMs(task.timeout) + TIMEOUT_SLACK_MS,
      heartbeatTimeout: options.heartbeatTimeout ?? DEFAULT_HEARTBEAT_TIMEOUT,
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      retry: {
        maximumAttempts: task.retries + 1,
        initialInterval: options.retryInitialInterval ?? '1s',
        backoffCoefficient: 2,
        maximumInterval: '1m',
        nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURE_TYPES],
      },
    });
    const scope = new CancellationScope();
    const isolated = worktrees;
    const work = (): Promise<IsolatedOutcome> =>
      isolated
        ? isolated.run(taskId, task, activityInput, (agentInput) => activities.runAgent(agentInput))
        : activities.runAgent(activityInput).then((result) => ({ result }));
    // The task leaves `running` in the same step that records its end (and bumps sched.version): the
    // main loop may wake between two microtasks, and must never see a settled task still running.
    const done = scope.run(work).then(
      ({ result, conflict }) => {
        running.delete(taskId);
        if (conflict) sched.mergeConflict(taskId, conflict, now(), result);
        else sched.succeeded(taskId, result, now());
      },
      (err: unknown) => {
        running.delete(taskId);
        sched.failed(taskId, describeFailure(err, task.retries + 1), now());
      },
    );
    running.set(taskId, { scope, done });
  };

  try {
    if (planning) {
      const accepted = await plan(planning, goal!);
      if (!accepted) return await endPlanning(planning, runId, publish);
      // What planning cost is part of the run's cost (and of its budget).
      current = Scheduler.fresh(accepted, planning.state.startedAt, planning.state.costUsd);
      log.info('plan accepted', { rounds: planning.state.round, tasks: accepted.tasks.length });
    }
    const sched = current!;
    if (sched.isolated) {
      worktrees = new Worktrees(runId, sched, options.retryInitialInterval);
      try {
        await worktrees.recordBase(sched.plan.workspace?.repo ?? options.cwd ?? '.');
      } catch (err) {
        if (isCancellation(err)) throw err;
        // No base commit, no branches: nothing can run (the repository is gone, or has no commit yet).
        const failure = describeFailure(err, 1);
        sched.notStarted(`worktree isolation: ${failure.message}`, `not started: ${failure.message}`, now());
        return await finish(sched, 'failed', status, publish);
      }
    }
    const cleanUp = async (): Promise<void> => {
      if (worktrees) await CancellationScope.nonCancellable(() => worktrees!.cleanUp());
    };
    for (;;) {
      if (!draining && shouldContinueAsNew(options)) draining = true;
      // Checked before anything starts: a failing run must not launch the tasks a failure made room for.
      const first = sched.plan.onFailure === 'fail' ? sched.firstFailure() : undefined;
      if (first) {
        for (const entry of running.values()) entry.scope.cancel();
        await CancellationScope.nonCancellable(() => Promise.allSettled([...running.values()].map((e) => e.done)));
        sched.cancelUnsettled(now(), `cancelled: task ${first.id} failed and onFailure is "fail"`);
        return await finish(sched, 'failed', status, publish, cleanUp);
      }
      if (!draining) for (const r of sched.startable(running.size)) launch(r.id);
      publish();

      const outcome = sched.outcome(running.size);
      if (outcome !== 'running') return await finish(sched, outcome, status, publish, cleanUp);
      if (draining && running.size === 0) {
        await condition(allHandlersFinished);
        log.info('continuing as new', { historyLength: workflowInfo().historyLength });
        return await continueAsNew<typeof orchestrate>({ options, carried: pack(sched.state) });
      }
      const seen = sched.version;
      await condition(() => sched.version !== seen || (!draining && shouldContinueAsNew(options)));
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // The run was cancelled (Temporal cancel): wait for agents to die, account for every task.
    await CancellationScope.nonCancellable(async () => {
      await Promise.allSettled([...running.values()].map((e) => e.done));
      const sched = current;
      if (!sched) {
        if (planning && planning.stage() !== 'aborted') planning.abort('the run was cancelled', now());
        publish();
        return;
      }
      sched.cancelled(now());
      publish();
      await worktrees?.cleanUp();
    });
    throw err;
  }
}

function shouldContinueAsNew(options: OrchestrateOptions): boolean {
  const info = workflowInfo();
  if (info.continueAsNewSuggested) return true;
  return options.continueAsNewAfterEvents !== undefined && info.historyLength > options.continueAsNewAfterEvents;
}

async function finish(
  sched: Scheduler,
  outcome: 'completed' | 'failed' | 'cancelled',
  status: (page?: StatusPage) => RunStatus,
  publish: () => void,
  /** Removes the run's worktrees (worktree isolation): nothing uses them once the run has ended. */
  cleanUp?: () => Promise<void>,
): Promise<RunStatus> {
  sched.end(new Date().toISOString(), 'the run ended before this task could run');
  // The final status is the run's result payload: for thousands of tasks, summaries would not fit it.
  const final = status({ compact: sched.state.records.length > COMPACT_RESULT_ABOVE_TASKS });
  publish();
  await condition(allHandlersFinished);
  await cleanUp?.();
  if (outcome === 'completed') return final;
  const notDone = final.tasks.filter((t) => t.state !== 'succeeded' && t.state !== 'skipped');
  const names = notDone
    .slice(0, 5)
    .map((t) => `${t.id} (${t.state})`)
    .join(', ');
  const message =
    outcome === 'cancelled'
      ? `run ${final.reason ?? 'aborted'}`
      : `${notDone.length} of ${final.tasks.length} tasks did not succeed: ${names}${notDone.length > 5 ? ', …' : ''}`;
  throw ApplicationFailure.create({
    type: outcome === 'cancelled' ? 'RunAborted' : 'RunFailed',
    message,
    nonRetryable: true,
    details: [final],
  });
}

/** A run aborted while planning ends as a cancelled one: no tasks, the reason, what planning cost. */
async function endPlanning(planning: Planning, runId: string, publish: () => void): Promise<never> {
  const final = planning.status(runId, new Date().toISOString());
  publish();
  await condition(allHandlersFinished);
  throw ApplicationFailure.create({
    type: 'RunAborted',
    message: `run ${final.reason ?? 'aborted'} while planning`,
    nonRetryable: true,
    details: [final],
  });
}

/** What a task's activity failure means for the run, in words a person understands. */
function describeFailure(err: unknown, maxAttempts: number): TaskFailure {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (isCancellation(err) || cause instanceof CancelledFailure) {
    return { type: 'Cancelled', message: 'cancelled while running', attempts: 1, costUsd: 0, cancelled: true };
  }
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as AgentFailureDetails | undefined;
    return {
      type: cause.type ?? 'Error',
      message: cause.message,
      attempts: details?.attempt ?? 1,
      costUsd: details?.costUsd ?? 0,
      sessionId: details?.sessionId,
    };
  }
  if (cause instanceof TimeoutFailure) {
    const kind =
      cause.timeoutType === 'HEARTBEAT' ? 'heartbeat timeout (the worker or agent stopped responding)' : 'time limit';
    return { type: 'AgentTimedOut', message: `attempt hit its ${kind}`, attempts: maxAttempts, costUsd: 0 };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { type: 'Error', message, attempts: 1, costUsd: 0 };
}

interface InterventionHooks {
  now(): string;
  status(): RunStatus;
  /** A person's intervention was applied: the next snapshot goes out at once. */
  intervened(): void;
  cancelTask(taskId: string): Promise<void>;
  abort(): void;
  /** Worktree isolation: approving a reviewed or conflicted task merges it first; undefined when not needed. */
  mergeOnApprove(taskId: string, note: string | undefined): Promise<void> | undefined;
}

/**
 * Each intervention as a validated update and as a signal with the same payload (DESIGN.md §4). Before the
 * run has a plan, approve, reject and abort act on the planning; the others are refused.
 */
function registerInterventions(
  scheduler: () => Scheduler | undefined,
  planning: Planning | undefined,
  hooks: InterventionHooks,
): void {
  /** The scheduler, or a refusal saying the run has no tasks yet. */
  const tasks = (operation: string): Scheduler => {
    const sched = scheduler();
    if (sched) return sched;
    throw planning ? planning.noTasks(operation) : refuse.noPlan();
  };
  /** Planning while there is no scheduler yet. */
  const planningNow = (): Planning | undefined => (scheduler() ? undefined : planning);
  const both = <S extends z.ZodType>(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    update: UpdateDefinition<RunStatus, [any]>,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    signal: SignalDefinition<[any]>,
    schema: S,
    check: (input: z.infer<S>) => void,
    apply: (input: z.infer<S>) => void | Promise<void>,
  ): void => {
    const parse = (raw: unknown): z.infer<S> => {
      const parsed = schema.safeParse(raw ?? {});
      if (!parsed.success) {
        throw refuse.badPayload(update.name, parsed.error.issues.map((i) => formatIssue(i)).join('; '));
      }
      return parsed.data;
    };
    /** Applied, and said so to the snapshot (before: a change made while it waits; after: the rest). */
    const applied = async (input: z.infer<S>): Promise<void> => {
      hooks.intervened();
      await apply(input);
      hooks.intervened();
    };
    setHandler(
      update,
      async (raw: unknown) => {
        await applied(parse(raw));
        return hooks.status();
      },
      {
        validator: (raw: unknown) => {
          try {
            check(parse(raw));
          } catch (err) {
            // A refusal must reach the caller as an ApplicationFailure with a plain message.
            throw ApplicationFailure.nonRetryable(err instanceof Error ? err.message : String(err), 'Refused');
          }
        },
      },
    );
    setHandler(signal, async (raw: unknown) => {
      try {
        const input = parse(raw);
        check(input);
        await applied(input);
      } catch (err) {
        log.warn(`refused ${signal.name} signal`, { error: err instanceof Error ? err.message : String(err) });
      }
    });
  };

  both(
    m.approveUpdate,
    m.approveSignal,
    m.ApproveInputSchema,
    (i) => (planningNow() ? planningNow()!.checkApprove(i.taskId) : tasks('approve').checkApprove(i.taskId)),
    (i) => {
      const p = planningNow();
      if (p) return p.approve(i.note);
      const merging = hooks.mergeOnApprove(i.taskId!, i.note);
      if (merging) return merging;
      tasks('approve').approve(i.taskId!, i.note);
    },
  );
  both(
    m.rejectUpdate,
    m.rejectSignal,
    m.RejectInputSchema,
    (i) => (planningNow() ? planningNow()!.checkReject(i.taskId) : tasks('reject').checkReject(i.taskId)),
    (i) =>
      planningNow() ? planningNow()!.reject(i.reason) : void tasks('reject').reject(i.taskId!, i.reason, hooks.now()),
  );
  both(
    m.pauseUpdate,
    m.pauseSignal,
    m.PauseInputSchema,
    () => tasks('pause').checkPause(),
    () => tasks('pause').pause(),
  );
  both(
    m.resumeUpdate,
    m.resumeSignal,
    m.ResumeInputSchema,
    (i) => tasks('resume').checkResume(i.budgetUsd),
    (i) => tasks('resume').resume(i.budgetUsd),
  );
  both(
    m.retryTaskUpdate,
    m.retryTaskSignal,
    m.RetryTaskInputSchema,
    (i) => tasks('retryTask').checkRetry(i.taskId, i.reset),
    (i) => void tasks('retryTask').retry(i.taskId, i.prompt, i.note, i.reset),
  );
  both(
    m.skipTaskUpdate,
    m.skipTaskSignal,
    m.SkipTaskInputSchema,
    (i) => tasks('skipTask').checkSkip(i.taskId),
    (i) => void tasks('skipTask').skip(i.taskId, i.reason, hooks.now()),
  );
  both(
    m.cancelTaskUpdate,
    m.cancelTaskSignal,
    m.CancelTaskInputSchema,
    (i) => tasks('cancelTask').checkCancelTask(i.taskId),
    (i) => hooks.cancelTask(i.taskId),
  );
  both(
    m.guideUpdate,
    m.guideSignal,
    m.GuideInputSchema,
    (i) => tasks('guide').checkGuide(i.taskId, i.message),
    (i) => void tasks('guide').guide(i.taskId, i.message),
  );
  both(
    m.addTasksUpdate,
    m.addTasksSignal,
    m.AddTasksInputSchema,
    (i) => tasks('addTasks').checkAddTasks(i.tasks),
    (i) => void tasks('addTasks').addTasks(i.tasks),
  );
  both(
    m.abortUpdate,
    m.abortSignal,
    m.AbortInputSchema,
    () => (planningNow() ? planningNow()!.checkAbort() : tasks('abort').checkAbort()),
    (i) => {
      const p = planningNow();
      if (p) p.abort(i.reason, hooks.now());
      else tasks('abort').abort(i.reason);
      hooks.abort();
    },
  );
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}
