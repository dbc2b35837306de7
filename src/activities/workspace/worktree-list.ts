// The worktrees git knows for a repository (`git worktree list --porcelain`).
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { git } from './git.js';

export interface WorktreeEntry {
  path: string;
  /** Full ref of the checked-out branch (refs/heads/…), or null (detached, bare). */
  branch: string | null;
  head: string | null;
}

export async function listWorktrees(repo: string): Promise<WorktreeEntry[]> {
  const { stdout } = await git(repo, ['worktree', 'list', '--porcelain']);
  const entries: WorktreeEntry[] = [];
  for (const block of stdout.split('\n\n')) {
    const entry: WorktreeEntry = { path: '', branch: null, head: null };
    for (const line of block.split('\n')) {
      if (line.startsWith('worktree ')) entry.path = line.slice('worktree '.length);
      else if (line.startsWith('branch ')) entry.branch = line.slice('branch '.length);
      else if (line.startsWith('HEAD ')) entry.head = line.slice('HEAD '.length);
    }
    if (entry.path) entries.push(entry);
  }
  return entries;
}

/** The entry for `folder`, comparing real paths (a temp folder may be reached through a symlink). */
export async function findWorktree(repo: string, folder: string): Promise<WorktreeEntry | undefined> {
  const wanted = await canonical(folder);
  for (const entry of await listWorktrees(repo)) {
    if ((await canonical(entry.path)) === wanted) return entry;
  }
  return undefined;
}

async function canonical(folder: string): Promise<string> {
  const absolute = path.resolve(folder);
  // A folder that no longer exists: its parent may still be a symlink worth resolving.
  const real = await realpath(absolute).catch(async () =>
    path.join(await realpath(path.dirname(absolute)).catch(() => path.dirname(absolute)), path.basename(absolute)),
  );
  return real;
}
