// The runAgent activity (DESIGN §5): one attempt of one task, as one `claude -p` process.
import { randomUUID } from 'node:crypto';
import { accessSync, constants, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { access, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { durationMs } from '../plan/schema.js';
import { FailureType, type AgentFailureDetails } from '../contract/failures.js';
import type { ArtifactStore } from '../artifacts/store.js';
import { attemptPaths, type AttemptPaths } from './artifact-paths.js';
import { dependencyResults, keepAttemptFiles, readTaskPrompt, storeOf, unavailable } from './attempt-files.js';
import { buildClaudeArgs, promptFitsArgv, type SessionMode } from './claude-args.js';
import { classify, failure, notRunnable, type Classification } from './classify.js';
import { FileTail, FOLLOW_INTERVAL_MS, lastLines } from './file-tail.js';
import { detectPidNamespace } from './pid-namespace.js';
import { buildPrompt, buildResumePrompt } from './prompt.js';
import { claudeConfigDir, findSession } from './session-store.js';
import { spawnClaude, type ExitInfo } from './spawn-claude.js';
import { StreamParser } from './stream.js';
import type { AgentHeartbeat, AttemptSession, RunAgentInput, RunAgentResult } from '../contract/agent.js';
import { rebaseAgentInput } from './workspace/rebase-paths.js';

export interface ActivityDeps {
  /** Root folder of artifacts (transcripts, results) on this worker: claude writes here. */
  artifactsDir: string;
  /** Where the files are kept for other workers and people (BATON_ARTIFACTS); default: artifactsDir itself. */
  store?: ArtifactStore;
  /** Root folder of the runs' git worktrees (`<BATON_HOME>/worktrees`; default: beside artifactsDir). */
  worktreesDir?: string;
  /** The claude executable: a path, or a name looked up on PATH. */
  claudeBin: string;
  /** Added to the worker's environment for claude; an undefined value removes a variable. */
  env?: Record<string, string | undefined>;
  /** Start claude in its own PID namespace when the machine allows it (default true). */
  usePidNamespace?: boolean;
  /** How long claude gets after SIGINT before the tree is SIGKILLed (default 2 s). */
  killGraceMs?: number;
  /** Heartbeat period (default 1 s). */
  heartbeatMs?: number;
}

/** Bound of `RunAgentResult.text`: results travel in workflow history, the full text stays in result.md. */
export const RESULT_TEXT_LIMIT = 4000;
const STDERR_TAIL_LINES = 20;
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Set for every claude: Temporal owns retries, and the agent stays off every network but the model's. */
const CLAUDE_ENV = {
  // claude's own retries take minutes on 429/529 and hide the error from the workflow.
  CLAUDE_CODE_MAX_RETRIES: '0',
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  DISABLE_AUTOUPDATER: '1',
};

export function createActivities(deps: ActivityDeps) {
  return {
    async runAgent(input: RunAgentInput): Promise<RunAgentResult> {
      return runAgent(deps, rebaseAgentInput(input));
    },
  };
}

async function runAgent(deps: ActivityDeps, input: RunAgentInput): Promise<RunAgentResult> {
  const ctx = Context.current();
  const attempt = ctx.info.attempt;
  const paths = attemptPaths(deps.artifactsDir, {
    runId: input.runId,
    taskId: input.task.id,
    generation: input.generation,
    attempt,
  });
  const env = { ...deps.env, ...CLAUDE_ENV };
  // claude inherits the worker's environment (extendEnv): its config folder is decided by both.
  const configDir = claudeConfigDir({ ...process.env, ...env });
  const session = await sessionFor(input, attempt, ctx.info.heartbeatDetails, configDir);
  const details: AgentFailureDetails & { session: AttemptSession } = {
    attempt,
    sessionId: session.sessionId,
    costUsd: 0,
    transcriptPath: paths.transcript,
    session: session.record,
  };
  const fail = (verdict: Classification): ApplicationFailure =>
    ApplicationFailure.create({
      type: verdict.type,
      message: verdict.message,
      nonRetryable: !verdict.retryable,
      details: [{ ...details, apiErrorStatus: verdict.apiErrorStatus }],
    });
  if (session.record.notResumedBecause) {
    ctx.log.info(`attempt ${attempt} starts a new conversation: ${session.record.notResumedBecause}`);
  }

  // The preparation below is a few small local files. Synchronous on purpose: when a layer of tasks becomes ready,
  // tens of attempts start at once, and each awaited call is a round trip through libuv's 4-thread pool; in the
  // 20-wide DAG benchmark those queued up to 60 ms of preparation per attempt, for syscalls of microseconds.
  if (!isDirectory(input.cwd)) {
    throw fail(
      failure(
        FailureType.AgentBadArguments,
        `the task's working directory ${input.cwd} does not exist or is not a folder; retrying cannot help`,
      ),
    );
  }
  const missingBin = checkExplicitPath(deps.claudeBin);
  if (missingBin) throw fail(notRunnable(deps.claudeBin, missingBin));

  mkdirSync(paths.dir, { recursive: true });
  const parser = new StreamParser();
  const heartbeat = (): void => {
    const beat: AgentHeartbeat = {
      sessionId: parser.state.sessionId ?? session.sessionId,
      // Turns of the conversation: a resumed one counts what its earlier attempts did.
      turns: session.earlierTurns + parser.state.turns,
      lastTool: parser.state.lastTool,
      costUsd: parser.state.result?.costUsd ?? 0,
      transcriptPath: paths.transcript,
      session: session.record,
    };
    ctx.heartbeat(beat);
  };
  /** Heartbeats while `work` runs: transfers to and from the store may outlast the heartbeat timeout. */
  const beating = async <T>(work: () => Promise<T>): Promise<T> => {
    heartbeat();
    const timer = setInterval(heartbeat, deps.heartbeatMs ?? 1000);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  };
  const store = storeOf(deps);
  const taskPrompt = await beating(() => readTaskPrompt(store, input.task.prompt, { ...details }));
  const resultFiles = await beating(() => dependencyResults(store, input, paths, { ...details }));
  const fullPrompt = buildPrompt(
    { ...input, task: { ...input.task, prompt: taskPrompt } },
    { dependencyResults: resultFiles },
  );
  writeFileSync(paths.prompt, fullPrompt);
  writeFileSync(paths.session, JSON.stringify(session.record, null, 2) + '\n');
  const prompt = session.kind === 'resume' ? buildResumePrompt(input) : fullPrompt;
  const onStdin = !promptFitsArgv(prompt);
  const args = buildClaudeArgs({
    prompt: onStdin ? null : prompt,
    task: input.task,
    agents: input.agents,
    session: { kind: session.kind, sessionId: session.sessionId },
    // Outside its cwd, claude asks before reading a file, and nobody answers in -p: name the results' folders.
    addDirs: foldersOutside(input.cwd, Object.values(resultFiles)),
  });
  const pidNamespace = deps.usePidNamespace === false ? null : await detectPidNamespace();
  const asRoot = process.getuid?.() === 0 || pidNamespace?.mapsRoot === true;

  // The transcript is claude's stdout itself, read back as it grows.
  const transcript = new FileTail(paths.transcript, (text) => parser.push(text));
  // A prompt too long for argv goes on stdin, from a file: prompt.md, or the resumed attempt's own.
  let stdinFile: string | undefined;
  if (onStdin && prompt === fullPrompt) stdinFile = paths.prompt;
  else if (onStdin) await writeFile((stdinFile = paths.resumePrompt), prompt);
  const claude = await spawnClaude({
    claudeBin: deps.claudeBin,
    args,
    cwd: input.cwd,
    env: {
      ...env,
      // As root, claude refuses bypassPermissions unless told it runs in a sandbox.
      ...(input.task.permissionMode === 'bypassPermissions' && asRoot ? { IS_SANDBOX: '1' } : {}),
    },
    pidNamespace,
    stdinFile,
    stdoutFile: paths.transcript,
    stderrFile: paths.stderr,
  });
  transcript.follow(FOLLOW_INTERVAL_MS);
  const stop = (): void => void claude.terminate(deps.killGraceMs);
  let timedOut = false;
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let timeoutTimer: NodeJS.Timeout | undefined;
  let exit: ExitInfo;
  try {
    // Timer-based: a quiet agent still heartbeats, and heartbeating is how cancellation reaches the activity.
    heartbeatTimer = setInterval(heartbeat, deps.heartbeatMs ?? 1000);
    heartbeat();
    const timeoutMs = durationMs(input.task.timeout);
    // Longer than setTimeout can wait: leave it to the activity's start-to-close timeout.
    if (timeoutMs <= MAX_TIMER_MS) {
      timeoutTimer = setTimeout(() => {
        timedOut = true;
        stop();
      }, timeoutMs);
    }
    ctx.cancellationSignal.addEventListener('abort', stop, { once: true });
    if (ctx.cancellationSignal.aborted) stop();
    exit = await claude.exited;
  } finally {
    clearInterval(heartbeatTimer);
    clearTimeout(timeoutTimer);
    ctx.cancellationSignal.removeEventListener('abort', stop);
    // Whatever ended this attempt, claude and everything it started end with it (a no-op once it has exited).
    await claude.terminate(deps.killGraceMs);
    await transcript.finish();
  }
  const state = parser.end();
  details.sessionId = state.sessionId ?? session.sessionId;
  details.costUsd = state.result?.costUsd ?? 0;
  const logs = [paths.prompt, paths.session, paths.transcript, paths.stderr];
  try {
    return await finishAttempt();
  } catch (err) {
    // A failed attempt's transcript is what people read to see why: keep it too, without hiding the failure.
    if (!(err instanceof ApplicationFailure && err.type === FailureType.ArtifactsUnavailable)) {
      await beating(() => keepAttemptFiles(store, paths, logs)).catch((keepErr: unknown) =>
        ctx.log.warn(`attempt ${attempt}'s files were not kept in ${store.location}: ${(keepErr as Error).message}`),
      );
    }
    throw err;
  }

  async function finishAttempt(): Promise<RunAgentResult> {
    if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
    const verdict = classify({
      ...exit,
      result: state.result,
      // Only an attempt without a result line is judged by its stderr (see classify).
      stderrTail: state.result ? [] : await lastLines(paths.stderr, STDERR_TAIL_LINES),
      claudeBin: deps.claudeBin,
    });
    // Stopped by SIGINT, claude still writes a result line (error_during_execution): the timeout is the cause.
    if (timedOut && (verdict || !state.result)) {
      throw fail(
        failure(
          FailureType.AgentTimedOut,
          `the attempt ran longer than the task's timeout of ${String(input.task.timeout)} and was stopped; another attempt may finish in time`,
        ),
      );
    }
    const result = state.result;
    if (verdict || !result) throw fail(verdict ?? failure(FailureType.AgentCrashed, 'claude ended without a result'));

    const missing = await missingOutputs(input);
    if (missing.length > 0) {
      throw fail(
        failure(
          FailureType.ExpectedOutputsMissing,
          `the agent finished but ${missing.length === 1 ? 'this expected output is' : 'these expected outputs are'} missing: ${missing.join(', ')}; another attempt may create ${missing.length === 1 ? 'it' : 'them'}`,
        ),
      );
    }

    await writeFile(paths.result, result.text);
    const kept = await beating(() => keepAttempt(store, paths, [paths.result, ...logs], { ...details }));
    return {
      text: result.text.slice(0, RESULT_TEXT_LIMIT),
      truncated: result.text.length > RESULT_TEXT_LIMIT,
      sessionId: state.sessionId ?? session.sessionId,
      costUsd: result.costUsd,
      usage: result.usage,
      numTurns: result.numTurns,
      durationMs: result.durationMs,
      artifactPath: kept.refOf(paths.result),
      transcriptPath: kept.refOf(paths.transcript),
      attempt,
      permissionDenials: result.permissionDenials.length,
      session: session.record,
    };
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

type AttemptStart = SessionMode & {
  record: AttemptSession;
  /** Model turns the conversation held before this attempt (resumed: the previous attempt's count). */
  earlierTurns: number;
};

/**
 * The first attempt starts the conversation the workflow chose. A later one continues the conversation the
 * previous attempt heartbeated, when that attempt got as far as a model answer and claude can find the
 * conversation here (same CLAUDE_CONFIG_DIR, same cwd); otherwise it starts a fresh one — under a new id,
 * since claude refuses to reuse a session id ("Session ID … is already in use", even after an API error).
 */
async function sessionFor(
  input: RunAgentInput,
  attempt: number,
  heartbeatDetails: unknown,
  configDir: string,
): Promise<AttemptStart> {
  if (attempt === 1) {
    return {
      kind: 'new',
      sessionId: input.sessionId,
      record: { mode: 'new', sessionId: input.sessionId },
      earlierTurns: 0,
    };
  }
  const fresh = (reason: string, previousSessionId?: string): AttemptStart => {
    const sessionId = randomUUID();
    const record: AttemptSession = { mode: 'new', sessionId, previousSessionId, notResumedBecause: reason };
    return { kind: 'new', sessionId, record, earlierTurns: 0 };
  };
  const previous = lastHeartbeat(heartbeatDetails);
  if (!previous) return fresh('the previous attempt reported no Claude session (it heartbeated nothing)');
  if (previous.turns === 0) {
    return fresh('the previous attempt ended before the model answered: nothing to continue', previous.sessionId);
  }
  const found = await findSession(configDir, previous.sessionId, input.cwd);
  if (!found.available)
    return fresh(`its session is not available to this worker: ${found.reason}`, previous.sessionId);
  return {
    kind: 'resume',
    sessionId: previous.sessionId,
    record: { mode: 'resumed', sessionId: previous.sessionId, previousSessionId: previous.sessionId },
    earlierTurns: previous.turns,
  };
}

/** The previous attempt's last heartbeat, if it has the shape runAgent sends. */
function lastHeartbeat(details: unknown): Pick<AgentHeartbeat, 'sessionId' | 'turns'> | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const { sessionId, turns } = details as Partial<AgentHeartbeat>;
  if (typeof sessionId !== 'string' || sessionId === '') return undefined;
  return { sessionId, turns: typeof turns === 'number' ? turns : 0 };
}

/** The folders of `files` that are not inside `cwd`, each once. */
function foldersOutside(cwd: string, files: string[]): string[] {
  const root = path.resolve(cwd);
  const folders = files.map((file) => path.dirname(path.resolve(file)));
  return [...new Set(folders)].filter((dir) => dir !== root && !dir.startsWith(`${root}${path.sep}`));
}

function isDirectory(dir: string): boolean {
  return statSync(dir, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** Configured claude paths found runnable: checked once per worker, not once per attempt. */
const runnableBins = new Set<string>();

/** For a configured path (not a bare name looked up on PATH): ENOENT or EACCES when it cannot be run. */
function checkExplicitPath(bin: string): 'ENOENT' | 'EACCES' | undefined {
  if (!bin.includes(path.sep) || runnableBins.has(bin)) return undefined;
  const found = statSync(bin, { throwIfNoEntry: false });
  if (!found) return 'ENOENT';
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    return 'EACCES';
  }
  if (!found.isFile()) return 'EACCES';
  runnableBins.add(bin);
  return undefined;
}

async function missingOutputs(input: RunAgentInput): Promise<string[]> {
  const checks = input.task.expectedOutputs.map(async (output) => {
    const absolute = path.resolve(input.cwd, output);
    try {
      await access(absolute, constants.F_OK);
      return undefined;
    } catch {
      return absolute;
    }
  });
  return (await Promise.all(checks)).filter((missing): missing is string => missing !== undefined);
}
