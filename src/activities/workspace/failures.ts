// Failures of the workspace activities. They cross to the workflow as ApplicationFailure with the types of
// src/contract/failures.ts (see activities.ts); GitError (a git command that failed for another reason) is retryable.
import type { WorkspaceFailureType } from '../../contract/failures.js';

export { NON_RETRYABLE_WORKSPACE_FAILURES, WorkspaceFailureType } from '../../contract/failures.js';

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
