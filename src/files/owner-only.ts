// Everything baton writes under BATON_HOME (artifacts, transcripts, snapshots, large prompts, the embedded
// server's database) is for its owner only (DESIGN.md §9): transcripts hold what agents read and wrote, and
// history may be decrypted with a key other users must not see. Folders 0700, files 0600, whatever the umask.
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';

export const OWNER_ONLY_DIR = 0o700;
export const OWNER_ONLY_FILE = 0o600;

/** Options for fs writes: a new file is created 0600 (an existing one keeps its mode). */
export const ownerOnlyFile = { mode: OWNER_ONLY_FILE } as const;

/** Text up to this size is written at once (synchronously): see writeOwnerOnly. */
const SMALL_TEXT = 64 * 1024;

/**
 * Writes `text` to `file` (a new file 0600; `flag` as fs's). A small text is written synchronously: a local file
 * of a few KB takes tens of microseconds that way, against a few hundred of CPU through the thread pool (open,
 * write and close each a trip to it), which tens of agents starting and ending each second pay for every file.
 */
export async function writeOwnerOnly(file: string, text: string, flag = 'w'): Promise<void> {
  if (text.length <= SMALL_TEXT) writeFileSync(file, text, { ...ownerOnlyFile, flag });
  else await writeFile(file, text, { ...ownerOnlyFile, flag });
}

/** Creates the folder (and missing parents) 0700; an existing folder of this user's is made 0700 too. */
export function ownerOnlyDirSync(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: OWNER_ONLY_DIR });
  restrict(dir);
}

/**
 * BATON_HOME itself: created 0700, or made 0700 when it exists and this user owns it (a home made by an older
 * baton, or under a loose umask). Everything below it is then out of other users' reach whatever its own mode.
 */
export function ownerOnlyHome(home: string): void {
  ownerOnlyDirSync(home);
}

/** Makes an existing file of this user's 0600 (one an older baton, or another program, created). */
export function restrictFileSync(file: string): void {
  restrict(file, OWNER_ONLY_FILE);
}

/**
 * Runs `start` (which starts a process) with umask 077, so that what that process creates is its owner's only
 * whatever it does itself (the embedded Temporal server's database: SQLite gives its journal files the database
 * file's mode). A child takes its parent's umask when it starts; this process's own is back at once.
 */
export function withOwnerOnlyUmask<T>(start: () => T): T {
  const previous = process.umask(0o077);
  try {
    return start();
  } finally {
    process.umask(previous);
  }
}

/** Makes a file 0600 (after another program created it). */
export async function restrictFile(file: string): Promise<void> {
  await chmod(file, OWNER_ONLY_FILE).catch(() => undefined);
}

function restrict(target: string, mode = OWNER_ONLY_DIR): void {
  const info = statSync(target, { throwIfNoEntry: false });
  // Only what this user owns: BATON_HOME=/tmp must not try to change /tmp.
  if (!info || info.uid !== process.getuid?.() || (info.mode & 0o777) === mode) return;
  if ((info.mode & 0o1000) !== 0) return; // a sticky, shared folder such as /tmp
  try {
    chmodSync(target, mode);
  } catch {
    // not ours to change after all: its own mode stands
  }
}
