// One git operation that changes shared state (worktrees, branches, the integration merge) at a time per
// repository: a queue per repository in this worker, and a lock file in the repository's .git folder for
// other workers on the same machine. Git's own locks make a second writer fail, not wait.
import { open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const LOCK_FILE = 'baton.lock';
const POLL_MS = 100;
const EMPTY_LOCK_STALE_MS = 10_000;

const queues = new Map<string, Promise<unknown>>();

export interface LockOptions {
  /** Called while waiting for another process's lock (the activity heartbeats from here). */
  onWait?: () => void;
  /** Stops waiting (the activity was cancelled). */
  signal?: AbortSignal;
}

/** Runs `fn` holding the lock of the repository whose shared .git folder is `gitCommonDir`. */
export async function withRepoLock<T>(
  gitCommonDir: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const key = path.resolve(gitCommonDir);
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => holdingFile(key, fn, options));
  queues.set(key, run);
  try {
    return await run;
  } finally {
    if (queues.get(key) === run) queues.delete(key);
  }
}

async function holdingFile<T>(gitCommonDir: string, fn: () => Promise<T>, options: LockOptions): Promise<T> {
  const file = path.join(gitCommonDir, LOCK_FILE);
  const owner = `${hostname()} ${process.pid}\n`;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(owner);
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (await isStale(file)) {
        await rm(file, { force: true });
        continue;
      }
      options.onWait?.();
      await sleep(POLL_MS);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(file, { force: true });
  }
}

/** A lock left by a process of this machine that no longer runs (a killed worker). */
async function isStale(file: string): Promise<boolean> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return false; // just released: try again
  const [host, pidText] = text.trim().split(' ');
  const pid = Number(pidText);
  if (!host || !Number.isInteger(pid) || pid <= 0) {
    // Killed between creating the file and writing its owner: stale once it is clearly not being written.
    const info = await stat(file).catch(() => null);
    return info !== null && Date.now() - info.mtimeMs > EMPTY_LOCK_STALE_MS;
  }
  // Another machine's process cannot be checked from here (a repository on a shared disk): wait for it.
  if (host !== hostname()) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
