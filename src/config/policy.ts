// The worker policy's settings (DESIGN.md §9): BATON_ALLOW_BYPASS, BATON_WORKSPACE_ROOTS, BATON_AGENT_ENV. The
// policy itself, and what it allows by default, is src/policy; a command turns these into a WorkerPolicy with
// the folders it knows of (its own, the plan file's).
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AGENT_ENV_NAME } from '../policy/agent-env.js';
import { effectiveTask, type Plan } from '../plan/schema.js';
import { policyRefusal, type WorkerPolicy } from '../policy/worker-policy.js';
import { emptyAsUnset as optional, parseEnv, type Env } from './env.js';

const PolicyEnvSchema = z.object({
  BATON_ALLOW_BYPASS: optional(z.enum(['1', '0', 'true', 'false'], { error: 'must be 1 or 0' })),
  BATON_NO_COMMANDS: optional(z.enum(['1', '0', 'true', 'false'], { error: 'must be 1 or 0' })),
  BATON_WORKSPACE_ROOTS: optional(z.string()),
  BATON_AGENT_ENV: optional(
    z
      .string()
      .refine(
        (names) => names.split(',').every((name) => AGENT_ENV_NAME.test(name.trim())),
        'must be variable names or PREFIX_* patterns, comma-separated',
      ),
  ),
});

export interface PolicySettings {
  allowBypassPermissions: boolean;
  /** BATON_NO_COMMANDS: plans' `verify` commands are refused. */
  noCommands?: boolean;
  /** The roots BATON_WORKSPACE_ROOTS names (absolute); undefined: the command's defaults apply. */
  workspaceRoots: string[] | undefined;
  agentEnv: string[];
}

export function loadPolicySettings(env: Env, cwd: string): PolicySettings {
  const e = parseEnv(PolicyEnvSchema, env);
  const roots = e.BATON_WORKSPACE_ROOTS?.split(':')
    .filter((root) => root.trim() !== '')
    .map((root) => path.resolve(cwd, root));
  return {
    allowBypassPermissions: e.BATON_ALLOW_BYPASS === '1' || e.BATON_ALLOW_BYPASS === 'true',
    noCommands: e.BATON_NO_COMMANDS === '1' || e.BATON_NO_COMMANDS === 'true',
    workspaceRoots: roots && roots.length > 0 ? roots : undefined,
    agentEnv: (e.BATON_AGENT_ENV ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
  };
}

/**
 * A worker's policy: `defaultRoots` (the folder the worker started in; for `baton run`, the plan file's folder
 * too) unless BATON_WORKSPACE_ROOTS names others; bypass when the settings or the command's flag allow it.
 */
export function workerPolicy(
  settings: PolicySettings,
  options: { defaultRoots: string[]; allowBypassPermissions?: boolean; noCommands?: boolean },
): WorkerPolicy {
  return {
    allowBypassPermissions: settings.allowBypassPermissions || options.allowBypassPermissions === true,
    noCommands: settings.noCommands === true || options.noCommands === true,
    // Symlinks resolved: a task's folder is compared by where it really is.
    workspaceRoots: [...new Set((settings.workspaceRoots ?? options.defaultRoots).map(realFolder))],
    agentEnv: settings.agentEnv,
  };
}

/** The folder with its symlinks resolved (as given when it does not exist yet). */
export function realFolder(folder: string): string {
  try {
    return realpathSync(folder);
  } catch {
    return path.resolve(folder);
  }
}

/** What a worker with `policy` would refuse of the plan (its first task it refuses), or undefined. */
export function planRefusal(policy: WorkerPolicy, plan: Plan): string | undefined {
  const workspace = plan.workspace?.repo ?? '.';
  for (const task of plan.tasks) {
    const refusal = policyRefusal(policy, {
      what: `task ${task.id}`,
      permissionMode: effectiveTask(plan, task).permissionMode,
      // The plan's own verify runs after each task's merge, on the same worker's policy.
      commands: (task.verify?.length ?? 0) + (plan.verify?.length ?? 0),
      workspace,
      realWorkspace: realFolder(workspace),
    });
    if (refusal) return refusal;
  }
  return undefined;
}
