// Starts one process of a LaunchRequest from this process: its stdout and stderr are files it writes itself, and
// its stdin a file, nothing, or (a live agent) a pipe this process writes to, so nothing of its output flows
// through this process.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { ExitInfo, LaunchRequest } from './protocol.js';

/** As src/files/owner-only.ts says; the launcher loads as little as it can. */
const OWNER_ONLY_FILE = 0o600;

export interface Launched {
  /** Undefined when the process could not be started (then `exited` says why). */
  pid: number | undefined;
  exited: Promise<ExitInfo>;
  /** The process's stdin, when it was launched with `stdinPipe`. */
  stdin?: StdinPipe;
}

/** The write end of a live process's stdin. Writing to a process that has exited does nothing. */
export interface StdinPipe {
  write(text: string): void;
  end(): void;
}

export function spawnDirect(request: LaunchRequest): Launched {
  const fds: number[] = [];
  let stdio: ['ignore' | 'pipe' | number, number, number];
  try {
    const stdin = request.stdinPipe
      ? 'pipe'
      : request.stdinFile === undefined
        ? 'ignore'
        : track(fds, openSync(request.stdinFile, 'r'));
    // Transcripts hold what the agent read and wrote: its owner's only (DESIGN.md §9).
    const output = (file: string): number => track(fds, openSync(file, 'w', OWNER_ONLY_FILE));
    stdio = [stdin, output(request.stdoutFile), output(request.stderrFile)];
  } catch (err) {
    fds.forEach((fd) => closeSync(fd));
    return { pid: undefined, exited: Promise.resolve({ spawnError: errnoOf(err) }) };
  }
  const child = spawn(request.file, request.args, { cwd: request.cwd, env: request.env, stdio });
  // The child has its own copies of the descriptors now.
  fds.forEach((fd) => closeSync(fd));
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('error', (err) => resolve({ spawnError: errnoOf(err) }));
    child.once('exit', (exitCode, signal) => resolve(signal ? { signal } : { exitCode: exitCode ?? undefined }));
  });
  const pipe = child.stdin ? pipeOf(child.stdin) : undefined;
  if (pipe && request.stdinText !== undefined) pipe.write(request.stdinText);
  return { pid: child.pid, exited, ...(pipe ? { stdin: pipe } : {}) };
}

function pipeOf(stream: Writable): StdinPipe {
  // The process may exit (or be killed) with text still to write: EPIPE is its end, not ours.
  stream.on('error', () => undefined);
  return {
    write: (text) => {
      if (!stream.destroyed && !stream.writableEnded) stream.write(text);
    },
    end: () => {
      if (!stream.destroyed && !stream.writableEnded) stream.end();
    },
  };
}

function track(fds: number[], fd: number): number {
  fds.push(fd);
  return fd;
}

function errnoOf(err: unknown): { code?: string; message: string } {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return { ...(code ? { code } : {}), message: err instanceof Error ? err.message : String(err) };
}
