// What the worker and its launcher process say to each other (Node's IPC channel, JSON).

/** One process to start. Its standard streams are files, so nothing of it flows through the launcher. */
export interface LaunchRequest {
  file: string;
  args: string[];
  cwd: string;
  /** The whole environment of the process (not added to the launcher's own). */
  env: Record<string, string>;
  /** Read as its stdin; absent: stdin is closed. */
  stdinFile?: string;
  /** Truncated, then written by the process itself. */
  stdoutFile: string;
  stderrFile: string;
}

export interface ExitInfo {
  exitCode?: number;
  signal?: string;
  /** The process could not be started (errno code such as ENOENT or EACCES). */
  spawnError?: { code?: string; message: string };
}

export type ToLauncher = { op: 'launch'; id: number; request: LaunchRequest };

export type FromLauncher =
  { op: 'ready' } | { op: 'started'; id: number; pid: number } | { op: 'exited'; id: number; exit: ExitInfo };
