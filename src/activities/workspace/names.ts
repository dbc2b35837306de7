// Branch and folder names of a run's worktrees. One layout, in one place:
//   branch   baton/<run>/<task>                 a task's work (kept after the run)
//   branch   baton/<run>/integration            every finished task merged in dependency order
//   folder   <worktreesDir>/<run>/<task>         the task's worktree (removed when the run ends)
//   folder   <worktreesDir>/<run>/_integration   the integration branch's worktree (where conflicts wait)
// Ids become names only through safeSegment: a valid task id is kept as it is, anything else is made safe.
import path from 'node:path';
import { safeSegment } from '../path-segment.js';

export const INTEGRATION = 'integration';
/** A task id starts with a letter or digit: this folder can never be a task's. */
const INTEGRATION_FOLDER = '_integration';

/** The run id as one ref component and folder name (path-segment.ts). */
export function runSegment(runId: string): string {
  return safeSegment(runId);
}

export function taskBranch(runId: string, taskId: string): string {
  // A task may be called "integration": its branch must not be the run's integration branch.
  const name = taskId === INTEGRATION ? `${taskId}+task` : safeSegment(taskId);
  return `baton/${runSegment(runId)}/${name}`;
}

export function integrationBranch(runId: string): string {
  return `baton/${runSegment(runId)}/${INTEGRATION}`;
}

/** Root folder of the runs' worktrees: `worktreesDir`, else beside the artifacts (`<artifactsDir>/../worktrees`). */
export function worktreesDirOf(deps: { worktreesDir?: string; artifactsDir: string }): string {
  return path.resolve(deps.worktreesDir ?? path.join(path.dirname(path.resolve(deps.artifactsDir)), 'worktrees'));
}

/** The folder holding every worktree of a run. */
export function runWorktreesDir(worktreesDir: string, runId: string): string {
  return path.join(path.resolve(worktreesDir), runSegment(runId));
}

export function taskWorktree(worktreesDir: string, runId: string, taskId: string): string {
  return path.join(runWorktreesDir(worktreesDir, runId), safeSegment(taskId));
}

export function integrationWorktree(worktreesDir: string, runId: string): string {
  return path.join(runWorktreesDir(worktreesDir, runId), INTEGRATION_FOLDER);
}

/** The commit message of a task's work: names the run and the task (DESIGN: issue 6). */
export function taskCommitMessage(runId: string, taskId: string, title: string): string {
  return title && title !== taskId ? `baton ${runId}: ${taskId} — ${title}` : `baton ${runId}: ${taskId}`;
}
