// The worker's policy (src/policy) applied to an agent before anything of it starts: a task asking for more
// than this worker allows fails at once, non-retryably, and its agent never runs.
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { realFolder } from '../config/policy.js';
import { FailureType, type AgentFailureDetails } from '../contract/failures.js';
import type { RunAgentInput } from '../contract/agent.js';
import { promptFileOf } from '../plan/prompt-ref.js';
import type { PermissionMode } from '../plan/schema.js';
import { policyRefusal, type TaskRequest, type WorkerPolicy } from '../policy/worker-policy.js';
import type { ActivityDeps } from './activity-deps.js';
import { WorkspaceError, WorkspaceFailureType } from './workspace/failures.js';
import { worktreesDirOf } from './workspace/names.js';
import { checkRemote, localRemoteFolder } from './workspace/remote.js';

/**
 * Where baton's own folders really are, once known: they stay where they are for the worker's life, and every
 * attempt asks. One not made yet is not kept (made later, its real place may differ: a symlink above it).
 */
const ownRealFolders = new Map<string, string>();

function ownRealFolder(folder: string): string {
  const known = ownRealFolders.get(folder);
  if (known !== undefined) return known;
  // Not made yet (no worktree so far): asked without an exception, the cheap way, until it is.
  if (!existsSync(folder)) return path.resolve(folder);
  let real: string;
  try {
    real = realpathSync(folder);
  } catch {
    return path.resolve(folder);
  }
  if (ownRealFolders.size < 64) ownRealFolders.set(folder, real);
  return real;
}

/** The folders of baton's own files on this worker, as given and with symlinks resolved. */
function ownFolders(deps: Pick<ActivityDeps, 'artifactsDir'>): string[] {
  const artifacts = path.resolve(deps.artifactsDir);
  const inputs = path.join(path.dirname(artifacts), 'inputs');
  return [...new Set([artifacts, inputs, ownRealFolder(artifacts), ownRealFolder(inputs)])];
}

function worktreeFolders(deps: Pick<ActivityDeps, 'artifactsDir' | 'worktreesDir'>): string[] {
  const dir = worktreesDirOf(deps);
  return [...new Set([dir, ownRealFolder(dir)])];
}

/** A local file (not an s3:// ref). */
const isLocal = (ref: string): boolean => !ref.startsWith('s3://');

/** Throws a non-retryable PolicyRefused when the worker's policy does not allow this agent. */
export function checkAgentPolicy(deps: ActivityDeps, input: RunAgentInput, details: AgentFailureDetails): void {
  const promptRef = promptFileOf(input.task.prompt);
  const reads = [
    ...(promptRef && isLocal(promptRef) ? [{ what: "the task's prompt file", path: promptRef }] : []),
    ...input.dependencies
      .filter((dep) => dep.artifactPath && isLocal(dep.artifactPath))
      .map((dep) => ({ what: `the result of dependency ${dep.id}`, path: dep.artifactPath! })),
  ];
  refuseUnlessAllowed(
    deps.policy,
    {
      what: `task ${input.task.id}`,
      permissionMode: input.task.permissionMode,
      commands: (input.task.verify?.length ?? 0) + (input.planVerifyCommands ?? 0),
      workspace: input.cwd,
      ownWorkspaces: worktreeFolders(deps),
      files: [
        ...input.task.contextFiles.map((file) => ({ field: 'contextFiles', path: file })),
        ...input.task.expectedOutputs.map((file) => ({ field: 'expectedOutputs', path: file })),
      ],
      reads,
      ownFolders: ownFolders(deps),
    },
    details,
  );
}

/** A task's verify commands run only where the worker allows commands, in a workspace the worker allows. */
export function checkVerifyPolicy(
  deps: ActivityDeps,
  input: { taskId: string; cwd: string; commands: unknown[] },
  details: AgentFailureDetails,
): void {
  const request = { what: `task ${input.taskId}`, permissionMode: 'default' as const, workspace: input.cwd };
  refuseUnlessAllowed(
    deps.policy,
    { ...request, commands: input.commands.length, ownWorkspaces: worktreeFolders(deps) },
    details,
    'its verify commands were not run',
  );
}

/** The planner works in the run's folder, in plan mode. */
export function checkPlannerPolicy(deps: ActivityDeps, cwd: string, details: AgentFailureDetails): void {
  const mode: PermissionMode = 'plan';
  refuseUnlessAllowed(deps.policy, { what: 'the planner', permissionMode: mode, workspace: cwd }, details);
}

/**
 * A repository worktree isolation works in (its own worktrees aside) must lie under the workspace roots. A remote
 * folder must lie under the roots proper: baton's own worktrees and its clones of remotes (`.remotes/`) are other
 * runs' work, never a plan's remote.
 */
export function workspaceRefusal(
  deps: Pick<ActivityDeps, 'policy' | 'artifactsDir' | 'worktreesDir'>,
  repo: string,
  what = 'the run',
  { ownWorktrees = true }: { ownWorktrees?: boolean } = {},
): string | undefined {
  return policyRefusal(deps.policy, {
    what,
    permissionMode: 'default',
    workspace: repo,
    realWorkspace: realFolder(repo),
    ownWorkspaces: ownWorktrees ? worktreeFolders(deps) : [],
  });
}

/**
 * Git runs in a repository only under the worker's workspace roots (DESIGN.md §9), and fetches from and pushes to
 * a `workspace.remote` that is a folder of this host only under them too (a network remote is the worker's
 * credentials' business). Every activity that gives git the repository or the remote asks this first — the
 * workspace activities, and an agent's attempt or a verify round that makes the task's worktree on this host
 * from the remote — and a refusal is a non-retryable PolicyRefused (RemoteRefused for a remote git may not be given).
 */
export function checkWorkspaceAllowed(
  deps: Pick<ActivityDeps, 'policy' | 'artifactsDir' | 'worktreesDir'>,
  repo: string | undefined,
  remote: string | undefined,
): void {
  const folder = remote === undefined ? null : localRemote(remote);
  const refusal =
    (repo === undefined ? undefined : workspaceRefusal(deps, repo)) ??
    (folder === null
      ? undefined
      : workspaceRefusal(deps, folder, "the run's workspace.remote", { ownWorktrees: false }));
  if (refusal) {
    throw ApplicationFailure.create({ type: WorkspaceFailureType.PolicyRefused, message: refusal, nonRetryable: true });
  }
}

function localRemote(remote: string): string | null {
  try {
    return localRemoteFolder(checkRemote(remote));
  } catch (err) {
    if (!(err instanceof WorkspaceError)) throw err;
    throw ApplicationFailure.create({ type: err.type, message: err.message, nonRetryable: true });
  }
}

function refuseUnlessAllowed(
  policy: WorkerPolicy,
  request: TaskRequest,
  details: AgentFailureDetails,
  outcome = 'the agent was not started',
): void {
  // The workspace is compared by where it really is (symlinks resolved), its files by the paths the plan gives.
  const refusal = policyRefusal(policy, { ...request, realWorkspace: realFolder(request.workspace) });
  if (!refusal) return;
  throw ApplicationFailure.create({
    type: FailureType.PolicyRefused,
    message: `${refusal}; ${outcome}`,
    nonRetryable: true,
    details: [details],
  });
}
