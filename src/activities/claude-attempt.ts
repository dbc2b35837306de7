// One claude attempt, start to end, for every activity that runs claude (runAgent, the planner): its command line,
// the process, its transcript read back as it grows, heartbeats, the wall-clock timeout, cancellation, and the
// verdict. What the attempt is for (its prompt, its files, what a success must leave behind) is the activity's.
import { writeFile } from 'node:fs/promises';
import { FailureType } from '../contract/failures.js';
import { ownerOnlyFile } from '../files/owner-only.js';
import type { ActivityDeps } from './activity-deps.js';
import { agentEnv } from './agent-env.js';
import { buildClaudeArgs, promptFitsArgv, type ClaudeArgsInput } from './claude-args.js';
import { classify, failure, unknownAgent, type Classification } from './classify.js';
import { FileTail, FOLLOW_INTERVAL_MS, lastLines } from './file-tail.js';
import { LiveInput, userMessageLine, type LiveChannel, type LiveNote } from './live-input.js';
import { pidNamespaceFor } from './pid-namespace.js';
import { spawnClaude, type ExitInfo } from './spawn-claude.js';
import type { ClaudeLaunch, WarmAgent } from './warm-agent.js';
import { StreamParser, type ResultLine, type StreamState } from './stream.js';

export type ClaudeRunnerDeps = Pick<
  ActivityDeps,
  'claudeBin' | 'env' | 'policy' | 'usePidNamespace' | 'killGraceMs' | 'heartbeatMs'
>;

export interface ClaudeAttemptSpec {
  /** claude's command line but the prompt (claude-args.ts). */
  command: Omit<ClaudeArgsInput, 'prompt'>;
  /**
   * What claude is asked. A prompt too long for argv goes on stdin from `file`: the file holds it already
   * (`written`), or it is written there first.
   */
  prompt: { text: string; file: string; written: boolean };
  /** An existing folder (claude-preflight.ts checks it before the activity prepares anything). */
  cwd: string;
  /** claude's stdout, its stream-json transcript: a file claude writes itself (file-tail.ts says why). */
  transcriptFile: string;
  stderrFile: string;
  /** Wall-clock limit of the attempt, and the verdict's message when it is reached. */
  timeout: { ms: number; message: string };
  /** Ends the attempt; then `runClaudeAttempt` throws the signal's reason, once claude and its tree have ended. */
  signal?: AbortSignal;
  /** Called at the start and every `heartbeatMs`, with what the stream said so far. */
  heartbeat?: (stream: StreamState) => void;
  /**
   * Stream-json input (live-input.ts): the prompt is the first message on claude's stdin, which stays open for
   * the channel's notes until claude's first result. Absent: the prompt in argv (or on stdin as text), stdin closed.
   */
  live?: { channel?: LiveChannel };
  /** A claude started ahead for this attempt (warm-pool.ts): taken if it was started as this one would be. */
  warm?: WarmAgent;
  /** Called once claude has said something after its prompt (its start is behind it), or the attempt ended. */
  started?: () => void;
}

/** How one attempt ended. A success always has its result line. */
export type ClaudeAttempt = {
  stream: StreamState;
  exit: ExitInfo;
  /** A live attempt's notes that claude passed on to the model. */
  delivered: readonly LiveNote[];
} & ({ verdict: null; result: ResultLine } | { verdict: Classification; result?: ResultLine });

const STDERR_TAIL_LINES = 20;
/** Longer than setTimeout can wait: left to the activity's start-to-close timeout. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The process an attempt starts: its command line, environment, folder and files. */
export async function claudeLaunch(
  deps: ClaudeRunnerDeps,
  spec: Pick<ClaudeAttemptSpec, 'command' | 'cwd' | 'transcriptFile' | 'stderrFile'>,
  /** The prompt for argv; null: it goes on stdin. */
  prompt: string | null,
  live: boolean,
): Promise<ClaudeLaunch> {
  const args = buildClaudeArgs({ ...spec.command, prompt, live });
  const pidNamespace = await pidNamespaceFor(deps.usePidNamespace);
  const asRoot = process.getuid?.() === 0 || pidNamespace?.mapsRoot === true;
  return {
    claudeBin: deps.claudeBin,
    args,
    cwd: spec.cwd,
    env: agentEnv(
      { worker: process.env, added: deps.env, policy: deps.policy },
      { permissionMode: spec.command.task.permissionMode, asRoot },
    ),
    pidNamespace,
    stdoutFile: spec.transcriptFile,
    stderrFile: spec.stderrFile,
  };
}

/** Runs claude once and judges how it ended (one that cannot start too); throws when cancelled: the signal's reason. */
export async function runClaudeAttempt(deps: ClaudeRunnerDeps, spec: ClaudeAttemptSpec): Promise<ClaudeAttempt> {
  const live = spec.live !== undefined;
  const onStdin = live || !promptFitsArgv(spec.prompt.text);
  if (onStdin && !live && !spec.prompt.written) await writeFile(spec.prompt.file, spec.prompt.text, ownerOnlyFile);
  const launch = await claudeLaunch(deps, spec, onStdin ? null : spec.prompt.text, live);

  let input: LiveInput | undefined;
  // An --agent claude does not know, seen on its init line (unknownAgent): it is stopped at once.
  let refused: Classification | undefined;
  const parser = new StreamParser(
    live
      ? (event) => {
          if (input) spec.started?.();
          input?.onEvent(event);
          refused ??= unknownAgent(event, spec.command.task.agent);
          if (refused) stop();
        }
      : undefined,
  );
  const transcript = new FileTail(spec.transcriptFile, (text) => parser.push(text));
  // A claude started ahead with exactly this launch is taken (its prompt written now); any other is stopped before
  // this one starts. A live one started now gets its prompt with the start, from the launcher.
  const warm = live ? await spec.warm?.adopt(launch) : null;
  const claude =
    warm ??
    (await spawnClaude({
      ...launch,
      ...(live
        ? { stdinPipe: true, stdinText: userMessageLine(spec.prompt.text) }
        : onStdin
          ? { stdinFile: spec.prompt.file }
          : {}),
    }));
  if (claude.stdin) {
    input = new LiveInput(claude.stdin, spec.live?.channel);
    input.start(warm ? spec.prompt.text : null);
  }
  transcript.follow(FOLLOW_INTERVAL_MS, live);
  function stop(): void {
    void claude.terminate(deps.killGraceMs);
  }
  const beat = (): void => spec.heartbeat?.(parser.state);
  const { signal } = spec;
  let timedOut = false;
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let timeoutTimer: NodeJS.Timeout | undefined;
  let exit: ExitInfo;
  try {
    // Timer-based: a quiet agent still heartbeats, and heartbeating is how cancellation reaches an activity.
    heartbeatTimer = setInterval(beat, deps.heartbeatMs ?? 1000);
    beat();
    if (spec.timeout.ms <= MAX_TIMER_MS) {
      timeoutTimer = setTimeout(() => {
        timedOut = true;
        stop();
      }, spec.timeout.ms);
    }
    signal?.addEventListener('abort', stop, { once: true });
    if (signal?.aborted) stop();
    exit = await claude.exited;
  } finally {
    clearInterval(heartbeatTimer);
    clearTimeout(timeoutTimer);
    input?.close();
    spec.started?.();
    signal?.removeEventListener('abort', stop);
    // Whatever ended this attempt, claude and everything it started end with it (a no-op once it has exited).
    await claude.terminate(deps.killGraceMs);
    await transcript.finish();
  }
  const stream = parser.end();
  if (signal?.aborted) throw signal.reason;
  const delivered = input?.delivered ?? [];

  const { result } = stream;
  const verdict = classify({
    ...exit,
    result,
    // Only an attempt without a result line is judged by its stderr (see classify).
    stderrTail: result ? [] : await lastLines(spec.stderrFile, STDERR_TAIL_LINES),
    claudeBin: deps.claudeBin,
  });
  if (refused) return { stream, exit, delivered, result, verdict: refused };
  // Past its time limit an attempt has failed, however it ended: stopped by SIGINT, claude still writes a result
  // line (error_during_execution), and it may even finish its answer within the grace period after the signal.
  if (timedOut) {
    return { stream, exit, delivered, result, verdict: failure(FailureType.AgentTimedOut, spec.timeout.message) };
  }
  if (!verdict && result) return { stream, exit, delivered, result, verdict: null };
  return {
    stream,
    exit,
    delivered,
    result,
    verdict: verdict ?? failure(FailureType.AgentCrashed, 'claude ended without a result'),
  };
}
