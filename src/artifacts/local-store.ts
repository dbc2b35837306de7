// The default store: folders on this machine (BATON_HOME/artifacts and BATON_HOME/inputs). A worker's files are
// already where they belong, so keeping one costs nothing, and its ref is its path: what baton always did.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { OWNER_ONLY_DIR, restrictFile, writeOwnerOnly } from '../files/owner-only.js';
import path from 'node:path';
import {
  ArtifactStoreError,
  byName,
  isS3Ref,
  StoreProblem,
  type ArtifactStore,
  type StoredFile,
  type StoreKey,
} from './store.js';

export interface LocalFolders {
  /** Where `artifacts/…` keys live (the workers' artifacts folder). */
  artifacts: string;
  /** Where `inputs/…` keys live. */
  inputs: string;
}

export class LocalArtifactStore implements ArtifactStore {
  readonly #folders: LocalFolders;

  constructor(folders: LocalFolders) {
    this.#folders = { artifacts: path.resolve(folders.artifacts), inputs: path.resolve(folders.inputs) };
  }

  get location(): string {
    return this.#folders.artifacts;
  }

  /** The file of a key. */
  pathOf(key: StoreKey): string {
    const [area, ...rest] = key.split('/');
    return path.join(area === 'inputs' ? this.#folders.inputs : this.#folders.artifacts, ...rest);
  }

  async keepFile(key: StoreKey, file: string): Promise<string> {
    const target = this.pathOf(key);
    if (path.resolve(file) === target) return target;
    // Its owner's only: a copy keeps its source's mode.
    await whole(target, async (partial) => {
      await copyFile(file, partial);
      await restrictFile(partial);
    });
    return target;
  }

  async putText(key: StoreKey, text: string): Promise<string> {
    const target = this.pathOf(key);
    // A new file (the partial's name is new), so created its owner's only: nothing to change after.
    await whole(target, (partial) => writeOwnerOnly(partial, text, 'wx'));
    return target;
  }

  async read(ref: string): Promise<Buffer> {
    if (isS3Ref(ref)) throw s3RefHere(ref, this.location);
    try {
      return await readFile(ref);
    } catch (err) {
      throw new ArtifactStoreError(
        `cannot read ${ref}: ${(err as Error).message}`,
        (err as NodeJS.ErrnoException).code === 'ENOENT' ? StoreProblem.NotFound : StoreProblem.Other,
        { cause: err },
      );
    }
  }

  // A path stays a path: a worker that cannot see it (another host, no shared volume) is what the S3 store is for.
  localCopy(ref: string, _file?: string): Promise<string> {
    return isS3Ref(ref) ? Promise.reject(s3RefHere(ref, this.location)) : Promise.resolve(ref);
  }

  async list(prefix: StoreKey): Promise<StoredFile[]> {
    const root = this.pathOf(prefix);
    const files: StoredFile[] = [];
    // Mostly a folder not made yet (a task's first attempt asks what earlier ones left): no failed call to learn it.
    if (!existsSync(root)) return files;
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (entry.isFile() && !entry.name.endsWith(PARTIAL)) {
          // Gone since the folder was read (a file kept again replaces it): not listed.
          const bytes = await stat(full).then(
            (info) => info.size,
            () => undefined,
          );
          if (bytes === undefined) continue;
          files.push({ name: path.relative(root, full).split(path.sep).join('/'), ref: full, bytes });
        }
      }
    };
    await walk(root);
    return files.sort(byName);
  }

  async check(): Promise<void> {
    try {
      await mkdir(this.#folders.artifacts, { recursive: true, mode: OWNER_ONLY_DIR });
    } catch (err) {
      throw new ArtifactStoreError(
        `cannot create the artifacts folder ${this.#folders.artifacts}: ${(err as Error).message}`,
        StoreProblem.Denied,
        { cause: err },
      );
    }
  }
}

const PARTIAL = '.partial';

/**
 * Writes `target` whole or not at all: a file kept again while a reader (another attempt) reads it, or a write cut
 * by a kill. Its folder is made only when missing (it mostly exists: the attempt's own, made before it started).
 * Folder and rename are one local system call each: made synchronously, as writeOwnerOnly writes a small text.
 */
async function whole(target: string, write: (partial: string) => Promise<void>): Promise<void> {
  const partial = `${target}.${randomUUID()}${PARTIAL}`;
  try {
    try {
      await write(partial);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      mkdirSync(path.dirname(target), { recursive: true, mode: OWNER_ONLY_DIR });
      await write(partial);
    }
    renameSync(partial, target);
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
}

function s3RefHere(ref: string, location: string): ArtifactStoreError {
  return new ArtifactStoreError(
    `${ref} is in S3, and this baton keeps artifacts in ${location}: set BATON_ARTIFACTS=s3://… and the AWS variables (docs/DEPLOY.md) to read it`,
    StoreProblem.NotConfigured,
  );
}
