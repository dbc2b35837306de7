// The repository a run's worktrees are made from on this host: workspace.repo's own (one filesystem), or, with
// `workspace.remote`, this host's clone of the remote, where the run's branches are read as last fetched.
import { revParse } from './git.js';
import { checkRemote, fetchRun, hostClone, sharedRef } from './remote.js';

export interface RunRepo {
  /** The repository whose worktrees the run's are. */
  dir: string;
  /** The remote every host shares (checked), or null: one filesystem. */
  remote: string | null;
  /** The commit a branch of the run names (the remote's as last fetched, with a remote), or null. */
  tip(branch: string): Promise<string | null>;
  /** Brings the run's refs from the remote (nothing to do without one). */
  refresh(): Promise<void>;
}

/** `local`: workspace.repo's repository top folder (used without a remote). */
export async function runRepo(
  worktreesDir: string,
  runId: string,
  local: string,
  remoteGiven: string | undefined,
): Promise<RunRepo> {
  if (!remoteGiven) {
    const dir = local;
    return { dir, remote: null, tip: (branch) => revParse(dir, `refs/heads/${branch}`), refresh: async () => {} };
  }
  const remote = checkRemote(remoteGiven);
  const dir = await hostClone(worktreesDir, remote);
  return {
    dir,
    remote,
    tip: (branch) => revParse(dir, sharedRef(`refs/heads/${branch}`)),
    refresh: () => fetchRun(dir, remote, runId),
  };
}
