// The plan's own `verify` (DESIGN.md §11, worktree isolation): after a task's merge into the integration branch, its
// commands run on that branch's worktree, like a task's verify (the same activity: sandbox, environment allow-list,
// PID namespace, the task's timeout). A failure takes the merge back off the branch and leaves the task
// verification-failed for a person (retry, skip, approve). Workflow code: activities by type only.
import { CancellationScope, patched } from '@temporalio/workflow';
import type { MergeTaskInput, MergeTaskResult } from '../contract/workspace.js';
import type { EffectiveTask } from '../plan/schema.js';
import { planVerifyActivities, type ActivityTiming, type WorkspaceActivities } from './proxies.js';
import type { PlanVerifyFailure, Scheduler } from './scheduler/index.js';
import type { Verification } from './status.js';

/** Histories from before the plan-level verify have no such activities after a merge: they replay without it. */
export const PLAN_VERIFY_PATCH = 'baton-plan-verify';

/** The plan's commands when they run after this merge (a merge that conflicted is no merge); else undefined. */
export function planVerifyCommands(sched: Scheduler, merge: MergeTaskResult): string[][] | undefined {
  const commands = sched.plan.verify ?? [];
  if (commands.length === 0 || merge.outcome === 'conflict') return undefined;
  return patched(PLAN_VERIFY_PATCH) ? commands : undefined;
}

/** Where the commands run: `workspace.repo`'s place in the integration branch's worktree. */
export function integrationCwd(merge: MergeTaskResult, prefix: string): string {
  return prefix ? `${merge.worktree}/${prefix.replace(/\/$/, '')}` : merge.worktree;
}

export interface VerifyMergeInput {
  runId: string;
  sched: Scheduler;
  task: EffectiveTask;
  generation: number;
  commands: string[][];
  merge: MergeTaskResult;
  /** The merge's input: the undo names the same task, branch and remote. */
  mergeInput: MergeTaskInput;
  timing: ActivityTiming;
  workspace: WorkspaceActivities;
}

/**
 * Runs the plan's verify on the merged integration branch; undefined when it passed. When it fails, or cannot run
 * at all (a worker that refuses commands, a cancellation), the merge is undone before the answer: the branch never
 * keeps work the check did not pass.
 */
export async function verifyMerge(input: VerifyMergeInput): Promise<PlanVerifyFailure | undefined> {
  const { sched, task, merge } = input;
  sched.verifying(task.id, { step: 'start' });
  const undo = (): Promise<unknown> =>
    CancellationScope.nonCancellable(() => input.workspace.undoMerge(input.mergeInput));
  let outcome;
  try {
    outcome = await planVerifyActivities(task, input.generation, input.timing).verifyTask({
      runId: input.runId,
      taskId: task.id,
      generation: input.generation,
      round: 0,
      cwd: integrationCwd(merge, input.mergeInput.base.prefix),
      commands: input.commands,
      timeout: task.timeout,
      scope: 'plan',
    });
  } catch (err) {
    await undo();
    throw err;
  }
  const verification: Verification = { passed: outcome.passed, rounds: 1, outputPath: outcome.outputPath };
  if (!outcome.passed) await undo();
  sched.verifying(task.id, { step: 'round', verification });
  if (outcome.passed) return undefined;
  const message = `the plan's verify failed on ${merge.integrationBranch} after the merge of this task (the merge is undone): ${outcome.message ?? 'a command failed'}`;
  return { verification, message };
}
