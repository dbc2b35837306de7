// The run's base: the repository's HEAD when the run starts. Every task branch starts from it, so work
// people commit to the repository while the run goes on does not leak into half of its tasks.
import path from 'node:path';
import { git, GitError, isDirty, revParse } from './git.js';
import { WorkspaceError, WorkspaceFailureType } from './failures.js';
import { baseRef, push } from './remote.js';
import type { RecordBaseInput, WorkspaceBase } from '../../contract/workspace.js';

export async function recordBase(input: RecordBaseInput): Promise<WorkspaceBase> {
  const repo = path.resolve(input.repo);
  let toplevel: string;
  let prefix: string;
  try {
    const { stdout } = await git(repo, ['rev-parse', '--show-toplevel', '--show-prefix']);
    [toplevel = '', prefix = ''] = stdout.split('\n');
  } catch (err) {
    if (err instanceof GitError) {
      throw new WorkspaceError(
        WorkspaceFailureType.NotARepository,
        `"worktree" isolation needs a git repository, and ${repo} is not in one (${err.stderr.trim()})`,
      );
    }
    throw err;
  }
  const commit = await revParse(repo, 'HEAD');
  if (!commit) {
    throw new WorkspaceError(
      WorkspaceFailureType.NoCommit,
      `the repository ${toplevel} has no commit yet: commit something first, so that tasks have a base to branch from`,
    );
  }
  const branch = (await git(repo, ['symbolic-ref', '--quiet', '--short', 'HEAD'], { okExitCodes: [1] })).stdout.trim();
  // Every host makes the run's first worktrees from it: it goes to the remote, under the run's own ref.
  if (input.remote && input.runId) await push(repo, input.remote, [`${commit}:${baseRef(input.runId)}`]);
  return { toplevel, prefix, commit, branch: branch || null, dirty: await isDirty(repo) };
}
