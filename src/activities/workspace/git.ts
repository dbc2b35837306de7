// Runs git with execa (never a shell) in a fixed environment: no prompts, no editor, C locale, and none of
// the GIT_DIR-style variables a hook or a parent git may have set (they would point git at another repo).
import { execa } from 'execa';

/** A git command that failed: the command, where it ran, its exit code and what it said. */
export class GitError extends Error {
  override name = 'GitError';
  constructor(
    readonly args: readonly string[],
    readonly cwd: string,
    readonly exitCode: number | undefined,
    readonly stderr: string,
  ) {
    super(
      `git ${args.join(' ')} (in ${cwd}) failed${exitCode === undefined ? '' : ` with exit code ${exitCode}`}: ${stderr.trim() || '(no output)'}`,
    );
  }
}

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface GitOptions {
  /** Exit codes that are answers, not failures (e.g. 1 for `merge-base --is-ancestor`). Default: only 0. */
  okExitCodes?: readonly number[];
  /** Added to git's environment (e.g. an author identity). */
  env?: Record<string, string>;
}

const INHERITED_GIT_VARIABLES = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_COMMON_DIR',
  'GIT_PREFIX',
];

function gitEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !INHERITED_GIT_VARIABLES.includes(key)) env[key] = value;
  }
  return {
    ...env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_EDITOR: 'true',
    GIT_MERGE_AUTOEDIT: 'no',
    LC_ALL: 'C',
    ...extra,
  };
}

/** `git <args>` in `cwd`; throws a GitError unless the exit code is 0 or one of `okExitCodes`. */
export async function git(cwd: string, args: readonly string[], options: GitOptions = {}): Promise<GitResult> {
  // baton's commits are machine-made: a signing key that asks for a passphrase must not hang a worker.
  const fullArgs = ['-c', 'commit.gpgsign=false', '-c', 'core.quotepath=false', ...args];
  const result = await execa('git', fullArgs, {
    cwd,
    env: gitEnv(options.env),
    extendEnv: false,
    stdin: 'ignore',
    reject: false,
    stripFinalNewline: true,
  });
  const exitCode = result.exitCode;
  if (exitCode === 0 || (exitCode !== undefined && options.okExitCodes?.includes(exitCode))) {
    return { stdout: result.stdout, stderr: result.stderr, exitCode };
  }
  const said = result.stderr || result.stdout || result.shortMessage || '';
  throw new GitError(args, cwd, exitCode, said);
}

/** The commit a revision names, or null when it names none. */
export async function revParse(cwd: string, revision: string): Promise<string | null> {
  const result = await git(cwd, ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`], { okExitCodes: [1] });
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

/** Whether `ancestor` is reachable from `descendant` (a commit is its own ancestor). */
export async function isAncestor(cwd: string, ancestor: string, descendant: string): Promise<boolean> {
  const result = await git(cwd, ['merge-base', '--is-ancestor', ancestor, descendant], { okExitCodes: [1] });
  return result.exitCode === 0;
}

/** Files with unmerged (conflicted) entries in the index of the worktree at `cwd`. */
export async function conflictedFiles(cwd: string): Promise<string[]> {
  const { stdout } = await git(cwd, ['diff', '--name-only', '--diff-filter=U', '-z']);
  return [...new Set(stdout.split('\0').filter((name) => name !== ''))].sort();
}

/** Whether a merge is in progress in the worktree at `cwd` (its MERGE_HEAD), and of what. */
export async function mergeHead(cwd: string): Promise<string | null> {
  return await revParse(cwd, 'MERGE_HEAD');
}

/** Whether the worktree at `cwd` has changes (tracked or untracked, ignored files aside). */
export async function isDirty(cwd: string): Promise<boolean> {
  const { stdout } = await git(cwd, ['status', '--porcelain', '--untracked-files=all']);
  return stdout.trim() !== '';
}

/** The shared `.git` folder of the repository (the same for every worktree of it), absolute. */
export async function commonDir(cwd: string): Promise<string> {
  const { stdout } = await git(cwd, ['rev-parse', '--path-format=absolute', '--git-common-dir']);
  return stdout.trim();
}

const FALLBACK_IDENTITY = { name: 'baton', email: 'baton@localhost' };

/**
 * Environment giving commits an author where git has none configured (a fresh machine, a container): the
 * person's own identity wins whenever there is one.
 */
export async function identityEnv(cwd: string): Promise<Record<string, string>> {
  const read = async (key: string): Promise<string> =>
    (await git(cwd, ['config', '--get', key], { okExitCodes: [1] })).stdout.trim();
  const [name, email] = await Promise.all([read('user.name'), read('user.email')]);
  const env: Record<string, string> = {};
  if (!name)
    Object.assign(env, { GIT_AUTHOR_NAME: FALLBACK_IDENTITY.name, GIT_COMMITTER_NAME: FALLBACK_IDENTITY.name });
  if (!email) {
    Object.assign(env, { GIT_AUTHOR_EMAIL: FALLBACK_IDENTITY.email, GIT_COMMITTER_EMAIL: FALLBACK_IDENTITY.email });
  }
  return env;
}
