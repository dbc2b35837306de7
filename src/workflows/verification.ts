// Verified, not just finished (DESIGN.md §11): a task's agent ends, then its `verify` commands run in its
// workspace (state verifying); a failing one goes back to the same conversation of the agent (state running), up
// to `verifyRounds` times, and then the task fails with errorKind verification. Missing `expectedOutputs` go
// through the same rounds (the agent is told which files are missing). Workflow code.
import { ActivityFailure, ApplicationFailure, isCancellation, patched } from '@temporalio/workflow';
import type { RunAgentInput, RunAgentResult } from '../contract/agent.js';
import { FailureType, type AgentFailureDetails } from '../contract/failures.js';
import { DEFAULT_VERIFY_ROUNDS, type EffectiveTask } from '../plan/schema.js';
import { agentActivities, verifyActivities, type ActivityTiming } from './proxies.js';
import type { Scheduler } from './scheduler/index.js';

/** Histories from before verify have no verifyTask activities: they replay without this branch. */
export const VERIFY_PATCH = 'baton-task-verify';
/** Histories from before it failed an attempt on missing expectedOutputs (Temporal retried it). */
export const OUTPUTS_PATCH = 'baton-outputs-to-agent';

/** One check after the agent's answer; `failure` the message for the agent, when it did not pass. */
interface Check {
  failure?: string;
  type: string;
}

/** The task's agent, then its checks; the agent's result (cost and attempts of every round) when they pass. */
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
  const spent = { costUsd: result.costUsd, attempts: result.attempt };
  /** The round's check: the expected outputs first (no command runs while files are missing), then the commands. */
  const check = async (round: number, fixing: (failed: boolean) => boolean): Promise<Check> => {
    const missing = result.missingOutputs ?? [];
    if (missing.length > 0) return { type: FailureType.ExpectedOutputsMissing, failure: missingMessage(missing) };
    if (commands.length === 0 || !patched(VERIFY_PATCH)) return { type: FailureType.VerificationFailed };
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
    const verification = { passed: outcome.passed, rounds: round + 1, outputPath: outcome.outputPath };
    sched.verifying(task.id, verification, fixing(!outcome.passed));
    const failure = outcome.passed ? undefined : (outcome.message ?? 'verification failed');
    return { type: FailureType.VerificationFailed, ...(failure ? { failure } : {}) };
  };
  for (let round = 0; ; round++) {
    const { type, failure } = await check(round, (failed) => failed && round < rounds);
    if (failure === undefined) return { ...result, costUsd: spent.costUsd, attempt: spent.attempts };
    const details: AgentFailureDetails = {
      attempt: spent.attempts,
      costUsd: spent.costUsd,
      sessionId: result.sessionId,
    };
    if (round >= rounds)
      throw ApplicationFailure.create({ type, message: failure, nonRetryable: true, details: [details] });
    // Guidance a person gave meanwhile reaches the agent with the failure.
    const { guidance } = sched.takeGuidance(task.id);
    const fix = { round: round + 1, message: failure };
    try {
      const agent = agentActivities(task, input.generation, timing, fix.round);
      result = await agent.runAgent({ ...first, guidance, sessionId: result.sessionId, fix });
    } catch (err) {
      throw withEarlierRounds(err, details);
    }
    spent.costUsd += result.costUsd;
    spent.attempts += result.attempt;
  }
}

function missingMessage(missing: string[]): string {
  const one = missing.length === 1;
  return `expected output${one ? '' : 's'} missing: ${missing.join(', ')} (the agent ended without ${one ? 'it' : 'them'}; the task's expectedOutputs must exist when it ends)`;
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
