// The contract between the orchestrate workflow and the verify activity (DESIGN.md §11): a task's `verify`
// commands run in its workspace after its agent ends. Types only: the workflow imports this file with `import type`.
import type { Duration } from '../plan/schema.js';

export interface VerifyTaskInput {
  /** Workflow id of the run: names the artifact folder. */
  runId: string;
  taskId: string;
  /** The run (generation) of the task whose agent is verified. */
  generation: number;
  /** 0: the agent's first answer; k: its answer after the k-th failure was given back to it. */
  round: number;
  /** The task's workspace (its worktree with isolation): every command runs there. */
  cwd: string;
  /** argv lists, run in order without a shell; the first that fails ends the round. */
  commands: string[][];
  /** The task's timeout: the whole round's limit. */
  timeout: Duration;
  /**
   * `plan`: the plan's own `verify`, run on the integration branch after the task's merge (worktree isolation);
   * its output file is named apart from the task's rounds. Absent: the task's `verify`.
   */
  scope?: 'plan';
  /**
   * With `workspace.remote`: the task's worktree as its agent's attempt had it (DESIGN §12). A round on a host
   * without that worktree makes it there from the remote's newest state of the task first.
   */
  sharedWorktree?: { remote: string; path: string };
}

/** The first command of a round that did not pass. */
export interface VerifyFailure {
  command: string[];
  /** Null when it did not exit by itself (a signal, its time was up, it could not start). */
  exitCode: number | null;
  signal?: string;
  timedOut?: boolean;
  /** It could not be started at all (no such program): why. */
  startError?: string;
  /** The end of its output (at most VERIFY_TAIL_BYTES). */
  tail: string;
}

export interface VerifyTaskResult {
  passed: boolean;
  /** The round's output, every command's, bounded: a file or an s3:// ref of the artifact store. */
  outputPath: string;
  failure?: VerifyFailure;
  /** What the agent is told when a command fails; the task's error when no round is left. */
  message?: string;
  durationMs: number;
}

/** How much of a failing command's output the agent is given back (and history carries). */
export const VERIFY_TAIL_BYTES = 4096;
/** How much of a round's output its file keeps: the start, then the end. */
export const VERIFY_OUTPUT_BYTES = 1024 * 1024;
