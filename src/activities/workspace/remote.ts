// The git plumbing of worktrees across hosts (`workspace.remote`, DESIGN §12). Each host keeps a bare clone of
// the remote of its own (`<worktreesDir>/.remotes/<hash>.git`) and makes the run's worktrees from it. What
// belongs to the run lives on the remote, in the run's own refs:
//   refs/heads/baton/<run>/<task>          a task's branch            refs/baton/<run>/base   the run's base commit
//   refs/heads/baton/<run>/integration     the integration branch     refs/baton/<run>/checkpoints/<task>
// A checkpoint is a commit of a worktree's files as they are (uncommitted work included) whose parent is the
// worktree's HEAD, made with an index of its own: the task's branch, its index and its files stay untouched.
// A clone fetches the run's refs under refs/shared/…: a branch checked out in a worktree cannot be fetched into.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OWNER_ONLY_DIR } from '../../files/owner-only.js';
import { git, identityEnv, revParse } from './git.js';
import { WorkspaceError, WorkspaceFailureType } from './failures.js';
import { runSegment } from './names.js';

/** Where a clone keeps what it fetched of the remote's refs: refs/heads/x → refs/shared/heads/x. */
const SHARED = 'refs/shared/';

/**
 * `remote` if git may be given it: the plan's schema refuses these already; this guards the activities, whose
 * input may come from anywhere that can start a workflow.
 */
export function checkRemote(remote: string): string {
  const refuse = (why: string): never => {
    throw new WorkspaceError(WorkspaceFailureType.RemoteRefused, `workspace.remote ${JSON.stringify(remote)} ${why}`);
  };
  if (remote === '') refuse('is empty');
  if (remote.startsWith('-')) refuse('starts with "-" (git would read it as an option)');
  if (/[\u0000-\u001f\u007f]/.test(remote)) refuse('holds control characters or line breaks');
  if (/^[A-Za-z][A-Za-z0-9+.-]*::/.test(remote)) refuse('names a "<transport>::" address (it may run commands)');
  return remote;
}

/**
 * The folder of this host a remote names — a path, or a file:// URL — or null for a remote elsewhere (another
 * URL scheme, or git's `host:path`). baton's CLI makes a relative path absolute; one that is still relative (a run
 * started around the CLI) is refused: which folder it names would depend on where git runs.
 */
export function localRemoteFolder(remote: string): string | null {
  if (/^file:\/\//i.test(remote)) {
    try {
      return fileURLToPath(remote);
    } catch {
      return null; // file://host/…: not this host's, and git refuses it
    }
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(remote) || /^[^/]*:/.test(remote)) return null;
  if (!path.isAbsolute(remote)) {
    throw new WorkspaceError(
      WorkspaceFailureType.RemoteRefused,
      `workspace.remote ${JSON.stringify(remote)} is a relative path: give the remote's absolute path`,
    );
  }
  return remote;
}

/** Git options for every command that talks to the remote: no transport that runs a command, ever. */
const TRANSPORT = ['-c', 'protocol.ext.allow=never', '-c', 'protocol.fd.allow=never'];

/** This host's bare clone of `remote` (made on first use; its objects are fetched as runs need them). */
export async function hostClone(worktreesDir: string, remote: string): Promise<string> {
  const name = createHash('sha256').update(checkRemote(remote)).digest('hex').slice(0, 16);
  // A run id never starts with ".": this folder is no run's (names.ts).
  const clone = path.join(path.resolve(worktreesDir), '.remotes', `${name}.git`);
  if (!(await stat(path.join(clone, 'HEAD')).catch(() => null))) {
    await mkdir(clone, { recursive: true, mode: OWNER_ONLY_DIR });
    // `init` of an existing repository only re-initialises it: two first uses at once are harmless.
    await git(clone, ['init', '--quiet', '--bare']);
  }
  return clone;
}

export function baseRef(runId: string): string {
  return `refs/baton/${runSegment(runId)}/base`;
}

export function checkpointRef(runId: string, taskId: string): string {
  return `refs/baton/${runSegment(runId)}/checkpoints/${taskId}`;
}

/**
 * A merge the plan's verify failed on, undone (DESIGN §11): named on the remote, so that a host whose integration
 * worktree still holds it steps back too instead of pushing it again (integrate.ts, catchUp).
 */
export function undoneRef(runId: string, taskId: string): string {
  return `refs/baton/${runSegment(runId)}/undone/${taskId}`;
}

/** The undone merges the clone last fetched (undoneRef), as commits. */
export async function undoneMerges(clone: string, runId: string): Promise<string[]> {
  const prefix = sharedRef(`refs/baton/${runSegment(runId)}/undone/`);
  const out = await git(clone, ['for-each-ref', '--format=%(objectname)', prefix]);
  return out.stdout.split('\n').filter(Boolean);
}

/** The ref under which a clone keeps what it fetched of the remote's `ref` (refs/heads/… or refs/baton/…). */
export function sharedRef(ref: string): string {
  return `${SHARED}${ref.replace(/^refs\//, '')}`;
}

/** Brings the run's refs (branches, base, checkpoints) from the remote into the clone; gone ones go here too. */
export async function fetchRun(clone: string, remote: string, runId: string): Promise<void> {
  const seg = runSegment(runId);
  const specs = [`refs/heads/baton/${seg}/*`, `refs/baton/${seg}/*`].map((ref) => `+${ref}:${sharedRef(ref)}`);
  await git(clone, [...TRANSPORT, 'fetch', '--quiet', '--prune', '--no-tags', '--', checkRemote(remote), ...specs]);
}

/** `git push` of refspecs (`<commit>:<ref>`, `+…` to force, `:<ref>` to delete); hooks are people's, not baton's. */
export async function push(cwd: string, remote: string, refspecs: readonly string[]): Promise<void> {
  if (refspecs.length === 0) return;
  await git(cwd, [...TRANSPORT, 'push', '--quiet', '--no-verify', '--', checkRemote(remote), ...refspecs]);
}

/**
 * Moves the remote's `ref` back to `commit`, only while it still names `expected` (force-with-lease): a step
 * back another host did not see coming would otherwise drop what it pushed since.
 */
export async function pushBack(
  cwd: string,
  remote: string,
  move: { ref: string; expected: string; commit: string },
  more: readonly string[] = [],
): Promise<void> {
  const lease = `--force-with-lease=${move.ref}:${move.expected}`;
  const refspecs = [`${move.commit}:${move.ref}`, ...more];
  await git(cwd, [...TRANSPORT, 'push', '--quiet', '--no-verify', lease, '--', checkRemote(remote), ...refspecs]);
}

/** The commit the remote's `ref` named when the clone last fetched, or null. */
export async function sharedTip(clone: string, ref: string): Promise<string | null> {
  return await revParse(clone, sharedRef(ref));
}

/**
 * A commit of the worktree's files as they are now (tracked and untracked, ignored files aside), its parent the
 * worktree's HEAD; nothing of the worktree changes. Returns the commit and its tree.
 */
export async function snapshotWorktree(folder: string, message: string): Promise<{ commit: string; tree: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'baton-checkpoint-'));
  const index = path.join(dir, 'index');
  try {
    // A copy of the worktree's own index: its file times spare `add` from reading every file again.
    const own = (await git(folder, ['rev-parse', '--path-format=absolute', '--git-path', 'index'])).stdout.trim();
    const copied = await copyFile(own, index).then(
      () => true,
      () => false,
    );
    const env = { GIT_INDEX_FILE: index };
    if (!copied) await git(folder, ['read-tree', 'HEAD'], { env });
    await git(folder, ['add', '--all', '--', '.'], { env });
    const tree = (await git(folder, ['write-tree'], { env })).stdout.trim();
    const head = (await git(folder, ['rev-parse', 'HEAD'])).stdout.trim();
    const commit = (
      await git(folder, ['commit-tree', tree, '-p', head, '-m', message], { env: await identityEnv(folder) })
    ).stdout.trim();
    return { commit, tree };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Puts a checkpoint's files into the worktree, its HEAD moved to the checkpoint's parent (the branch with it):
 * the files are as they were where the checkpoint was made, uncommitted as they were there.
 */
export async function restoreCheckpoint(folder: string, checkpoint: string): Promise<void> {
  await git(folder, ['reset', '--quiet', '--hard', `${checkpoint}^`]);
  // read-tree -u writes the checkpoint's files and removes those it does not have; the reset keeps them uncommitted.
  await git(folder, ['read-tree', '--reset', '-u', checkpoint]);
  await git(folder, ['reset', '--quiet']);
}

/** The checkpoint commit's tree, or null for a commit that does not exist here. */
export async function treeOf(cwd: string, commit: string): Promise<string | null> {
  const result = await git(cwd, ['rev-parse', '--verify', '--quiet', `${commit}^{tree}`], { okExitCodes: [1] });
  return result.exitCode === 0 ? result.stdout.trim() : null;
}
