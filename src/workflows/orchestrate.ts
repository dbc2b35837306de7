// The orchestrate workflow (DESIGN.md §3): a deterministic scheduler over the plan's DAG whose tasks are
// runAgent activities. Started from a goal, its first step is planning (./plan-rounds.ts), so the accepted plan
// is in history before any task starts. Runs in Temporal's sandbox: no I/O, no Node builtins.
import {
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { describeFailure } from './activity-failures.js';
import { planOf } from './children/child-plan.js';
import { childReportSignal, parentContinuedSignal } from './children/messages.js';
import { endPlanning, finish, isRunCancelled } from './endings.js';
import type { OrchestrateInput, OrchestrateOptions } from './input.js';
import { registerInterventions } from './interventions.js';
import * as m from './messages.js';
import { checkInput } from './input-check.js';
import { pack } from './pack.js';
import { askForPlan } from './plan-rounds.js';
import { DEFAULT_PLANNING_ROUNDS, Planning } from './planning.js';
import { Run } from './run.js';
import { Scheduler } from './scheduler/index.js';
import type { RunStatus } from './status.js';
import { registerTalk } from './talk.js';

export type { OrchestrateInput, OrchestrateOptions } from './input.js';

export async function orchestrate(input: OrchestrateInput): Promise<RunStatus> {
  const runId = workflowInfo().workflowId;
  const now = () => new Date().toISOString();

  // Whoever started the run, its input is checked as the CLI checks a plan file (DESIGN.md §9).
  const { options, carried, plan, goal, refusals } = checkInput(input, runId, now());
  const given = carried?.plan ?? plan;
  const level = options.parent?.level ?? 1;
  const run = given
    ? new Run(
        runId,
        options,
        carried ? new Scheduler(carried) : Scheduler.fresh(given, now(), 0, level),
        undefined,
        refusals,
      )
    : new Run(
        runId,
        options,
        undefined,
        new Planning(goal!, now(), options.planningRounds ?? DEFAULT_PLANNING_ROUNDS),
        refusals,
      );
  setHandler(m.statusQuery, run.status.bind(run));
  setHandler(m.planQuery, () => run.plan());
  // A running agent says which of a person's notes reached the model (DESIGN §11).
  setHandler(m.guidanceDeliveredSignal, (input) => run.memos.delivered(run.scheduler, input, now()));
  registerInterventions(() => run.scheduler ?? run.planning, run.hooks);
  registerTalk(() => run.scheduler ?? run.planning, { now, changed: run.hooks.intervened });
  // Plans within plans (DESIGN.md §10): the children's reports, and, to a child, its parent continuing as new.
  setHandler(childReportSignal, (report) => run.tasks.children.report(report));
  setHandler(parentContinuedSignal, ({ runId: parentRunId }) => run.guard.parentContinued(parentRunId));
  if (run.scheduler && carried) run.tasks.children.adopt(run.scheduler);
  const reporter = run.reporter;
  if (reporter) void run.guard.run(() => reporter.run());
  try {
    return await run.ends(run.guard.run(() => runWorkflow(run, goal, options)));
  } finally {
    // Ended, cancelled or continued as new: no claude started ahead for this run is left (./warm-agents.ts).
    run.tasks.warm.releaseAll();
  }
}

/** The run in its own scope: planning (from a goal), then its tasks; a cancellation ends every task first. */
async function runWorkflow(run: Run, goal: string | undefined, options: OrchestrateOptions): Promise<RunStatus> {
  const { runId } = run;
  const now = () => new Date().toISOString();
  const status = run.status.bind(run);
  const publish = run.publish.bind(run);
  try {
    if (run.planning) {
      const answer = await askForPlan(run.planning, goal!, run);
      if (!answer) return await endPlanning(run.planning, runId, publish);
      // A sub-goal's plan inherits what its task's does (DESIGN.md §10), as an inline sub-plan does.
      const link = options.parent;
      const accepted = link ? planOf(answer, link.inherit, link.taskId, goal) : answer;
      // What planning cost is part of the run's cost (and of its budget).
      const { startedAt, costUsd } = run.planning.state;
      run.planAccepted(Scheduler.fresh(accepted, startedAt, costUsd, link?.level ?? 1));
      log.info('plan accepted', { rounds: run.planning.state.round, tasks: accepted.tasks.length });
    }
    const sched = run.scheduler!;
    if (sched.isolated) {
      const worktrees = run.isolate(sched, options);
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
    return await runTasks(run, sched, options);
  } catch (err) {
    if (!isCancellation(err) || isRunCancelled(err)) throw err;
    // Temporal's own cancellation (the Web UI, `temporal workflow cancel`) ends the run as an abort does.
    return await CancellationScope.nonCancellable(() => endCancelled(run, runId));
  }
}

/** After Temporal's cancellation: wait for the agents to die and sub-plans to end, give every task its final state. */
async function endCancelled(run: Run, runId: string): Promise<RunStatus> {
  run.tasks.children.cancelAll('the run above it was cancelled');
  await run.tasks.settled();
  const sched = run.scheduler;
  if (!sched) {
    const planning = run.planning!;
    if (planning.stage() !== 'aborted') planning.abort('the run was cancelled', new Date().toISOString());
    return await endPlanning(planning, runId, () => run.publish());
  }
  sched.cancelled(new Date().toISOString());
  const worktrees = run.worktrees;
  return await finish(
    sched,
    'cancelled',
    (page) => run.status(page),
    () => run.publish(),
    worktrees && (() => worktrees.cleanUp()),
  );
}

/** The main loop: start what may start, wait for a change, until the run ends or continues as new. */
async function runTasks(run: Run, sched: Scheduler, options: OrchestrateOptions): Promise<RunStatus> {
  const status = run.status.bind(run);
  const publish = run.publish.bind(run);
  const worktrees = run.worktrees;
  const cleanUp = async (): Promise<void> => {
    if (worktrees) await CancellationScope.nonCancellable(() => worktrees.cleanUp());
  };
  let draining = false;
  for (;;) {
    if (!draining && shouldContinueAsNew(options)) draining = true;
    // A paused run's sub-plans pause too; when it goes on they do, with what is left of its budget.
    const budget = sched.state.budgetUsd;
    run.tasks.children.followPause(sched.state.paused, budget === null ? null : budget - sched.state.costUsd);
    // Checked before anything starts: a failing run must not launch the tasks a failure made room for.
    const first = sched.plan.onFailure === 'fail' ? sched.firstFailure() : undefined;
    if (first) {
      run.tasks.cancelAll();
      await CancellationScope.nonCancellable(() => run.tasks.settled());
      sched.cancelUnsettled(new Date().toISOString(), `cancelled: task ${first.id} failed and onFailure is "fail"`);
      return await finish(sched, 'failed', status, publish, cleanUp);
    }
    if (!draining) for (const r of sched.startable(run.tasks.size)) run.tasks.launch(sched, r.id, worktrees);
    // An ending run is shown once it has ended (finish records the end, then publishes): never half-way.
    const outcome = sched.outcome(run.tasks.size);
    if (outcome !== 'running') return await finish(sched, outcome, status, publish, cleanUp);
    publish();
    // Agents end before the run continues as new; running sub-plans are handed on to its next run (./children).
    if (draining && run.tasks.agents === 0) {
      await run.tasks.children.handOver();
      await condition(allHandlersFinished);
      log.info('continuing as new', { historyLength: workflowInfo().historyLength, children: run.tasks.children.size });
      return await continueAsNew<typeof orchestrate>({
        options,
        carried: pack(sched.state),
        refusals: run.refusals.list(),
      });
    }
    const seen = sched.version;
    await condition(() => sched.version !== seen || (!draining && shouldContinueAsNew(options)));
  }
}

function shouldContinueAsNew(options: OrchestrateOptions): boolean {
  const info = workflowInfo();
  if (info.continueAsNewSuggested) return true;
  return options.continueAsNewAfterEvents !== undefined && info.historyLength > options.continueAsNewAfterEvents;
}
