// The contract between the orchestrate workflow and the workspace activities (worktree isolation).
// Types only: the workflow imports this file with `import type`.

/** What a run's worktrees are based on, recorded once when the run starts. */
export interface WorkspaceBase {
  /** Top folder of the git repository holding `workspace.repo`. */
  toplevel: string;
  /** `workspace.repo` relative to `toplevel` ("" when it is the top folder), with a trailing "/" otherwise. */
  prefix: string;
  /** HEAD of the repository when the run started: every task's branch starts from it. */
  commit: string;
  /** The branch checked out then (null: a detached HEAD). */
  branch: string | null;
  /** Uncommitted changes in the repository are not part of `commit`: tasks do not see them. */
  dirty: boolean;
}

export interface RecordBaseInput {
  /** `workspace.repo` (absolute). */
  repo: string;
  /** `workspace.remote`: the base commit is pushed there (refs/baton/<run>/base), for every host to fetch. */
  remote?: string;
  /** The run (names the base's ref on the remote); given with `remote`. */
  runId?: string;
}

/**
 * `workspace.remote` (DESIGN §12), given to every workspace activity of a run that has one: the run's branches
 * live there, each host makes worktrees from a clone of its own, and paths of worktrees are each host's.
 */
interface SharedRemote {
  remote?: string;
}

export interface DependencyBranch {
  id: string;
  branch: string;
}

export interface PrepareWorktreeInput extends SharedRemote {
  runId: string;
  taskId: string;
  base: WorkspaceBase;
  /** Succeeded dependencies, in the order their work is merged in (dependency order). */
  dependencies: DependencyBranch[];
  /** Remove the task's worktree and branch first, so the task starts clean. */
  reset?: boolean;
  /**
   * Also merge this branch in and leave any conflict in the files (the run's integration branch, when an
   * agent is asked to resolve a conflict).
   */
  conflictFrom?: string;
}

export interface PreparedWorktree {
  /** The worktree's top folder. */
  path: string;
  /** Where the agent works: `workspace.repo`'s place inside the worktree. */
  cwd: string;
  branch: string;
  head: string;
  /** An earlier attempt's worktree was found and kept (its partial work with it). */
  reused: boolean;
  /** Dependency branches merged in by this call. */
  merged: string[];
  /** Files left in conflict by `conflictFrom` (for the resolver's prompt). */
  conflicts: string[];
  /** With a remote: the checkpoint whose files were put into a worktree made afresh on this host. */
  restored?: string;
}

export interface CommitTaskInput extends SharedRemote {
  runId: string;
  taskId: string;
  title: string;
  /** The task's worktree (PreparedWorktree.path; with a remote, the worktree on the host that commits). */
  path: string;
}

export interface CommitTaskResult {
  /** The new commit, or null when the agent changed nothing (no empty commits). */
  commit: string | null;
  branch: string;
  head: string;
}

export interface MergeTaskInput extends SharedRemote {
  runId: string;
  taskId: string;
  title: string;
  base: WorkspaceBase;
}

export interface MergeTaskResult {
  /** merged: now on the integration branch; already-merged: it was (a retry, or a person merged it); conflict: see files. */
  outcome: 'merged' | 'already-merged' | 'conflict';
  integrationBranch: string;
  /** Worktree of the integration branch: where a conflict waits to be resolved. */
  worktree: string;
  head: string;
  /** Files in conflict (outcome conflict). */
  files: string[];
  /** A person resolved every file but has not committed the merge yet. */
  uncommitted?: boolean;
}

/** A task's merge taken back off the integration branch (the plan's verify failed on it). */
export interface UndoMergeResult {
  /** False: the branch did not hold the task's work (undone already). */
  undone: boolean;
  /** The integration branch's commit now. */
  head: string;
}

export interface CleanUpInput extends SharedRemote {
  runId: string;
}

export interface CleanUpResult {
  /** Worktree folders removed. */
  removed: string[];
  /** Uncommitted work found in a worktree, committed on its branch before the worktree went: branch names. */
  saved: string[];
}
