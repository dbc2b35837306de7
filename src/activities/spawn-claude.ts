// Starts claude (never through a shell) so that it can be ended with everything it started.
import { execa } from 'execa';
import { killTree } from './kill-tree.js';
import type { PidNamespace } from './pid-namespace.js';

export interface SpawnClaudeOptions {
  claudeBin: string;
  args: string[];
  cwd: string;
  /** Added to the worker's environment; an undefined value removes the variable. */
  env: Record<string, string | undefined>;
  /** Run claude as the first process of a new PID namespace (see pid-namespace.ts); null: a plain child. */
  pidNamespace: PidNamespace | null;
  /** Written to claude's stdin (then closed); absent: stdin is closed from the start. */
  stdin?: string;
  /**
   * Where claude's stdout goes: a file's descriptor (claude writes it itself; see file-tail.ts for why a big
   * result needs that), or else a pipe read by `onStdout`.
   */
  stdoutFd?: number;
  onStdout?: (chunk: string) => void;
  onStderr: (chunk: string) => void;
}

export interface ExitInfo {
  exitCode?: number;
  signal?: string;
  /** The process could not be started (errno code such as ENOENT or EACCES). */
  spawnError?: { code?: string; message: string };
}

export interface ClaudeProcess {
  pid: number | undefined;
  /** Resolves (never rejects) once the process has exited and its output has been read. */
  exited: Promise<ExitInfo>;
  /** SIGINT the whole tree, SIGKILL it after a grace period, and wait for the exit. Idempotent. */
  terminate(graceMs?: number): Promise<void>;
}

/** Every claude this process started that has not exited yet: a forced worker exit ends them all. */
const live = new Set<ClaudeProcess>();

/** Terminates every running claude of this process (and what each started); resolves when all have exited. */
export async function terminateAllClaudes(graceMs?: number): Promise<number> {
  const running = [...live];
  await Promise.all(running.map((claude) => claude.terminate(graceMs)));
  return running.length;
}

/** How many claude processes this process is running. */
export function runningClaudes(): number {
  return live.size;
}

export function spawnClaude(options: SpawnClaudeOptions): ClaudeProcess {
  const { pidNamespace } = options;
  const [file, args] = pidNamespace
    ? [pidNamespace.command, [...pidNamespace.args, options.claudeBin, ...options.args]]
    : [options.claudeBin, options.args];
  const subprocess = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: true,
    ...(options.stdin === undefined ? { stdin: 'ignore' as const } : { input: options.stdin }),
    // A descriptor, not execa's `{ file }` (which pipes through this process): claude writes the file itself.
    // execa hands an integer to the child as is (lib/stdio/native.js); its types only list 1 and 2.
    stdout: options.stdoutFd === undefined ? 'pipe' : (options.stdoutFd as 1),
    buffer: false,
    reject: false,
    // The worker dying must not leave claude behind.
    cleanup: true,
  });
  if (options.stdoutFd === undefined) {
    subprocess.stdout?.setEncoding('utf8');
    subprocess.stdout?.on('data', (chunk: string) => options.onStdout?.(chunk));
  }
  subprocess.stderr.setEncoding('utf8');
  subprocess.stderr.on('data', options.onStderr);

  const exited: Promise<ExitInfo> = subprocess.then(
    (result) => {
      if (result.failed && result.exitCode === undefined && !result.signal) {
        return { spawnError: { code: result.code, message: result.shortMessage ?? 'could not start' } };
      }
      return { exitCode: result.exitCode, signal: result.signal };
    },
    (error: unknown) => ({ spawnError: { message: error instanceof Error ? error.message : String(error) } }),
  );

  let hasExited = false;
  let terminating: Promise<void> | undefined;
  const claude: ClaudeProcess = {
    pid: subprocess.pid,
    exited,
    terminate(graceMs?: number) {
      const pid = subprocess.pid;
      // Once reaped, the pid may belong to someone else: never signal it.
      if (hasExited || pid === undefined) return exited.then(() => undefined);
      terminating ??= killTree(pid, { exited, graceMs });
      return terminating;
    },
  };
  live.add(claude);
  void exited.then(() => {
    hasExited = true;
    live.delete(claude);
  });
  return claude;
}
