// A run started from a goal begins here: planGoal activities until a plan is accepted (see ./planning.ts for
// the rules), so the accepted plan is in history before any task starts.
import { CancellationScope, condition, isCancellation } from '@temporalio/workflow';
import type { PlannerHierarchy } from '../contract/planner.js';
import type { Plan } from '../plan/schema.js';
import type { ParentLink } from './children/child-plan.js';
import { durationMs } from '../plan/schema.js';
import { describeFailure } from './activity-failures.js';
import type { OrchestrateOptions } from './input.js';
import type { Planning } from './planning.js';
import { DEFAULT_PLANNER_TIMEOUT, PLANNER_ATTEMPTS, plannerActivities } from './proxies.js';

export interface PlanRoundsContext {
  runId: string;
  options: OrchestrateOptions;
  publish(): void;
  /** The scope of the planner request in flight (an abort cancels it); undefined between requests. */
  plannerScope(scope: CancellationScope | undefined): void;
}

/** Ask the planner until a plan is accepted; null when the run was aborted meanwhile. */
export async function askForPlan(p: Planning, goal: string, run: PlanRoundsContext): Promise<Plan | null> {
  const { options } = run;
  const timeout = options.plannerTimeout ?? DEFAULT_PLANNER_TIMEOUT;
  for (;;) {
    if (p.stage() === 'planning') {
      const request = p.nextRequest();
      run.publish();
      const activities = plannerActivities(request.round, options);
      const scope = new CancellationScope();
      run.plannerScope(scope);
      try {
        const result = await scope.run(() =>
          activities.planGoal({
            runId: run.runId,
            goal,
            cwd: options.cwd ?? '.',
            agentsDir: options.agentsDir,
            feedback: request.feedback,
            previous: request.previous,
            round: request.round,
            model: options.plannerModel,
            timeoutMs: durationMs(timeout),
            ...(options.parent ? { hierarchy: plannerHierarchy(options.parent) } : {}),
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
        run.plannerScope(undefined);
      }
    }
    run.publish();
    if (p.stage() === 'accepted') return p.state.plan;
    if (p.stage() === 'aborted') return null;
    if (p.stage() === 'planning') continue; // the answer goes back to the planner
    const seen = p.version;
    await condition(() => p.version !== seen);
  }
}

/** A sub-goal's planner is told where its plan fits: its level, the goals above, the results it builds on. */
function plannerHierarchy(link: ParentLink): PlannerHierarchy {
  return {
    level: link.level,
    maxDepth: link.inherit.maxDepth,
    taskPath: link.path,
    parentGoals: link.parentGoals,
    dependencies: link.dependencies,
  };
}
