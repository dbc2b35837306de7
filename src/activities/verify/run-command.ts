// Runs one `verify` command: its argv as given (never a shell: `;` and `$(…)` are only characters), in the task's
// workspace, with the agents' environment, in a PID namespace of its own like an agent (pid-namespace.ts), so that
// a timeout or a cancellation ends it with everything it started. Its output goes to a BoundedOutput.
import { spawn } from 'node:child_process';
import { killTree } from '../kill-tree.js';
import type { PidNamespace } from '../pid-namespace.js';
import type { BoundedOutput } from './bounded-output.js';

export interface CommandSpec {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  pidNamespace: PidNamespace | null;
  /** Time it may take; then it is stopped (SIGINT, SIGKILL after the grace). */
  timeoutMs: number;
  killGraceMs?: number;
  /** Stops it (the activity's cancellation). */
  signal?: AbortSignal;
  output: BoundedOutput;
}

export interface CommandOutcome {
  exitCode: number | null;
  signal?: string;
  timedOut: boolean;
  startError?: string;
  /** The end of its output. */
  tail: string;
}

/** How long output may still arrive after the command exits (a pipe a left-over child holds is given up on). */
const DRAIN_MS = 1000;

export async function runCommand(spec: CommandSpec): Promise<CommandOutcome> {
  const [program, ...args] = spec.argv;
  const [file, argv] = spec.pidNamespace
    ? // `--`: a program named like an option (`--version`) is run as a program, not read by unshare.
      [spec.pidNamespace.command, [...spec.pidNamespace.args, '--', program!, ...args]]
    : [program!, args];
  spec.output.begin();
  const child = spawn(file, argv, { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
  const write = (chunk: Buffer): void => spec.output.write(chunk);
  child.stdout.on('data', write);
  child.stderr.on('data', write);
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const exited = new Promise<{ code: number | null; signal: string | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let timedOut = false;
  let stopping: Promise<void> | undefined;
  const stop = (): void => {
    if (child.pid !== undefined) stopping ??= killTree(child.pid, { exited, graceMs: spec.killGraceMs });
  };
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, spec.timeoutMs);
  spec.signal?.addEventListener('abort', stop, { once: true });
  if (spec.signal?.aborted) stop();
  try {
    const end = await exited;
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, DRAIN_MS))]);
    await stopping;
    if (spec.signal?.aborted) throw spec.signal.reason;
    return {
      exitCode: end.error ? null : end.code,
      ...(end.signal ? { signal: end.signal } : {}),
      timedOut,
      ...(end.error ? { startError: end.error.message } : {}),
      tail: spec.output.end(),
    };
  } finally {
    clearTimeout(timer);
    spec.signal?.removeEventListener('abort', stop);
    child.stdout.destroy();
    child.stderr.destroy();
  }
}
