// The workspace activities a worker registers (worktree isolation, DESIGN §2): thin Temporal wrappers over
// the git operations of this folder. They heartbeat while they wait for a repository's lock, and report
// failures as ApplicationFailure with a type (failures.ts); a git command that failed otherwise is retried.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { WorkerPolicy } from '../../policy/worker-policy.js';
import { checkWorkspaceAllowed } from '../policy-check.js';
import { recordBase } from './base.js';
import { worktreesDirOf } from './names.js';
import { cleanUpWorktrees } from './cleanup.js';
import { commitTask } from './commit.js';
import { NON_RETRYABLE_WORKSPACE_FAILURES, WorkspaceError, WorkspaceFailureType } from './failures.js';
import { GitError } from './git.js';
import { mergeTask } from './integrate.js';
import { prepareWorktree } from './prepare.js';
import { undoMerge } from './undo-merge.js';
import type { LockOptions } from './repo-lock.js';
import type {
  CleanUpInput,
  CleanUpResult,
  CommitTaskInput,
  CommitTaskResult,
  MergeTaskInput,
  MergeTaskResult,
  PrepareWorktreeInput,
  PreparedWorktree,
  RecordBaseInput,
  UndoMergeResult,
  WorkspaceBase,
} from '../../contract/workspace.js';

export interface WorkspaceDeps {
  /** Root folder of the runs' worktrees (`<BATON_HOME>/worktrees`). */
  worktreesDir?: string;
  /** Where artifacts go: without worktreesDir, worktrees go beside it (`<artifactsDir>/../worktrees`). */
  artifactsDir: string;
  /** The repository must lie under the policy's workspace roots (src/policy). */
  policy: WorkerPolicy;
}

export { worktreesDirOf } from './names.js';

export function createWorkspaceActivities(deps: WorkspaceDeps) {
  const dir = worktreesDirOf(deps);
  return {
    async recordBase(input: RecordBaseInput): Promise<WorkspaceBase> {
      checkWorkspaceAllowed(deps, input.repo, input.remote);
      return await reported(() => recordBase(input));
    },
    async prepareWorktree(input: PrepareWorktreeInput): Promise<PreparedWorktree> {
      checkWorkspaceAllowed(deps, input.base.toplevel, input.remote);
      return await reported(() => prepareWorktree(dir, input, lockOptions()));
    },
    async commitTask(input: CommitTaskInput): Promise<CommitTaskResult> {
      checkWorkspaceAllowed(deps, undefined, input.remote);
      return await reported(() => commitTask(input, dir, lockOptions()));
    },
    async mergeTask(input: MergeTaskInput): Promise<MergeTaskResult> {
      checkWorkspaceAllowed(deps, undefined, input.remote);
      return await reported(() => mergeTask(dir, input, lockOptions()));
    },
    async undoMerge(input: MergeTaskInput): Promise<UndoMergeResult> {
      checkWorkspaceAllowed(deps, undefined, input.remote);
      return await reported(() => undoMerge(dir, input, lockOptions()));
    },
    async cleanUpWorktrees(input: CleanUpInput): Promise<CleanUpResult> {
      checkWorkspaceAllowed(deps, undefined, input.remote);
      return await reported(() => cleanUpWorktrees(dir, input, lockOptions()));
    },
  };
}

function lockOptions(): LockOptions {
  const ctx = Context.current();
  return { onWait: () => ctx.heartbeat(), signal: ctx.cancellationSignal };
}

/** How often a workspace activity heartbeats while git works (a big checkout takes a while). */
const HEARTBEAT_MS = 1000;

async function reported<T>(operation: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  const timer = setInterval(() => ctx.heartbeat(), HEARTBEAT_MS);
  try {
    return await operation();
  } catch (err) {
    if (err instanceof WorkspaceError) {
      throw ApplicationFailure.create({
        type: err.type,
        message: err.message,
        nonRetryable: NON_RETRYABLE_WORKSPACE_FAILURES.includes(err.type),
        details: [{ files: err.files }],
      });
    }
    if (err instanceof GitError) {
      throw ApplicationFailure.create({
        type: WorkspaceFailureType.GitFailed,
        message: err.message,
        details: [{ args: err.args, cwd: err.cwd, exitCode: err.exitCode }],
      });
    }
    throw err;
  } finally {
    clearInterval(timer);
  }
}
