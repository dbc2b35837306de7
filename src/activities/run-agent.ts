// The runAgent activity (DESIGN §5): one attempt of one task, as one claude process (run by claude-attempt.ts).
// Here is the task's side of it: its conversation, prompt and files before, its outputs and result after.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ArtifactStore } from '../artifacts/store.js';
import { durationMs } from '../plan/schema.js';
import { FailureType, type AgentFailureDetails } from '../contract/failures.js';
import type { ActivityDeps } from './activity-deps.js';
import { agentConfigDir } from './agent-env.js';
import { attemptPaths, type AttemptPaths } from './artifact-paths.js';
import { dependencyResults, keepAttemptFiles, readTaskPrompt, storeOf, unavailable } from './attempt-files.js';
import { sessionFor } from './attempt-session.js';
import { ConversationSync } from './conversation-sync.js';
import { sessionFilesAnywhere, sizeOf } from './session-store.js';
import {
  generationFiles,
  keepCompleted,
  readCompleted,
  recordConversation,
  type GenerationFiles,
} from './generation-files.js';
import { runClaudeAttempt } from './claude-attempt.js';
import { addDirsFor } from './claude-args.js';
import { guidanceChannel } from './guidance-channel.js';
import { cannotStart } from './claude-preflight.js';
import { checkAgentPolicy } from './policy-check.js';
import { OWNER_ONLY_DIR, ownerOnlyFile, writeOwnerOnly } from '../files/owner-only.js';
import { failure, type Classification } from './classify.js';
import { missingOutputs } from './expected-outputs.js';
import { buildPrompt, buildResumePrompt } from './prompt.js';
import type { ResultLine, StreamState } from './stream.js';
import type { AgentHeartbeat, AttemptSession, RunAgentInput, RunAgentResult } from '../contract/agent.js';
import { rebaseAgentInput } from './workspace/rebase-paths.js';
import { openAttemptTalk, questionOfEarlierAttempt } from './agent-talk/attempt-talk.js';
import { withCheckpoints } from './workspace/checkpoints.js';

/** Bound of `RunAgentResult.text`: results travel in workflow history, the full text stays in result.md. */
export const RESULT_TEXT_LIMIT = 4000;
/** How often, at most, a growing conversation is kept in the store (conversation-sync.ts). */
const CONVERSATION_SYNC_MS = 2000;
/** How often, at most, a shared worktree's files are checkpointed to its remote (workspace/checkpoints.ts). */
const CHECKPOINT_MS = 2000;

const AWAITING_ANSWER =
  "the agent's question waits for a person's answer (baton answer); the task continues its conversation once answered";

export function createActivities(deps: ActivityDeps) {
  return {
    async runAgent(input: RunAgentInput): Promise<RunAgentResult> {
      const shared = input.sharedWorktree;
      if (!shared) return runAgent(deps, rebaseAgentInput(input));
      const interval = deps.checkpointMs ?? CHECKPOINT_MS;
      return withCheckpoints(deps, { ...input, sharedWorktree: shared }, interval, (here) =>
        runAgent(deps, rebaseAgentInput(here)),
      );
    },
  };
}

async function runAgent(deps: ActivityDeps, input: RunAgentInput): Promise<RunAgentResult> {
  // Claudes started ahead on this worker wait until this attempt's own is under way (warm-pool.ts).
  const started = deps.warmAgents?.starting({ runId: input.runId, taskId: input.task.id }) ?? ((): void => undefined);
  try {
    return await runAttempt(deps, input, started);
  } finally {
    started();
  }
}

async function runAttempt(deps: ActivityDeps, input: RunAgentInput, started: () => void): Promise<RunAgentResult> {
  const ctx = Context.current();
  const attempt = ctx.info.attempt;
  // Before anything of the attempt exists: a task asking for more than this worker allows never starts.
  checkAgentPolicy(deps, input, { attempt, costUsd: 0 });
  // A fix round's attempts (DESIGN §11) have files of their own beside the first run's.
  const fixRound = input.fix?.round;
  const ids = { runId: input.runId, taskId: input.task.id, generation: input.generation, fixRound };
  const label = (n: number | string): string | number => (fixRound ? `fix${fixRound}-${n}` : n);
  let paths = attemptPaths(deps.artifactsDir, { ...ids, attempt: label(attempt) });
  const details: AgentFailureDetails & { session?: AttemptSession } = {
    attempt,
    sessionId: input.sessionId,
    costUsd: 0,
    transcriptPath: paths.transcript,
  };
  const fail = (verdict: Classification): ApplicationFailure =>
    ApplicationFailure.create({
      type: verdict.type,
      message: verdict.message,
      nonRetryable: !verdict.retryable,
      details: [{ ...details, apiErrorStatus: verdict.apiErrorStatus }],
    });
  const store = storeOf(deps);
  const { files, completed } = await earlierAttempts(store, paths, details);
  // A reset attempt (numbered again from 1) has files of its own beside those of the earlier attempt of its number.
  const sameNumber = files.conversations.filter(
    (entry) => entry.attempt === attempt && entry.fixRound === fixRound,
  ).length;
  if (sameNumber > 0) {
    paths = attemptPaths(deps.artifactsDir, { ...ids, attempt: label(`${attempt}.${sameNumber + 1}`) });
    details.transcriptPath = paths.transcript;
  }
  if (completed) {
    // Its attempt finished the agent, but Temporal never took the answer (an outage past the heartbeat timeout).
    ctx.log.info(`attempt ${attempt} returns the result attempt ${completed.attempt} completed and kept`);
    // Attempts count Temporal's (the status's `attempts`); the transcript stays the one of the attempt that worked.
    return { ...completed, attempt };
  }
  const cannot = cannotStart(deps.claudeBin, input.cwd, "the task's working directory");
  if (cannot) throw fail(cannot);
  const configDir = agentConfigDir(deps.env);
  const session = await sessionFor({ input, attempt, configDir, store, paths, files }).catch((err: unknown) => {
    throw unavailable(`cannot fetch the task's conversation: ${(err as Error).message}`, err, details);
  });
  details.sessionId = session.sessionId;
  details.session = session.record;

  if (session.record.notResumedBecause) {
    ctx.log.info(`attempt ${attempt} starts a new conversation: ${session.record.notResumedBecause}`);
  }

  // Synchronous, as the preflight is: a few small local files, for tens of attempts starting at once.
  mkdirSync(paths.dir, { recursive: true, mode: OWNER_ONLY_DIR });
  let stream: StreamState | undefined;
  const heartbeatMs = deps.heartbeatMs ?? 1000;
  const beatsFrom = Date.now() + heartbeatMs;
  let sent: { beat: string; at: number } | undefined;
  const heartbeat = (): void => {
    // Not in the attempt's first beat: Temporal sends a first heartbeat at once (a call to the server, which writes
    // it), and a quick agent's attempt has ended before it would tell anyone anything (issue 22).
    if (Date.now() < beatsFrom) return;
    const beat: AgentHeartbeat = {
      sessionId: stream?.sessionId ?? session.sessionId,
      // Turns of the conversation: a resumed one counts what its earlier attempts did.
      turns: session.earlierTurns + (stream?.turns ?? 0),
      lastTool: stream?.lastTool,
      costUsd: stream?.result?.costUsd ?? 0,
      transcriptPath: paths.transcript,
      session: session.record,
    };
    // The same beat again within half a period tells Temporal nothing, and costs the worker an encoding and a trip
    // to its core all the same (an attempt's steps at its end each start with one; the timers beat every period).
    const text = JSON.stringify(beat);
    const now = Date.now();
    if (sent?.beat === text && now - sent.at < heartbeatMs / 2) return;
    sent = { beat: text, at: now };
    ctx.heartbeat(beat);
  };
  /** Heartbeats while `work` runs: transfers to and from the store may outlast the heartbeat timeout. */
  const beating = async <T>(work: () => Promise<T>): Promise<T> => {
    heartbeat();
    const timer = setInterval(heartbeat, heartbeatMs);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  };
  const taskPrompt = await beating(() => readTaskPrompt(store, input.task.prompt, { ...details }));
  const resultFiles = await beating(() => dependencyResults(store, input, paths, { ...details }));
  const logs = [paths.prompt, paths.session, paths.transcript, paths.stderr];
  // A claude started ahead for this run of the task (warm-pool.ts): only a first attempt's new conversation takes it.
  const first = attempt === 1 && !fixRound && sameNumber === 0 && session.kind === 'new';
  const warm = await deps.warmAgents?.claim(ids, first ? session.sessionId : null);
  // The agent's baton tools (DESIGN §13): notes, and questions to a person. Closed however the attempt ends.
  const talk =
    deps.agentTools === false
      ? null
      : await openAttemptTalk(ctx, {
          taskId: input.task.id,
          generation: input.generation,
          sessionId: () => stream?.sessionId ?? session.sessionId,
          signal: ctx.cancellationSignal,
          ...(warm?.bridge ? { bridge: warm.bridge } : {}),
          conversationFile: async () => {
            const id = stream?.sessionId ?? session.sessionId;
            if (id === session.sessionId && (await sizeOf(session.file)) !== undefined) return session.file;
            return (await sessionFilesAnywhere(configDir, id))[0];
          },
        }).catch(async (err: unknown) => {
          await warm?.discard();
          throw err;
        });
  try {
    // A question an earlier attempt's agent asked (that attempt ended first): still open, this attempt could only
    // wait too, so the run holds the task until the answer; answered, the answer goes into the conversation (the
    // one that asked: the newest of the generation), and the question is closed once the model has read it.
    const earlier = await beating(() => questionOfEarlierAttempt(talk, input, attempt));
    if (earlier === 'waiting') throw fail(failure(FailureType.AwaitingAnswer, AWAITING_ANSWER));
    let answerTaken = earlier ? () => talk!.answerTaken(earlier.questionId) : null;
    const answer = earlier?.answer ?? input.answer;
    const fullPrompt = buildPrompt(
      { ...input, answer, task: { ...input.task, prompt: taskPrompt } },
      { dependencyResults: resultFiles, tools: talk !== null },
    );
    writeFileSync(paths.prompt, fullPrompt, ownerOnlyFile);
    writeFileSync(paths.session, JSON.stringify(session.record, null, 2) + '\n', ownerOnlyFile);
    // Before claude starts: whatever happens to this attempt, the next one knows which conversation it had.
    await beating(() =>
      recordConversation(store, paths, files.conversations, {
        sessionId: session.sessionId,
        attempt,
        mode: session.record.mode,
        cwd: input.cwd,
        ...(fixRound ? { fixRound } : {}),
      }),
    ).catch((err: unknown) => {
      throw unavailable(
        `cannot record the task's conversation in ${store.location}: ${(err as Error).message}`,
        err,
        details,
      );
    });
    const sync = new ConversationSync(
      store,
      paths.key(paths.conversationCopy(session.sessionId)),
      session.file,
      { configDir, sessionId: session.sessionId },
      deps.conversationSyncMs ?? CONVERSATION_SYNC_MS,
    );

    const claude = await runClaudeAttempt(deps, {
      command: {
        task: input.task,
        agents: input.agents,
        session: { kind: session.kind, sessionId: session.sessionId },
        addDirs: addDirsFor(input.cwd, Object.values(resultFiles)),
        mcpConfig: talk?.mcpConfig,
      },
      prompt:
        session.kind === 'resume'
          ? { text: buildResumePrompt(input, answer), file: paths.resumePrompt, written: false }
          : { text: fullPrompt, file: paths.prompt, written: true },
      cwd: input.cwd,
      transcriptFile: paths.transcript,
      stderrFile: paths.stderr,
      timeout: {
        ms: durationMs(input.task.timeout),
        message: `the attempt ran longer than the task's timeout of ${String(input.task.timeout)} and was stopped; another attempt may finish in time`,
      },
      signal: ctx.cancellationSignal,
      // A person's guidance reaches the agent while it works (DESIGN §11).
      live: { channel: guidanceChannel({ taskId: input.task.id, generation: input.generation }, deps.guidancePollMs) },
      warm,
      started,
      heartbeat: (state) => {
        stream = state;
        heartbeat();
        sync.poke(session.earlierTurns + state.turns);
        if (answerTaken && state.turns > 0) {
          void answerTaken();
          answerTaken = null;
        }
      },
    }).finally(() => beating(() => sync.flush()));
    if (sync.failure) {
      ctx.log.warn(`the conversation was not kept in ${store.location}: ${sync.failure.message}`);
    }
    stream = claude.stream;
    const sessionId = claude.stream.sessionId ?? session.sessionId;
    details.sessionId = sessionId;
    details.costUsd = claude.result?.costUsd ?? 0;
    // However the attempt ended, an agent that waits on a person leaves its question open: the run holds the task.
    if (talk?.waitingForAnswer && !ctx.cancellationSignal.aborted) {
      throw fail(failure(FailureType.AwaitingAnswer, AWAITING_ANSWER));
    }
    if (claude.verdict) throw fail(claude.verdict);
    return await succeed(claude.result, sessionId);
  } catch (err) {
    // A failed attempt's transcript is what people read to see why: keep it too, without hiding the failure.
    if (!(err instanceof ApplicationFailure && err.type === FailureType.ArtifactsUnavailable)) {
      await beating(() => keepAttemptFiles(store, paths, logs)).catch((keepErr: unknown) =>
        ctx.log.warn(`attempt ${attempt}'s files were not kept in ${store.location}: ${(keepErr as Error).message}`),
      );
    }
    throw err;
  } finally {
    await warm?.discard();
    await talk?.close();
  }

  /** claude succeeded: the task has, if its expected outputs exist (or go back to the agent) and its result is kept. */
  async function succeed(result: ResultLine, sessionId: string): Promise<RunAgentResult> {
    const missing = await missingOutputs(input);
    // What is missing is named as the plan names it (relative to the task's folder).
    const named = missing.map((file) => inside(input.cwd, file) ?? file);
    if (missing.length > 0 && !input.reportMissingOutputs) {
      // What is missing comes first: a table that shows the start of the message shows that.
      const one = missing.length === 1;
      throw fail(
        failure(
          FailureType.ExpectedOutputsMissing,
          `expected output${one ? '' : 's'} missing: ${named.join(', ')} (the agent finished without ${one ? 'it' : 'them'}; another attempt may create ${one ? 'it' : 'them'})`,
        ),
      );
    }
    await writeOwnerOnly(paths.result, result.text);
    const kept = await beating(() => keepAttempt(store, paths, [paths.result, ...logs], { ...details }));
    const answer: RunAgentResult = {
      text: result.text.slice(0, RESULT_TEXT_LIMIT),
      truncated: result.text.length > RESULT_TEXT_LIMIT,
      sessionId,
      costUsd: result.costUsd,
      usage: result.usage,
      numTurns: result.numTurns,
      durationMs: result.durationMs,
      artifactPath: kept.refOf(paths.result),
      transcriptPath: kept.refOf(paths.transcript),
      attempt,
      permissionDenials: result.permissionDenials.length,
      session: session.record,
      ...(missing.length > 0 ? { missingOutputs: named } : {}),
    };
    // Should Temporal refuse this answer (its server down past the heartbeat timeout), the next attempt gives it.
    await beating(() => keepCompleted(store, paths, answer)).catch((err: unknown) =>
      ctx.log.warn(`attempt ${attempt}'s answer was not kept in ${store.location}: ${(err as Error).message}`),
    );
    return answer;
  }
}

/** What the generation's earlier attempts left in the store; a store that cannot say fails the attempt (retryable). */
async function earlierAttempts(
  store: ArtifactStore,
  paths: AttemptPaths,
  details: AgentFailureDetails,
): Promise<{ files: GenerationFiles; completed?: RunAgentResult }> {
  try {
    const files = await generationFiles(store, paths);
    return { files, completed: files.completed && (await readCompleted(store, files.completed)) };
  } catch (err) {
    throw unavailable(
      `cannot read what earlier attempts left in ${store.location}: ${(err as Error).message}; another attempt will try again`,
      err,
      details,
    );
  }
}

/** A successful attempt whose result cannot be kept has not succeeded: its dependents could not read it. */
async function keepAttempt(store: ArtifactStore, paths: AttemptPaths, files: string[], details: AgentFailureDetails) {
  try {
    return await keepAttemptFiles(store, paths, files);
  } catch (err) {
    throw unavailable(
      `the agent finished, but its result could not be kept in ${store.location}: ${(err as Error).message}; another attempt will try again`,
      err,
      details,
    );
  }
}

/** `file` relative to `cwd` when it lies inside it; undefined otherwise. */
function inside(cwd: string, file: string): string | undefined {
  const relative = path.relative(path.resolve(cwd), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : undefined;
}
