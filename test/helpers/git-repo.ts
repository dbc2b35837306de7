// Real git repositories in temp folders for the worktree tests.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

export interface TempRepo {
  /** Temp folder holding the repository (`repo`) and worktrees (`worktrees`). */
  root: string;
  repo: string;
  worktreesDir: string;
  /** git in the repository (or in `cwd`); stdout trimmed. */
  git(args: string[], cwd?: string): Promise<string>;
  /** Writes a file (relative to the repository, or absolute) and commits it. */
  commitFile(file: string, content: string, message?: string): Promise<string>;
  remove(): Promise<void>;
}

/** A repository with one commit (README.md) on `main`, and an identity of its own. */
export async function tempRepo(prefix = 'baton-git-'): Promise<TempRepo> {
  const root = await mkdtemp(path.join(tmpdir(), prefix));
  const repo = path.join(root, 'repo');
  const worktreesDir = path.join(root, 'worktrees');
  await mkdir(repo);
  const git = await initRepo(repo);
  const commitFile = async (file: string, content: string, message = `add ${file}`): Promise<string> => {
    const full = path.resolve(repo, file);
    await mkdir(path.dirname(full), { recursive: true });
    await writeFile(full, content);
    await git(['add', '--all']);
    await git(['commit', '--quiet', '-m', message]);
    return await git(['rev-parse', 'HEAD']);
  };
  return { root, repo, worktreesDir, git, commitFile, remove: () => rm(root, { recursive: true, force: true }) };
}

/** Paths of `git worktree list` (the main one first). */
export async function worktreePaths(repo: Pick<TempRepo, 'git'>): Promise<string[]> {
  const out = await repo.git(['worktree', 'list', '--porcelain']);
  return out
    .split('\n')
    .filter((line) => line.startsWith('worktree '))
    .map((line) => line.slice('worktree '.length));
}

/** Subjects of `git log` on `ref`, oldest first. */
export async function subjects(repo: TempRepo, ref: string, extra: string[] = []): Promise<string[]> {
  const out = await repo.git(['log', '--reverse', '--format=%s', ...extra, ref]);
  return out === '' ? [] : out.split('\n');
}

/** Makes `dir` a repository with one commit (README.md "hello") on `main`; git in it, stdout trimmed. */
export async function initRepo(dir: string): Promise<(args: string[], cwd?: string) => Promise<string>> {
  const git = async (args: string[], cwd = dir): Promise<string> =>
    (await execa('git', args, { cwd, stdin: 'ignore' })).stdout.trim();
  await git(['init', '--quiet', '--initial-branch=main']);
  await git(['config', 'user.name', 'Test Person']);
  await git(['config', 'user.email', 'person@example.com']);
  await git(['config', 'commit.gpgsign', 'false']);
  await writeFile(path.join(dir, 'README.md'), 'hello\n');
  await git(['add', '--all']);
  await git(['commit', '--quiet', '-m', 'initial']);
  return git;
}
