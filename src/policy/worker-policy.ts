// What a worker lets any plan do (DESIGN.md §9). The worker is the trust boundary: whoever can start a run on its
// task queue makes agents act with the worker's rights, so the worker, not the plan, decides. A request that asks
// for more is refused before anything of it runs, naming the setting that would allow it. Each rule is one
// function below; a new permission (a worker that refuses `verify` commands, say) is a field of WorkerPolicy, a
// field of TaskRequest and one rule. Pure: the activities call it with paths they have resolved.
import path from 'node:path';
import type { PermissionMode } from '../plan/schema.js';

export interface WorkerPolicy {
  /** `bypassPermissions` is allowed (`--allow-bypass-permissions`, BATON_ALLOW_BYPASS=1); only then IS_SANDBOX=1. */
  allowBypassPermissions: boolean;
  /** Folders (absolute, symlinks resolved) a task's workspace must lie under (BATON_WORKSPACE_ROOTS). */
  workspaceRoots: string[];
  /** Names (or `PREFIX_*`) of the worker's environment agents see besides claude's own (BATON_AGENT_ENV). */
  agentEnv: string[];
  /** Plans' `verify` commands are refused (`--no-commands`, BATON_NO_COMMANDS=1): agents only, nothing else runs. */
  noCommands?: boolean;
}

/** The settings that widen a worker's policy, as people type them. */
export const WIDEN = {
  bypass: '--allow-bypass-permissions (or BATON_ALLOW_BYPASS=1)',
  roots: 'BATON_WORKSPACE_ROOTS',
  commands: '--no-commands (or BATON_NO_COMMANDS=1)',
} as const;

/** The permission modes every worker allows; the rest need a setting. */
export const ALLOWED_MODES: readonly PermissionMode[] = ['default', 'acceptEdits', 'plan'];

/** What one agent would do, as the policy judges it. Paths absolute (and resolved where they exist). */
export interface TaskRequest {
  /** The task (or the planner) it runs for, for messages. */
  what: string;
  permissionMode: PermissionMode;
  /** The folder the agent works in, as given. */
  workspace: string;
  /** The same folder with its symlinks resolved: where it really is, compared with the roots. */
  realWorkspace?: string;
  /** Folders of baton's own the workspace may also be in (the run's worktrees). */
  ownWorkspaces?: string[];
  /** Files of the plan that must lie inside the workspace: `contextFiles`, `expectedOutputs`. */
  files?: { field: string; path: string }[];
  /** Files baton reads for the agent (a prompt by reference, dependencies' results): must be baton's own. */
  reads?: { what: string; path: string }[];
  /** Folders baton's own files live in (artifacts, inputs). */
  ownFolders?: string[];
  /** How many `verify` commands the task asks this worker to run. */
  commands?: number;
}

type Rule = (policy: WorkerPolicy, request: TaskRequest) => string | undefined;

const permissionMode: Rule = (policy, { what, permissionMode: mode }) => {
  if (ALLOWED_MODES.includes(mode) || (mode === 'bypassPermissions' && policy.allowBypassPermissions)) return undefined;
  return `${what} asks for permissionMode ${mode}, which this worker does not allow: start the worker with ${WIDEN.bypass} to allow it`;
};

const workspace: Rule = (policy, { what, workspace: given, realWorkspace, ownWorkspaces = [] }) => {
  const folder = realWorkspace ?? given;
  if ([...policy.workspaceRoots, ...ownWorkspaces].some((root) => isInside(folder, root))) return undefined;
  const roots = policy.workspaceRoots.join(', ') || '(none)';
  return `${what} works in ${folder}, outside this worker's workspace roots (${roots}): add the folder to ${WIDEN.roots} of the worker to allow it`;
};

const planFiles: Rule = (_policy, { what, workspace: folder, realWorkspace, files = [] }) => {
  const outside = files.filter(
    (file) => !isInside(file.path, folder) && !(realWorkspace && isInside(file.path, realWorkspace)),
  );
  if (outside.length === 0) return undefined;
  const list = outside.map((file) => `${file.field} ${file.path}`).join(', ');
  return `${what} names files outside its workspace ${folder}: ${list}; a task's contextFiles and expectedOutputs must lie inside its workspace`;
};

const ownReads: Rule = (_policy, { what, reads = [], ownFolders = [] }) => {
  const foreign = reads.find((read) => !ownFolders.some((folder) => isInside(read.path, folder)));
  if (!foreign) return undefined;
  return `${what}: ${foreign.what} ${foreign.path} is not one of baton's files on this worker (${ownFolders.join(', ')}); it is not read for an agent`;
};

const commands: Rule = (policy, { what, commands: count = 0 }) => {
  if (!policy.noCommands || count === 0) return undefined;
  return `${what} has verify commands (its own or its plan's), and this worker was started with ${WIDEN.commands}: it runs agents only; run the task on a worker started without it`;
};

const RULES: readonly Rule[] = [permissionMode, commands, workspace, planFiles, ownReads];

/** Why the policy refuses the request (the first reason), or undefined when it allows it. */
export function policyRefusal(policy: WorkerPolicy, request: TaskRequest): string | undefined {
  for (const rule of RULES) {
    const refusal = rule(policy, request);
    if (refusal) return refusal;
  }
  return undefined;
}

/** Whether `file` is `folder` or lies under it (by path: `..` cannot climb out). */
export function isInside(file: string, folder: string): boolean {
  const relative = path.relative(path.resolve(folder), path.resolve(file));
  return relative === '' || (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative));
}
