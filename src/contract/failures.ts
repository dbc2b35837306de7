// Failure types that cross the activity → workflow boundary as ApplicationFailure.type. Pure constants: the
// activities throw them, the workflow's retry policies (src/workflows/proxies.ts) list the final ones.

/** Agent and planner failures another attempt may get past. */
const RetryableAgentFailure = {
  AgentRateLimited: 'AgentRateLimited', // 429
  AgentOverloaded: 'AgentOverloaded', // 529
  AgentServerError: 'AgentServerError', // 5xx
  AgentConnectionError: 'AgentConnectionError',
  AgentCrashed: 'AgentCrashed', // exited without a result line
  AgentExecutionError: 'AgentExecutionError', // result subtype error_during_execution, or is_error without a status
  AgentTimedOut: 'AgentTimedOut', // the attempt's wall-clock limit fired
  ExpectedOutputsMissing: 'ExpectedOutputsMissing',
  ArtifactsUnavailable: 'ArtifactsUnavailable', // the artifact store (S3) could not be read or written
} as const;

/** Agent and planner failures the same attempt would repeat: they end the task's retries at once. */
const FinalAgentFailure = {
  AgentBadRequest: 'AgentBadRequest', // 400
  AgentAuthFailed: 'AgentAuthFailed', // 401, 403
  AgentNotFound: 'AgentNotFound', // 404 (unknown model)
  AgentMaxTurns: 'AgentMaxTurns',
  AgentMaxBudget: 'AgentMaxBudget',
  AgentStructuredOutputFailed: 'AgentStructuredOutputFailed',
  AgentBadArguments: 'AgentBadArguments', // bad flags, unknown agent, bad cwd
  ClaudeNotFound: 'ClaudeNotFound', // binary missing or not executable
  PolicyRefused: 'PolicyRefused', // the worker's policy does not allow what the task asks (src/policy)
  // The attempt ended while its agent's question waits on a person: the run holds the task until the answer,
  // then continues the conversation with it (DESIGN §13). Another attempt now would only wait too.
  AwaitingAnswer: 'AwaitingAnswer',
  // The task's `verify` commands still failed after its rounds of fixes (DESIGN §11); thrown by the workflow.
  VerificationFailed: 'VerificationFailed',
} as const;

export const FailureType = { ...RetryableAgentFailure, ...FinalAgentFailure } as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

export const NON_RETRYABLE_FAILURE_TYPES: readonly FailureType[] = Object.values(FinalAgentFailure);

/** What kind of trouble ended a task (status `tasks[].errorKind`): a coarse word for people and scripts. */
export const ErrorKind = {
  Agent: 'agent',
  Timeout: 'timeout',
  Policy: 'policy',
  Verification: 'verification',
  Outputs: 'outputs',
  Workspace: 'workspace',
  SubPlan: 'sub-plan',
  Cancelled: 'cancelled',
} as const;
export type ErrorKind = (typeof ErrorKind)[keyof typeof ErrorKind];

/** The kind of a task's failure type (errorType); null for none. */
export function errorKindOf(type: string | null | undefined): ErrorKind | null {
  if (!type) return null;
  if (type === FailureType.VerificationFailed) return ErrorKind.Verification;
  if (type === FailureType.AgentTimedOut) return ErrorKind.Timeout;
  if (type === FailureType.PolicyRefused) return ErrorKind.Policy;
  if (type === FailureType.ExpectedOutputsMissing) return ErrorKind.Outputs;
  if (type === 'Cancelled') return ErrorKind.Cancelled;
  if (type === 'SubPlanFailed') return ErrorKind.SubPlan;
  if (type.startsWith('Workspace') || type === 'MergeConflict') return ErrorKind.Workspace;
  return ErrorKind.Agent;
}

/** Workspace failures (worktree isolation) another attempt of the same activity cannot fix. */
const FinalWorkspaceFailure = {
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
  /** The repository lies outside the worker's workspace roots (src/policy). */
  PolicyRefused: 'PolicyRefused',
  /** A merge to undo (the plan's verify failed) is no longer the integration branch's last commit. */
  MergeNotLast: 'WorkspaceMergeNotLast',
  /** workspace.remote is not something git may be given (an option, a command-running transport). */
  RemoteRefused: 'WorkspaceRemoteRefused',
} as const;

/** Failures of the workspace activities (worktree isolation). */
export const WorkspaceFailureType = {
  ...FinalWorkspaceFailure,
  /** A git command failed (retryable: a lock held by a person's git, a full disk). */
  GitFailed: 'WorkspaceGitFailed',
} as const;
export type WorkspaceFailureType = (typeof WorkspaceFailureType)[keyof typeof WorkspaceFailureType];

export const NON_RETRYABLE_WORKSPACE_FAILURES: readonly WorkspaceFailureType[] = Object.values(FinalWorkspaceFailure);

/** Details attached (as the first detail) to every ApplicationFailure thrown by runAgent. */
export interface AgentFailureDetails {
  attempt: number;
  sessionId?: string;
  costUsd: number;
  transcriptPath?: string;
  apiErrorStatus?: number;
}
