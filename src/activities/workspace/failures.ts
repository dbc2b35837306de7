// Failures of the workspace activities. They cross to the workflow as ApplicationFailure with these types
// (see activities.ts); GitError (a git command that failed for another reason) is retryable.
export const WorkspaceFailureType = {
  /** workspace.repo is not inside a git repository. */
  NotARepository: 'WorkspaceNotARepository',
  /** The repository has no commit to base the run's branches on. */
  NoCommit: 'WorkspaceNoCommit',
  /** A task's dependencies conflict with each other: its worktree cannot be prepared. */
  DependencyConflict: 'WorkspaceDependencyConflict',
  /** An agent asked to resolve a conflict left conflict markers in files. */
  ConflictMarkersLeft: 'WorkspaceConflictMarkersLeft',
  /** A branch the operation needs does not exist (deleted by a person). */
  BranchMissing: 'WorkspaceBranchMissing',
  /** A git command failed (retryable: a lock held by a person's git, a full disk). */
  GitFailed: 'WorkspaceGitFailed',
} as const;
export type WorkspaceFailureType = (typeof WorkspaceFailureType)[keyof typeof WorkspaceFailureType];

/** Failures another attempt of the same activity cannot fix. */
export const NON_RETRYABLE_WORKSPACE_FAILURES: readonly WorkspaceFailureType[] = [
  WorkspaceFailureType.NotARepository,
  WorkspaceFailureType.NoCommit,
  WorkspaceFailureType.DependencyConflict,
  WorkspaceFailureType.ConflictMarkersLeft,
  WorkspaceFailureType.BranchMissing,
];

export class WorkspaceError extends Error {
  override name = 'WorkspaceError';
  constructor(
    readonly type: WorkspaceFailureType,
    message: string,
    /** Files concerned (conflicts, leftover markers). */
    readonly files: string[] = [],
  ) {
    super(message);
  }
}
