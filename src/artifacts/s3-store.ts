// An S3-compatible bucket as the artifact store (BATON_ARTIFACTS=s3://bucket/prefix): AWS S3, MinIO, SeaweedFS,
// Ceph, R2… The AWS SDK is loaded on first use, so processes that never touch the store do not pay for it.
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { OWNER_ONLY_DIR, ownerOnlyFile } from '../files/owner-only.js';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3Settings } from '../config/artifacts.js';
import {
  ArtifactStoreError,
  byName,
  isS3Ref,
  parseS3Ref,
  StoreProblem,
  type ArtifactStore,
  type StoredFile,
  type StoreKey,
} from './store.js';

type Sdk = typeof import('@aws-sdk/client-s3');

/** A connection that no server answers fails in seconds, not after the OS's minutes. */
const CONNECT_TIMEOUT_MS = 5_000;
/** A transfer with no byte moving for this long fails (then the SDK tries again). */
const IDLE_TIMEOUT_MS = 60_000;

export class S3ArtifactStore implements ArtifactStore {
  readonly #settings: S3Settings;
  #sdk: Promise<{ sdk: Sdk; client: S3Client }> | undefined;

  constructor(settings: S3Settings) {
    this.#settings = settings;
  }

  get location(): string {
    const { bucket, prefix } = this.#settings;
    return `s3://${bucket}${prefix ? `/${prefix}` : ''}`;
  }

  /** The ref of a key of this store. */
  refOf(key: StoreKey): string {
    return `s3://${this.#settings.bucket}/${this.#objectKey(key)}`;
  }

  async keepFile(key: StoreKey, file: string): Promise<string> {
    return await this.#put(key, await readFile(file));
  }

  async putText(key: StoreKey, text: string): Promise<string> {
    return await this.#put(key, Buffer.from(text));
  }

  async read(ref: string): Promise<Buffer> {
    if (!isS3Ref(ref)) return await readLocal(ref);
    const { sdk, client } = await this.#client();
    const object = parseS3Ref(ref);
    const answer = await this.#call(`read ${ref}`, () =>
      client.send(new sdk.GetObjectCommand({ Bucket: object.bucket, Key: object.key })),
    );
    if (!answer.Body) return Buffer.alloc(0);
    return Buffer.from(await answer.Body.transformToByteArray());
  }

  async localCopy(ref: string, file: string): Promise<string> {
    if (!isS3Ref(ref)) return ref;
    const { sdk, client } = await this.#client();
    const object = parseS3Ref(ref);
    const answer = await this.#call(`read ${ref}`, () =>
      client.send(new sdk.GetObjectCommand({ Bucket: object.bucket, Key: object.key })),
    );
    await mkdir(path.dirname(file), { recursive: true, mode: OWNER_ONLY_DIR });
    // Whole or absent: a reader never sees half a download.
    const partial = `${file}.partial`;
    try {
      await pipeline(answer.Body as NodeJS.ReadableStream, createWriteStream(partial, ownerOnlyFile));
      await rename(partial, file);
    } catch (err) {
      await rm(partial, { force: true });
      throw new ArtifactStoreError(`cannot download ${ref} to ${file}: ${(err as Error).message}`, StoreProblem.Other, {
        cause: err,
      });
    }
    return file;
  }

  async list(prefix: StoreKey): Promise<StoredFile[]> {
    const { sdk, client } = await this.#client();
    const base = `${this.#objectKey(prefix).replace(/\/+$/, '')}/`;
    const files: StoredFile[] = [];
    let token: string | undefined;
    do {
      const page = await this.#call(`list ${this.refOf(prefix)}`, () =>
        client.send(
          new sdk.ListObjectsV2Command({ Bucket: this.#settings.bucket, Prefix: base, ContinuationToken: token }),
        ),
      );
      for (const object of page.Contents ?? []) {
        if (!object.Key) continue;
        files.push({
          name: object.Key.slice(base.length),
          ref: `s3://${this.#settings.bucket}/${object.Key}`,
          bytes: object.Size ?? 0,
        });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return files.sort(byName);
  }

  async check(): Promise<void> {
    const { sdk, client } = await this.#client();
    await this.#call(`use ${this.location}`, () =>
      client.send(new sdk.HeadBucketCommand({ Bucket: this.#settings.bucket })),
    );
  }

  /** Releases the client's sockets. */
  async close(): Promise<void> {
    if (!this.#sdk) return;
    const { client } = await this.#sdk;
    client.destroy();
  }

  #objectKey(key: StoreKey): string {
    return this.#settings.prefix ? `${this.#settings.prefix}/${key}` : key;
  }

  async #put(key: StoreKey, body: Buffer): Promise<string> {
    const { sdk, client } = await this.#client();
    const ref = this.refOf(key);
    await this.#call(`write ${ref}`, () =>
      client.send(new sdk.PutObjectCommand({ Bucket: this.#settings.bucket, Key: this.#objectKey(key), Body: body })),
    );
    return ref;
  }

  #client(): Promise<{ sdk: Sdk; client: S3Client }> {
    this.#sdk ??= import('@aws-sdk/client-s3').then((sdk) => {
      const s = this.#settings;
      const client = new sdk.S3Client({
        region: s.region,
        endpoint: s.endpoint,
        forcePathStyle: s.forcePathStyle,
        ...(s.credentials ? { credentials: s.credentials } : {}),
        // The SDK's default checksums (CRC32 trailers, since 3.729) are refused by many S3-compatible servers;
        // ask for them only where S3 itself requires them.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: IDLE_TIMEOUT_MS },
      });
      return { sdk, client };
    });
    return this.#sdk;
  }

  async #call<T>(what: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      throw describeS3Error(err, what, this.#settings);
    }
  }
}

async function readLocal(ref: string): Promise<Buffer> {
  try {
    return await readFile(ref);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ArtifactStoreError(
      `cannot read ${ref}: ${(err as Error).message}${missing ? ' (a local path: it was written on another machine, before BATON_ARTIFACTS was set)' : ''}`,
      missing ? StoreProblem.NotFound : StoreProblem.Other,
      { cause: err },
    );
  }
}

/** The SDK's error as a message that says what to change. */
export function describeS3Error(err: unknown, what: string, settings: S3Settings): ArtifactStoreError {
  const e = err as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    cause?: { code?: string };
  };
  const status = e.$metadata?.httpStatusCode;
  const code = e.code ?? e.cause?.code ?? '';
  const name = e.name ?? '';
  const where = settings.endpoint ?? `AWS S3 (${settings.region})`;
  const said = e.message && e.message !== 'UnknownError' ? e.message : `HTTP ${String(status ?? '?')} ${name}`.trim();
  const fail = (problem: StoreProblem, message: string) =>
    new ArtifactStoreError(`cannot ${what}: ${message}`, problem, { cause: err });
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(e.message ?? '')) {
    return fail(
      StoreProblem.NoCredentials,
      'no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE, or run where an instance or container role applies)',
    );
  }
  if (['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'Forbidden'].includes(name) || status === 403) {
    return fail(
      StoreProblem.Denied,
      `${where} refused the credentials (${said}): check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the bucket's permissions`,
    );
  }
  if (name === 'NoSuchBucket' || (status === 404 && what.startsWith('use '))) {
    return fail(StoreProblem.NoBucket, `bucket "${settings.bucket}" does not exist at ${where}; create it first`);
  }
  if (name === 'NoSuchKey' || status === 404) return fail(StoreProblem.NotFound, 'no such object');
  if (
    ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH'].includes(
      code,
    ) ||
    name === 'TimeoutError'
  ) {
    return fail(
      StoreProblem.Unreachable,
      `cannot reach ${where} (${code || name}); check AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL and the network`,
    );
  }
  return fail(StoreProblem.Other, `${where} answered: ${said}`);
}
