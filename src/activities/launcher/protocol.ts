// What the worker and its launcher process say to each other (Node's IPC channel, JSON).

/** One process to start. Its standard streams are files, so nothing of it flows through the launcher. */
export interface LaunchRequest {
  file: string;
  args: string[];
  cwd: string;
  /** The whole environment of the process (not added to the launcher's own). */
  env: Record<string, string>;
  /** Read as its stdin; absent: stdin is closed (unless `stdinPipe`). */
  stdinFile?: string;
  /** Its stdin is a pipe the worker writes to (`stdin` messages) and closes (`stdin-end`): a live agent. */
  stdinPipe?: boolean;
  /**
   * With `stdinPipe`: written to the pipe as soon as the process is started (an agent's prompt), so that it does not
   * wait for the worker to hear of the start and send it.
   */
  stdinText?: string;
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

export type ToLauncher =
  | { op: 'launch'; id: number; request: LaunchRequest }
  /** Text for the stdin pipe of a process launched with `stdinPipe`. */
  | { op: 'stdin'; id: number; text: string }
  /** Close that pipe: the process reads the end of its input. */
  | { op: 'stdin-end'; id: number };

export type FromLauncher =
  { op: 'ready' } | { op: 'started'; id: number; pid: number } | { op: 'exited'; id: number; exit: ExitInfo };
