// Where a run's files go so that every worker and every person can read them (docs/DEPLOY.md, "Artifacts").
// Workers write each attempt's files in their own local folder (claude writes its transcript there itself);
// the store keeps them where others can read: the same folder (local, the default), or an S3-compatible
// bucket. Results carry refs: a local path, or `s3://bucket/key`. A ref says where it is, so any store reads
// a local path, and only an S3 store reads an s3:// ref.
import { ExitCode, ExitCodeError } from '../errors/exit-code.js';

/** A file's name in the store: the artifacts of runs, or the prompts too large for Temporal's history. */
export type StoreKey = `artifacts/${string}` | `inputs/${string}`;

export interface StoredFile {
  /** Path below the listed prefix, with `/` separators (`g1/result.md`). */
  name: string;
  ref: string;
  bytes: number;
}

/**
 * The order of listed files: by their names' code units, the same on every host. Not localeCompare: its order
 * follows the process's locale, and its first call loads the collator (~10 ms, once a run's first attempt lists).
 */
export function byName(a: StoredFile, b: StoredFile): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export interface ArtifactStore {
  /** Where new files go, for people: a folder, or `s3://bucket/prefix`. */
  readonly location: string;
  /** Keeps a local file under `key` and returns its ref (the local store: the file where it lies). */
  keepFile(key: StoreKey, file: string): Promise<string>;
  /** Stores text under `key` and returns its ref. */
  putText(key: StoreKey, text: string): Promise<string>;
  /** The bytes behind a ref. */
  read(ref: string): Promise<Buffer>;
  /** A local file holding the ref's bytes: the ref itself when it is a local path, else a download to `file`. */
  localCopy(ref: string, file: string): Promise<string>;
  /** The files under `prefix` (empty when there are none), in `byName` order. */
  list(prefix: StoreKey): Promise<StoredFile[]>;
  /** Fails with ArtifactStoreError when this store cannot be written: what a worker checks before it starts. */
  check(): Promise<void>;
}

/** Why the store failed, for messages and for whether another attempt may do better. */
export const StoreProblem = {
  Unreachable: 'unreachable',
  NoCredentials: 'no-credentials',
  Denied: 'denied',
  NoBucket: 'no-bucket',
  NotFound: 'not-found',
  NotConfigured: 'not-configured',
  Other: 'other',
} as const;
export type StoreProblem = (typeof StoreProblem)[keyof typeof StoreProblem];

/** The store refused or could not be reached: a setting to fix, and nothing was started (exit 2). */
export class ArtifactStoreError extends ExitCodeError {
  override name = 'ArtifactStoreError';
  readonly exitCode = ExitCode.BadInput;
  constructor(
    message: string,
    readonly problem: StoreProblem,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isS3Ref(ref: string): boolean {
  return ref.startsWith('s3://');
}

/** `s3://bucket/key` → its parts (ArtifactStoreError when it has no bucket or no key). */
export function parseS3Ref(ref: string): { bucket: string; key: string } {
  const rest = ref.slice('s3://'.length);
  const slash = rest.indexOf('/');
  if (!isS3Ref(ref) || slash <= 0 || slash === rest.length - 1) {
    throw new ArtifactStoreError(`${ref} is not an s3://bucket/key reference`, StoreProblem.NotFound);
  }
  return { bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
}
