// Turning a plan's relative paths into absolute ones, once, when a run starts (DESIGN.md §2).
// Uses node:path and node:fs, so workflow code must not import this file.
import { stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { isInside } from '../policy/worker-policy.js';
import type { PlanIssue } from './errors.js';
import type { Plan } from './schema.js';
import { mapTasks } from './tree.js';

/**
 * A copy of `plan` whose `workspace.repo`, `contextFiles` and `expectedOutputs` are absolute.
 *
 * `baseDir` is the folder `baton` was started from (DESIGN.md §2), not the plan file's folder.
 * `workspace.repo` (default ".") is resolved against it. Task paths are resolved against the
 * resolved repo, because agents run with the repo as their working directory: a task told to write
 * `out/report.md` writes it there. With the default repo ("."), this is the same as resolving
 * against `baseDir`, as DESIGN.md says. (Under worktree isolation the activity rebases these
 * paths from the repo onto the task's worktree.)
 */
export function resolvePlanPaths(plan: Plan, baseDir: string): Plan {
  const repo = resolve(baseDir, plan.workspace?.repo ?? '.');
  const absolute = (path: string): string => (isAbsolute(path) ? resolve(path) : resolve(repo, path));
  // Sub-plans work in the same workspace: their tasks' paths resolve the same way.
  const resolved = mapTasks(plan, (task) => ({
    ...task,
    contextFiles: task.contextFiles.map(absolute),
    expectedOutputs: task.expectedOutputs.map(absolute),
  }));
  return {
    ...resolved,
    workspace: {
      isolation: 'none',
      ...plan.workspace,
      repo,
      ...(plan.workspace?.remote ? { remote: resolveRemote(plan.workspace.remote, baseDir) } : {}),
    },
  };
}

/**
 * `workspace.remote` as git will be given it: a relative path to a repository resolved like `workspace.repo`;
 * a URL (`scheme://…`) or an scp-like address (`host:path`, a colon before any slash) as it is.
 */
export function resolveRemote(remote: string, baseDir: string): string {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(remote) || /^[^/]*:/.test(remote)) return remote;
  return resolve(baseDir, remote);
}

/**
 * Problems with the plan's workspace: `workspace.repo` must be an existing directory, and inside a
 * git repository when `isolation` is `worktree`; every task's `contextFiles` and `expectedOutputs` must lie inside
 * it (DESIGN.md §9: an agent reads and writes its own workspace). Expects a plan from `resolvePlanPaths`.
 */
export async function checkWorkspace(plan: Plan): Promise<PlanIssue[]> {
  const repo = resolve(plan.workspace?.repo ?? '.');
  const outside = filesOutside(plan, repo);
  return [...(await checkRepo(plan, repo)), ...outside];
}

/** Every contextFiles and expectedOutputs entry that lies outside the workspace. */
function filesOutside(plan: Plan, repo: string): PlanIssue[] {
  const issues: PlanIssue[] = [];
  plan.tasks.forEach((task, i) => {
    for (const field of ['contextFiles', 'expectedOutputs'] as const) {
      task[field].forEach((file, j) => {
        if (isInside(file, repo)) return;
        issues.push({
          path: `tasks[${i}].${field}[${j}]`,
          message: `${file} lies outside the workspace ${repo}; a task's ${field} must be inside it`,
        });
      });
    }
  });
  return issues;
}

async function checkRepo(plan: Plan, repo: string): Promise<PlanIssue[]> {
  const path = 'workspace.repo';
  const info = await stat(repo).catch(() => undefined);
  if (!info) return [{ path, message: `folder "${repo}" does not exist` }];
  if (!info.isDirectory()) return [{ path, message: `"${repo}" is not a folder` }];
  if (plan.workspace?.isolation === 'worktree' && !(await insideGitRepository(repo))) {
    return [
      {
        path: 'workspace.isolation',
        message: `"worktree" isolation needs a git repository, and "${repo}" is not in one`,
      },
    ];
  }
  return [];
}

async function insideGitRepository(folder: string): Promise<boolean> {
  for (let current = folder; ; current = dirname(current)) {
    // `.git` is a folder in a clone and a file in a worktree or submodule.
    if (await stat(join(current, '.git')).catch(() => undefined)) return true;
    if (dirname(current) === current) return false;
  }
}
