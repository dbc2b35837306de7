// A task's worktree under `workspace.remote` (remote.ts): made on this host from the remote's branch and newest
// checkpoint whenever it is missing here, or older than what the remote holds (another host worked on the task
// since). A worktree remembers which state of the remote it holds (a file in its own git folder): the checkpoint
// or branch commit it was made from or last wrote. Callers hold the clone's repository lock.
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OWNER_ONLY_DIR } from '../../files/owner-only.js';
import { git, isAncestor, isDirty, revParse } from './git.js';
import { runWorktreesDir, taskBranch, taskWorktree } from './names.js';
import type { RunRepo } from './run-repo.js';
import { checkpointRef, push, restoreCheckpoint, sharedTip } from './remote.js';
import { findWorktree } from './worktree-list.js';

const MARK_FILE = 'baton-shared-state';

/** The task's place on this host: `repo` has a remote (run-repo.ts). */
export function taskPlace(repo: RunRepo, worktreesDir: string, ids: { runId: string; taskId: string }): TaskPlace {
  if (!repo.remote) throw new Error('a task place needs a remote');
  const folder = taskWorktree(worktreesDir, ids.runId, ids.taskId);
  return { clone: repo.dir, remote: repo.remote, worktreesDir, runId: ids.runId, taskId: ids.taskId, folder };
}

export interface TaskPlace {
  /** This host's clone of the remote (remote.ts hostClone). */
  clone: string;
  remote: string;
  worktreesDir: string;
  runId: string;
  taskId: string;
  /** The task's worktree on this host. */
  folder: string;
}

/** The remote's newest state of the task: its checkpoint when one extends the branch, else the branch's tip. */
export async function sharedState(place: TaskPlace): Promise<{ tip: string | null; checkpoint: string | null }> {
  const tip = await sharedTip(place.clone, `refs/heads/${taskBranch(place.runId, place.taskId)}`);
  if (!tip) return { tip, checkpoint: null };
  const checkpoint = await sharedTip(place.clone, checkpointRef(place.runId, place.taskId));
  // A checkpoint holds work on top of the branch; one from before a commit or a reset is not the task's any more.
  const usable = checkpoint !== null && (await isAncestor(place.clone, tip, `${checkpoint}^`));
  return { tip, checkpoint: usable ? checkpoint : null };
}

/**
 * Makes the task's worktree here hold the remote's newest state of it (after a fetch). Returns whether the
 * worktree was (re)made, and the checkpoint put into it. The branch must exist on the remote.
 */
export async function syncTaskWorktree(
  place: TaskPlace,
): Promise<{ made: boolean; restored: string | null; tip: string | null }> {
  const { tip, checkpoint } = await sharedState(place);
  if (!tip) return { made: false, restored: null, tip };
  const wanted = checkpoint ?? tip;
  const branch = taskBranch(place.runId, place.taskId);
  const existing = await findWorktree(place.clone, place.folder);
  if (existing?.branch === `refs/heads/${branch}` && (await isFolder(place.folder))) {
    if ((await readMark(place.folder)) === wanted) return { made: false, restored: null, tip };
  }
  if (existing) await git(place.clone, ['worktree', 'remove', '--force', place.folder]);
  await rm(place.folder, { recursive: true, force: true });
  await git(place.clone, ['worktree', 'prune']);
  await mkdir(runWorktreesDir(place.worktreesDir, place.runId), { recursive: true, mode: OWNER_ONLY_DIR });
  await git(place.clone, ['branch', '--force', branch, tip]);
  await git(place.clone, ['worktree', 'add', '--quiet', place.folder, branch]);
  if (checkpoint) await restoreCheckpoint(place.folder, checkpoint);
  await mark(place.folder, wanted);
  return { made: true, restored: checkpoint, tip };
}

/**
 * After the worktree's branch changed here (prepared, committed): the branch goes to the remote, and a checkpoint
 * that no longer holds anything uncommitted goes from it. The worktree then holds the remote's newest state.
 */
export async function publishTask(place: TaskPlace): Promise<string> {
  const head = await revParse(place.folder, 'HEAD');
  if (!head) throw new Error(`the worktree ${place.folder} has no HEAD`);
  const branch = taskBranch(place.runId, place.taskId);
  const dirty = await isDirty(place.folder);
  const refspecs = [`+${head}:refs/heads/${branch}`];
  // Deleting a ref the remote does not have is a warning, not an error.
  if (!dirty) refspecs.push(`:${checkpointRef(place.runId, place.taskId)}`);
  await push(place.clone, place.remote, refspecs);
  if (!dirty) await mark(place.folder, head);
  return head;
}

/** Which state of the remote the worktree holds (MARK_FILE in its git folder), or null. */
export async function readMark(folder: string): Promise<string | null> {
  const file = await markFile(folder).catch(() => null);
  if (!file) return null;
  return (await readFile(file, 'utf8').catch(() => '')).trim() || null;
}

export async function mark(folder: string, commit: string): Promise<void> {
  await writeFile(await markFile(folder), `${commit}\n`);
}

async function markFile(folder: string): Promise<string> {
  const gitDir = (await git(folder, ['rev-parse', '--absolute-git-dir'])).stdout.trim();
  return path.join(gitDir, MARK_FILE);
}

async function isFolder(folder: string): Promise<boolean> {
  return (await stat(folder).catch(() => null))?.isDirectory() === true;
}
