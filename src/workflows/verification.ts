// Verified, not just finished (DESIGN.md §11): a task's agent ends, then its `verify` commands run in its
// workspace (state verifying); a failing one goes back to the same conversation of the agent (state running), up
// to `verifyRounds` times, and then the task fails with errorKind verification. Missing `expectedOutputs` go
// through the same rounds (the agent is told which files are missing). Workflow code.
import { ApplicationFailure, patched } from '@temporalio/workflow';
import type { RunAgentInput, RunAgentResult } from '../contract/agent.js';
import { FailureType, type AgentFailureDetails } from '../contract/failures.js';
import { DEFAULT_VERIFY_ROUNDS, type EffectiveTask } from '../plan/schema.js';
import { agentActivities, verifyActivities, type ActivityTiming } from './proxies.js';
import type { Scheduler } from './scheduler/index.js';
import type { Verification } from './status.js';

/** Histories from before verify have no verifyTask activities: they replay without this branch. */
export const VERIFY_PATCH = 'baton-task-verify';
/** Histories from before it failed an attempt on missing expectedOutputs (Temporal retried it). */
export const OUTPUTS_PATCH = 'baton-outputs-to-agent';

/** How the checks of one answer went: `failure` is what the agent is told, when they did not pass. */
interface Check {
  type: string;
  failure?: string;
  verification?: Verification;
}

/**
 * The task's agent, then its checks; the last answer when they pass. Each answer that goes back to the agent counts
 * in the task's attempts and cost as it goes back (Scheduler.verifying): the result and a failure carry their own.
 */
export async function runVerified(
  sched: Scheduler,
  runId: string,
  task: EffectiveTask,
  input: RunAgentInput,
  timing: ActivityTiming,
): Promise<RunAgentResult> {
  const reportMissing = task.expectedOutputs.length > 0 && patched(OUTPUTS_PATCH);
  const first = reportMissing ? { ...input, reportMissingOutputs: true } : input;
  let result = await agentActivities(task, input.generation, timing).runAgent(first);
  const commands = task.verify ?? [];
  const rounds = task.verifyRounds ?? DEFAULT_VERIFY_ROUNDS;
  // Nothing to check, as for most tasks: the answer as it came (what `check` would pass), without a round.
  if (commands.length === 0 && (result.missingOutputs ?? []).length === 0) return result;
  /** The expected outputs first (no command runs while files are missing), then the commands. */
  const check = async (round: number): Promise<Check> => {
    const missing = result.missingOutputs ?? [];
    if (missing.length > 0) return { type: FailureType.ExpectedOutputsMissing, failure: missingMessage(missing) };
    if (commands.length === 0 || !patched(VERIFY_PATCH)) return { type: FailureType.VerificationFailed };
    sched.verifying(task.id, { step: 'start' });
    const { generation, cwd } = input;
    const outcome = await verifyActivities(task, generation, round, timing).verifyTask({
      runId,
      taskId: task.id,
      generation,
      round,
      cwd,
      commands,
      timeout: task.timeout,
      // With a remote, a round on another host than the agent's makes the worktree there first.
      ...(input.sharedWorktree ? { sharedWorktree: input.sharedWorktree } : {}),
    });
    const verification = { passed: outcome.passed, rounds: round + 1, outputPath: outcome.outputPath };
    const failure = outcome.passed ? undefined : (outcome.message ?? 'verification failed');
    return { type: FailureType.VerificationFailed, verification, ...(failure ? { failure } : {}) };
  };
  for (let round = 0; ; round++) {
    const { type, failure, verification } = await check(round);
    if (failure === undefined || round >= rounds) {
      if (verification) sched.verifying(task.id, { step: 'round', verification });
      if (failure === undefined) return result;
      const details: AgentFailureDetails = {
        attempt: result.attempt,
        costUsd: result.costUsd,
        sessionId: result.sessionId,
      };
      throw ApplicationFailure.create({ type, message: failure, nonRetryable: true, details: [details] });
    }
    const spent = { attempts: result.attempt, costUsd: result.costUsd };
    sched.verifying(task.id, { step: 'fix', spent, ...(verification ? { verification } : {}) });
    // Guidance a person gave meanwhile reaches the agent with the failure.
    const { guidance } = sched.takeGuidance(task.id, new Date().toISOString());
    const fix = { round: round + 1, message: failure };
    const agent = agentActivities(task, input.generation, timing, fix.round);
    // The conversation already holds a person's answer it was resumed with, if any: the fix is what it is told now.
    result = await agent.runAgent({ ...first, answer: undefined, guidance, sessionId: result.sessionId, fix });
  }
}

function missingMessage(missing: string[]): string {
  const one = missing.length === 1;
  return `expected output${one ? '' : 's'} missing: ${missing.join(', ')} (the agent ended without ${one ? 'it' : 'them'}; the task's expectedOutputs must exist when it ends)`;
}
