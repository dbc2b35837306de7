// The verifyTask activity (DESIGN.md §11): a task's `verify` commands, one round, after its agent ended. Each runs
// in the task's workspace like its agent (environment allow-list, PID namespace), in order, the first failure
// ending the round; the round's time is the task's timeout. A failing command is the round's answer, not the
// activity's failure: the workflow gives it back to the agent. The output is kept with the attempt's files.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { VerifyFailure, VerifyTaskInput, VerifyTaskResult } from '../../contract/verify.js';
import { VERIFY_OUTPUT_BYTES, VERIFY_TAIL_BYTES } from '../../contract/verify.js';
import { OWNER_ONLY_DIR } from '../../files/owner-only.js';
import { durationMs } from '../../plan/schema.js';
import type { ActivityDeps } from '../activity-deps.js';
import { agentEnv } from '../agent-env.js';
import { attemptPaths } from '../artifact-paths.js';
import { keepAttemptFiles, storeOf, unavailable } from '../attempt-files.js';
import { pidNamespaceFor } from '../pid-namespace.js';
import { checkVerifyPolicy } from '../policy-check.js';
import { worktreeHere } from '../workspace/checkpoints.js';
import { BoundedOutput } from './bounded-output.js';
import { runCommand, type CommandOutcome } from './run-command.js';

export function createVerifyActivities(deps: ActivityDeps) {
  return {
    async verifyTask(input: VerifyTaskInput): Promise<VerifyTaskResult> {
      return await verifyTask(deps, input);
    },
  };
}

async function verifyTask(deps: ActivityDeps, input: VerifyTaskInput): Promise<VerifyTaskResult> {
  const ctx = Context.current();
  const details = { attempt: ctx.info.attempt, costUsd: 0 };
  // The policy judges the folder the commands run in on this host (with a remote, this host's own worktree).
  const cwd = await workspaceHere(deps, input, ctx);
  checkVerifyPolicy(deps, { ...input, cwd }, details);
  if (!existsSync(cwd)) {
    // Another worker (another attempt) may have the folder: retryable.
    throw ApplicationFailure.create({ message: `the task's workspace ${cwd} does not exist on this worker` });
  }
  const paths = attemptPaths(deps.artifactsDir, { ...input, attempt: 0 });
  mkdirSync(paths.dir, { recursive: true, mode: OWNER_ONLY_DIR });
  const file = path.join(paths.dir, input.scope === 'plan' ? 'plan-verify.log' : `verify-${input.round}.log`);
  const output = new BoundedOutput(file, VERIFY_OUTPUT_BYTES, VERIFY_TAIL_BYTES);
  const pidNamespace = await pidNamespaceFor(deps.usePidNamespace);
  const env = agentEnv({ worker: process.env, added: deps.env, policy: deps.policy });
  const started = Date.now();
  const deadline = started + durationMs(input.timeout);
  let current = 0;
  const beat = (): void => ctx.heartbeat({ round: input.round, command: current });
  const timer = setInterval(beat, deps.heartbeatMs ?? 1000);
  beat();
  let failure: VerifyFailure | undefined;
  try {
    for (const [i, argv] of input.commands.entries()) {
      current = i;
      output.note(`$ ${shown(argv)}\n`);
      const commandStarted = Date.now();
      const outcome = await runCommand({
        argv,
        cwd,
        env,
        pidNamespace,
        timeoutMs: Math.max(0, deadline - commandStarted),
        killGraceMs: deps.killGraceMs,
        signal: ctx.cancellationSignal,
        output,
      });
      output.note(`\n[${ending(outcome, input)} after ${((Date.now() - commandStarted) / 1000).toFixed(1)} s]\n\n`);
      if (outcome.exitCode !== 0 || outcome.timedOut) {
        failure = { command: argv, ...outcome };
        break;
      }
    }
  } finally {
    clearInterval(timer);
    output.close();
  }
  const kept = await keepAttemptFiles(storeOf(deps), paths, [file]).catch((err: unknown) => {
    throw unavailable(`the verify output could not be kept: ${(err as Error).message}`, err, details);
  });
  const outputPath = kept.refOf(file);
  return {
    passed: failure === undefined,
    outputPath,
    ...(failure ? { failure, message: failureMessage(failure, { ...input, cwd }, outputPath) } : {}),
    durationMs: Date.now() - started,
  };
}

/**
 * Where the round runs on this host. With a remote, the task's worktree is made here when it is missing or older
 * than the remote's newest state of the task (its branch and last checkpoint: the agent's attempt ended on another
 * host); else the folder the workflow names.
 */
async function workspaceHere(deps: ActivityDeps, input: VerifyTaskInput, ctx: Context): Promise<string> {
  const shared = input.sharedWorktree;
  if (!shared) return input.cwd;
  const here = await worktreeHere(
    deps,
    { runId: input.runId, task: { id: input.taskId }, cwd: input.cwd, sharedWorktree: shared },
    { onWait: () => ctx.heartbeat(), signal: ctx.cancellationSignal },
  );
  return here.input.cwd;
}

/** How a command ended, in words. */
function ending(
  outcome: Omit<CommandOutcome, 'tail' | 'timedOut'> & { timedOut?: boolean },
  input: VerifyTaskInput,
): string {
  if (outcome.timedOut) return `stopped: the round ran past the task's timeout of ${String(input.timeout)}`;
  if (outcome.startError) return `could not start: ${outcome.startError}`;
  if (outcome.signal) return `ended by ${outcome.signal}`;
  return `exit code ${outcome.exitCode}`;
}

/** What the agent is told (and the task's error says when no round is left): the command, how it ended, its end. */
function failureMessage(failure: VerifyFailure, input: VerifyTaskInput, outputPath: string): string {
  const how = ending(failure, input);
  const tail = failure.tail.trimEnd();
  return [
    `verification failed: \`${shown(failure.command)}\` ${how.startsWith('exit') ? `exited with ${how}` : how} (run in ${input.cwd}; full output: ${outputPath})`,
    '',
    tail ? `The end of its output:\n\n\`\`\`\n${tail}\n\`\`\`` : 'It printed nothing.',
  ].join('\n');
}

/** An argv as a person reads it: arguments with spaces or quotes quoted (JSON-style), never run by a shell. */
export function shown(argv: readonly string[]): string {
  return argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg))).join(' ');
}
