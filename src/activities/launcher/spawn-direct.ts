// Starts one process of a LaunchRequest from this process: its stdin, stdout and stderr are files it reads
// and writes itself, so this process holds no pipe of it and reads nothing while it runs.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { ExitInfo, LaunchRequest } from './protocol.js';

/** As src/files/owner-only.ts says; the launcher loads as little as it can. */
const OWNER_ONLY_FILE = 0o600;

export interface Launched {
  /** Undefined when the process could not be started (then `exited` says why). */
  pid: number | undefined;
  exited: Promise<ExitInfo>;
}

export function spawnDirect(request: LaunchRequest): Launched {
  const fds: number[] = [];
  let stdio: ['ignore' | number, number, number];
  try {
    const stdin = request.stdinFile === undefined ? 'ignore' : track(fds, openSync(request.stdinFile, 'r'));
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
  return { pid: child.pid, exited };
}

function track(fds: number[], fd: number): number {
  fds.push(fd);
  return fd;
}

function errnoOf(err: unknown): { code?: string; message: string } {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return { ...(code ? { code } : {}), message: err instanceof Error ? err.message : String(err) };
}
