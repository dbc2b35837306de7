// Verified, not just finished (DESIGN.md §11): a task's agent ends, then its `verify` commands run in its
// workspace (state verifying); a failing one goes back to the same conversation of the agent (state running),
// up to `verifyRounds` times, and then the task fails with errorKind verification. Workflow code.
import { ApplicationFailure, isCancellation, patched, ActivityFailure } from '@temporalio/workflow';
import type { RunAgentInput, RunAgentResult } from '../contract/agent.js';
import { FailureType, type AgentFailureDetails } from '../contract/failures.js';
import { DEFAULT_VERIFY_ROUNDS, type EffectiveTask } from '../plan/schema.js';
import { agentActivities, verifyActivities, type ActivityTiming } from './proxies.js';
import type { Scheduler } from './scheduler/index.js';

/** Histories from before verify have no verifyTask activities: they replay without this branch. */
export const VERIFY_PATCH = 'baton-task-verify';

/** The task's agent, then its verify rounds; the agent's result (cost and attempts of every round) when they pass. */
export async function runVerified(
  sched: Scheduler,
  runId: string,
  task: EffectiveTask,
  input: RunAgentInput,
  timing: ActivityTiming,
): Promise<RunAgentResult> {
  let result = await agentActivities(task, input.generation, timing).runAgent(input);
  const commands = task.verify ?? [];
  if (commands.length === 0 || !patched(VERIFY_PATCH)) return result;
  const rounds = task.verifyRounds ?? DEFAULT_VERIFY_ROUNDS;
  const spent = { costUsd: result.costUsd, attempts: result.attempt };
  for (let round = 0; ; round++) {
    sched.verifying(task.id, null);
    const { generation, cwd } = input;
    const outcome = await verifyActivities(task, generation, round, timing).verifyTask({
      runId,
      taskId: task.id,
      generation,
      round,
      cwd,
      commands,
      timeout: task.timeout,
    });
    const fixing = !outcome.passed && round < rounds;
    sched.verifying(task.id, { passed: outcome.passed, rounds: round + 1, outputPath: outcome.outputPath }, fixing);
    if (outcome.passed) return { ...result, costUsd: spent.costUsd, attempt: spent.attempts };
    const message = outcome.message ?? 'verification failed';
    const details: AgentFailureDetails = {
      attempt: spent.attempts,
      costUsd: spent.costUsd,
      sessionId: result.sessionId,
    };
    if (!fixing) {
      throw ApplicationFailure.create({
        type: FailureType.VerificationFailed,
        message,
        nonRetryable: true,
        details: [details],
      });
    }
    // Guidance a person gave while the commands ran reaches the agent with the failure.
    const { guidance } = sched.takeGuidance(task.id);
    const fix = { round: round + 1, message };
    try {
      const agent = agentActivities(task, generation, timing, fix.round);
      result = await agent.runAgent({ ...input, guidance, sessionId: result.sessionId, fix });
    } catch (err) {
      throw withEarlierRounds(err, details);
    }
    spent.costUsd += result.costUsd;
    spent.attempts += result.attempt;
  }
}

/** A fix round's agent failed: its failure, counting what the rounds before it spent too. */
function withEarlierRounds(err: unknown, earlier: AgentFailureDetails): unknown {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (isCancellation(err) || !(cause instanceof ApplicationFailure)) return err;
  const own = (cause.details?.[0] ?? {}) as Partial<AgentFailureDetails>;
  const details: AgentFailureDetails = {
    ...own,
    attempt: earlier.attempt + (own.attempt ?? 1),
    costUsd: earlier.costUsd + (own.costUsd ?? 0),
  };
  return ApplicationFailure.create({
    type: cause.type ?? undefined,
    message: cause.message,
    nonRetryable: true,
    details: [details],
  });
}
