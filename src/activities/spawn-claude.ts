// Starts claude (never through a shell) so that it can be ended with everything it started. The process is
// started by the worker's launcher (launcher/main.ts says why) and its streams are files: claude writes its
// stream-json and its stderr itself, the activity reads them back.
import { launch } from './launcher/client.js';
import type { ExitInfo } from './launcher/protocol.js';
import type { StdinPipe } from './launcher/spawn-direct.js';
import { killTree } from './kill-tree.js';
import type { PidNamespace } from './pid-namespace.js';

export type { ExitInfo } from './launcher/protocol.js';

export interface SpawnClaudeOptions {
  claudeBin: string;
  args: string[];
  cwd: string;
  /** The whole environment of claude (agent-env.ts): nothing of the worker's is added to it. */
  env: Record<string, string>;
  /** Run claude as the first process of a new PID namespace (see pid-namespace.ts); null: a plain child. */
  pidNamespace: PidNamespace | null;
  /** claude's stdin (a prompt too long for argv); absent: stdin is closed, unless `stdinPipe`. */
  stdinFile?: string;
  /** claude's stdin is a pipe held open (`ClaudeProcess.stdin`): stream-json input, messages while it runs. */
  stdinPipe?: boolean;
  /** With `stdinPipe`: what claude reads first (its prompt), written as soon as it is started. */
  stdinText?: string;
  /**
   * claude's stdout, truncated first. A file, not a pipe: through a pipe claude 2.1.197 cuts a multi-MB result
   * line short (see file-tail.ts); and nothing of a running agent flows through the worker.
   */
  stdoutFile: string;
  stderrFile: string;
  /** Started ahead of its task (a warm agent, warm-pool.ts): not an agent at work until `taken`. */
  ahead?: boolean;
}

export interface ClaudeProcess {
  pid: number | undefined;
  /** Its stdin, when started with `stdinPipe` (and started at all). */
  stdin?: StdinPipe;
  /** Resolves (never rejects) once the process has exited. */
  exited: Promise<ExitInfo>;
  /** SIGINT the whole tree, SIGKILL it after a grace period, and wait for the exit. Idempotent. */
  terminate(graceMs?: number): Promise<void>;
  /** One started ahead is now its task's agent. */
  taken(): void;
}

/** Every claude this process started that has not exited yet: a forced worker exit ends them all. */
const live = new Set<ClaudeProcess>();

/** Terminates every running claude of this process (and what each started); resolves when all have exited. */
export async function terminateAllClaudes(graceMs?: number): Promise<number> {
  const running = [...live];
  await Promise.all(running.map((claude) => claude.terminate(graceMs)));
  return running.length;
}

/** Those of them started ahead of their task and not taken yet (warm agents). */
const ahead = new Set<ClaudeProcess>();

/** How many claude processes this process is running, warm ones included. */
export function runningClaudes(): number {
  return live.size;
}

/** How many agents are at work: the claudes running but those started ahead and not taken yet. */
export function workingAgents(): number {
  return live.size - ahead.size;
}

/** Resolves once claude has started (or failed to: then `exited` says why). */
export async function spawnClaude(options: SpawnClaudeOptions): Promise<ClaudeProcess> {
  const { pidNamespace } = options;
  const [file, args] = pidNamespace
    ? [pidNamespace.command, [...pidNamespace.args, options.claudeBin, ...options.args]]
    : [options.claudeBin, options.args];
  const { pid, exited, stdin } = await launch({
    file,
    args,
    cwd: options.cwd,
    env: options.env,
    ...(options.stdinFile === undefined ? {} : { stdinFile: options.stdinFile }),
    ...(options.stdinPipe ? { stdinPipe: true } : {}),
    ...(options.stdinPipe && options.stdinText !== undefined ? { stdinText: options.stdinText } : {}),
    stdoutFile: options.stdoutFile,
    stderrFile: options.stderrFile,
  });

  let hasExited = false;
  let terminating: Promise<void> | undefined;
  const claude: ClaudeProcess = {
    pid,
    ...(stdin ? { stdin } : {}),
    exited,
    terminate(graceMs?: number) {
      // Once reaped, the pid may belong to someone else: never signal it.
      if (hasExited || pid === undefined) return exited.then(() => undefined);
      terminating ??= killTree(pid, { exited, graceMs });
      return terminating;
    },
    taken() {
      ahead.delete(claude);
    },
  };
  live.add(claude);
  if (options.ahead && !hasExited) ahead.add(claude);
  void exited.then(() => {
    hasExited = true;
    live.delete(claude);
    ahead.delete(claude);
  });
  return claude;
}
