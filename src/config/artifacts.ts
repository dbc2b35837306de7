// Where artifacts live (BATON_ARTIFACTS), parsed with the rest of baton's configuration (./index.ts).
// Unset: the local folder BATON_HOME/artifacts. `s3://bucket/prefix`: an S3-compatible store, reached with the
// standard AWS variables, so workers on several hosts read each other's results.
import { z } from 'zod';
import { ConfigError, emptyAsUnset as optional, environmentError, type Env } from './env.js';

const url = z.url({ protocol: /^https?$/, error: 'want an http:// or https:// URL' });

const ArtifactsEnvSchema = z.object({
  BATON_ARTIFACTS: optional(z.string()),
  AWS_ENDPOINT_URL_S3: optional(url),
  AWS_ENDPOINT_URL: optional(url),
  AWS_REGION: optional(z.string()),
  AWS_DEFAULT_REGION: optional(z.string()),
  AWS_ACCESS_KEY_ID: optional(z.string()),
  AWS_SECRET_ACCESS_KEY: optional(z.string()),
  AWS_SESSION_TOKEN: optional(z.string()),
  BATON_S3_PATH_STYLE: optional(
    z.enum(['true', 'false', '1', '0'], { error: 'want true or false' }).transform((v) => v === 'true' || v === '1'),
  ),
});

export interface S3Settings {
  bucket: string;
  /** Key prefix without leading or trailing slashes ('' for the bucket's root). */
  prefix: string;
  region: string;
  /** A non-AWS server (MinIO, SeaweedFS, Ceph, R2…): AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL. */
  endpoint: string | undefined;
  /** `https://host/bucket/key` instead of `https://bucket.host/key`: what most self-hosted servers need. */
  forcePathStyle: boolean;
  /** Undefined: the AWS SDK's own chain (AWS_PROFILE and ~/.aws, SSO, container and instance roles). */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
}

export type ArtifactsConfig = { kind: 'local' } | ({ kind: 's3' } & S3Settings);

/** S3's bucket naming rules (3–63 characters: lower-case letters, digits, dots, hyphens). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function loadArtifactsConfig(env: Env): ArtifactsConfig {
  const parsed = ArtifactsEnvSchema.safeParse(env);
  const raw = parsed.success ? parsed.data.BATON_ARTIFACTS : (env.BATON_ARTIFACTS ?? '').trim() || undefined;
  // The AWS variables matter only for an s3:// store: a laptop's unrelated AWS settings never stop baton.
  if (raw === undefined) return { kind: 'local' };
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(raw)?.[1];
  if (scheme === undefined) {
    throw new ConfigError(
      `BATON_ARTIFACTS: want s3://bucket[/prefix], got "${raw}" (unset, artifacts stay in BATON_HOME/artifacts; to keep them in another folder, set BATON_HOME)`,
    );
  }
  if (scheme.toLowerCase() !== 's3') {
    throw new ConfigError(
      `BATON_ARTIFACTS: unknown scheme "${scheme}://"; baton keeps artifacts in BATON_HOME/artifacts (unset) or in an S3-compatible store (s3://bucket[/prefix])`,
    );
  }
  if (!parsed.success) throw environmentError(parsed.error);
  const e = parsed.data;
  const [bucket = '', ...rest] = raw.slice('s3://'.length).split('/');
  if (bucket === '') throw new ConfigError(`BATON_ARTIFACTS: "${raw}" names no bucket; want s3://bucket[/prefix]`);
  if (!BUCKET.test(bucket)) {
    throw new ConfigError(
      `BATON_ARTIFACTS: "${bucket}" is not a valid bucket name (3 to 63 lower-case letters, digits, dots and hyphens)`,
    );
  }
  const endpoint = e.AWS_ENDPOINT_URL_S3 ?? e.AWS_ENDPOINT_URL;
  const region = e.AWS_REGION ?? e.AWS_DEFAULT_REGION ?? (endpoint ? 'us-east-1' : undefined);
  if (region === undefined) {
    throw new ConfigError(
      `BATON_ARTIFACTS=${raw} needs a region: set AWS_REGION (or AWS_ENDPOINT_URL_S3 for a server other than AWS)`,
    );
  }
  if (Boolean(e.AWS_ACCESS_KEY_ID) !== Boolean(e.AWS_SECRET_ACCESS_KEY)) {
    throw new ConfigError('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together: set both, or neither');
  }
  return {
    kind: 's3',
    bucket,
    prefix: rest.filter((part) => part !== '').join('/'),
    region,
    endpoint,
    // Self-hosted servers rarely have the wildcard DNS that virtual-hosted addressing needs; AWS prefers it.
    forcePathStyle: e.BATON_S3_PATH_STYLE ?? endpoint !== undefined,
    credentials:
      e.AWS_ACCESS_KEY_ID && e.AWS_SECRET_ACCESS_KEY
        ? {
            accessKeyId: e.AWS_ACCESS_KEY_ID,
            secretAccessKey: e.AWS_SECRET_ACCESS_KEY,
            ...(e.AWS_SESSION_TOKEN ? { sessionToken: e.AWS_SESSION_TOKEN } : {}),
          }
        : undefined,
  };
}
