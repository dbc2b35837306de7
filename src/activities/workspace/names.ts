// Branch and folder names of a run's worktrees. One layout, in one place:
//   branch   baton/<run>/<task>                 a task's work (kept after the run)
//   branch   baton/<run>/integration            every finished task merged in dependency order
//   folder   <worktreesDir>/<run>/<task>         the task's worktree (removed when the run ends)
//   folder   <worktreesDir>/<run>/_integration   the integration branch's worktree (where conflicts wait)
// Task ids are already safe as ref and file names (plan schema); a run id may be any workflow id.
import { createHash } from 'node:crypto';
import path from 'node:path';

export const INTEGRATION = 'integration';
/** A task id starts with a letter or digit: this folder can never be a task's. */
const INTEGRATION_FOLDER = '_integration';

/**
 * The run id as one ref component and folder name. Ids baton makes (`baton-<plan>-<hex>`) stay as they are;
 * anything else is made safe and gets a short hash, so two different ids never share branches.
 */
export function runSegment(runId: string): string {
  let safe = runId.replace(/[^A-Za-z0-9._-]/g, '_').replace(/\.{2,}/g, '_');
  if (safe.startsWith('.') || safe.startsWith('-')) safe = `_${safe}`;
  if (safe.endsWith('.') || safe.endsWith('.lock')) safe = `${safe}_`;
  if (safe === runId && safe !== '') return safe;
  const hash = createHash('sha256').update(runId).digest('hex').slice(0, 8);
  return `${safe.slice(0, 80)}-${hash}`;
}

export function taskBranch(runId: string, taskId: string): string {
  // A task may be called "integration": its branch must not be the run's integration branch.
  const name = taskId === INTEGRATION ? `${taskId}+task` : taskId;
  return `baton/${runSegment(runId)}/${name}`;
}

export function integrationBranch(runId: string): string {
  return `baton/${runSegment(runId)}/${INTEGRATION}`;
}

/** The folder holding every worktree of a run. */
export function runWorktreesDir(worktreesDir: string, runId: string): string {
  return path.join(path.resolve(worktreesDir), runSegment(runId));
}

export function taskWorktree(worktreesDir: string, runId: string, taskId: string): string {
  return path.join(runWorktreesDir(worktreesDir, runId), taskId);
}

export function integrationWorktree(worktreesDir: string, runId: string): string {
  return path.join(runWorktreesDir(worktreesDir, runId), INTEGRATION_FOLDER);
}

/** The commit message of a task's work: names the run and the task (DESIGN: issue 6). */
export function taskCommitMessage(runId: string, taskId: string, title: string): string {
  return title && title !== taskId ? `baton ${runId}: ${taskId} — ${title}` : `baton ${runId}: ${taskId}`;
}
