// How to reach Temporal (DESIGN.md §6), for the CLI, the worker and the MCP server alike: the environment, and
// a profile of Temporal's config file (`temporal.toml`, the one the temporal CLI and SDKs read: TEMPORAL_CONFIG_FILE,
// else the user's config folder; TEMPORAL_PROFILE, else "default"). An explicit TEMPORAL_* variable overrides the
// profile's value, as in Temporal's own tools: @temporalio/envconfig applies the variables. Files are read here,
// once, so every misconfiguration is a ConfigError naming the variable or the file before anything starts.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TLSConfig } from '@temporalio/client';
import { loadClientConfigProfile, type ConfigDataSource } from '@temporalio/envconfig';
import { parse, TomlError } from 'smol-toml';
import { z } from 'zod';
import { ConfigError, parseEnv, type Env } from './env.js';

export interface TemporalSettings {
  /** Unset: the embedded dev server (DESIGN.md §8). */
  address: string | undefined;
  namespace: string;
  apiKey: string | undefined;
  /** undefined: plain unless an API key is set (then TLS); false: TLS off; else TLS with these files. */
  tls: TLSConfig | boolean | undefined;
  /** gRPC headers (the profile's `grpc_meta`, TEMPORAL_GRPC_META_*). */
  metadata: Record<string, string> | undefined;
  /** Where the address came from, for messages: "TEMPORAL_ADDRESS" or the profile. */
  addressFrom: string | undefined;
  /** The profile used, if any. */
  profile: { name: string; file: string } | undefined;
  /** Whether gRPC may go through a proxy (grpc_proxy / https_proxy / http_proxy are set). */
  proxied: boolean;
}

/** The temporal CLI's default config file: `<user config dir>/temporalio/temporal.toml` (as envconfig finds it). */
export function defaultConfigFile(env: Env, platform: NodeJS.Platform = os.platform()): string | null {
  let dir: string | undefined;
  if (platform === 'win32') dir = env.APPDATA;
  else if (platform === 'darwin') dir = env.HOME && path.join(env.HOME, 'Library', 'Application Support');
  else {
    const xdg = env.XDG_CONFIG_HOME;
    dir = xdg ? (path.isAbsolute(xdg) ? xdg : undefined) : env.HOME && path.join(env.HOME, '.config');
  }
  return dir ? path.join(dir, 'temporalio', 'temporal.toml') : null;
}

// What baton takes from a profile, checked so that `address = 7233` is an error, not a silent "7233".
const TlsTableSchema = z.looseObject({
  disabled: z.boolean().optional(),
  server_name: z.string().optional(),
  client_cert_path: z.string().optional(),
  client_cert_data: z.string().optional(),
  client_key_path: z.string().optional(),
  client_key_data: z.string().optional(),
  server_ca_cert_path: z.string().optional(),
  server_ca_cert_data: z.string().optional(),
});
const ProfileTableSchema = z.looseObject({
  address: z.string().min(1).optional(),
  namespace: z.string().min(1).optional(),
  api_key: z.string().min(1).optional(),
  tls: TlsTableSchema.optional(),
  grpc_meta: z.record(z.string(), z.string()).optional(),
});
const ConfigFileSchema = z.looseObject({ profile: z.record(z.string(), ProfileTableSchema).optional() });

interface ConfigFile {
  file: string;
  /** How baton found it, for messages. */
  via: string;
  text: string;
  profiles: string[];
}

/** Reads and checks the config file: TEMPORAL_CONFIG_FILE (must exist), else the default one (if present). */
function readConfigFile(env: Env): ConfigFile | null {
  const explicit = env.TEMPORAL_CONFIG_FILE;
  const file = explicit || defaultConfigFile(env);
  if (!file) return null;
  const via = explicit ? `TEMPORAL_CONFIG_FILE=${file}` : `the Temporal config file ${file}`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !explicit) return null;
    const why = code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new ConfigError(`cannot read ${via}: ${why}`);
  }
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch (err) {
    const where = err instanceof TomlError ? ` at line ${err.line}, column ${err.column}` : '';
    const message = (err as Error).message.split('\n')[0]?.replace(/^Invalid TOML document: /, '');
    throw new ConfigError(
      `cannot parse ${via}${where}: ${message} (it must be TOML, as \`temporal config\` writes it)`,
    );
  }
  const checked = ConfigFileSchema.safeParse(parsed);
  if (!checked.success) {
    const lines = checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`bad ${via}: ${lines.join('; ')}`);
  }
  return { file, via, text, profiles: Object.keys(checked.data.profile ?? {}) };
}

const TLS_FILES = {
  cert: {
    baton: 'TEMPORAL_TLS_CERT',
    temporal: 'TEMPORAL_TLS_CLIENT_CERT',
    key: 'client_cert',
    what: 'TLS client certificate',
  },
  key: { baton: 'TEMPORAL_TLS_KEY', temporal: 'TEMPORAL_TLS_CLIENT_KEY', key: 'client_key', what: 'TLS client key' },
  ca: {
    baton: 'TEMPORAL_TLS_CA',
    temporal: 'TEMPORAL_TLS_SERVER_CA_CERT',
    key: 'server_ca_cert',
    what: 'TLS CA certificate',
  },
} as const;
type TlsFile = keyof typeof TLS_FILES;

// Set means not empty; envconfig checks the rest.
const TemporalEnvSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).optional(),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS_CERT: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS_CA: z.string().min(1).optional(),
  TEMPORAL_PROFILE: z.string().min(1).optional(),
  TEMPORAL_CONFIG_FILE: z.string().min(1).optional(),
});

export function loadTemporalSettings(env: Env): TemporalSettings {
  parseEnv(TemporalEnvSchema, env);
  const config = readConfigFile(env);
  const named = env.TEMPORAL_PROFILE;
  const name = named || 'default';
  if (named && !config) {
    const fallback = defaultConfigFile(env);
    throw new ConfigError(
      `TEMPORAL_PROFILE=${named} names a profile, but there is no Temporal config file: set TEMPORAL_CONFIG_FILE` +
        (fallback
          ? `, or create ${fallback} (\`temporal config set --profile ${named} --prop address --value …\`)`
          : ''),
    );
  }
  if (named && config && !config.profiles.includes(named)) {
    const known = config.profiles.length > 0 ? `its profiles: ${config.profiles.join(', ')}` : 'it has no profiles';
    throw new ConfigError(`TEMPORAL_PROFILE=${named}: no profile "${named}" in ${config.via} (${known})`);
  }
  const fromProfile = config?.profiles.includes(name) ? `profile "${name}" in ${config.file}` : undefined;

  // Temporal's rules: the profile, then TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*,
  // TEMPORAL_GRPC_META_* over it.
  const vars = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  let profile;
  try {
    profile = loadClientConfigProfile({
      profile: name,
      // Only a profile that exists: envconfig fails on a file without one (an empty file, say).
      configSource: fromProfile ? { data: config!.text } : undefined,
      disableFile: !fromProfile,
      overrideEnvVars: vars,
    });
  } catch (err) {
    // e.g. "Cannot specify both client_cert_path and client_cert_data"
    throw new ConfigError(`${fromProfile ?? 'TEMPORAL_TLS_* variables'}: ${(err as Error).message}`);
  }

  // baton's own names for the TLS files (DESIGN.md §6) are explicit variables too: they win over the profile.
  const tlsFiles: Partial<Record<TlsFile, { source: ConfigDataSource; from: string; explicit: boolean }>> = {};
  const profileTls = profile.tls ?? {};
  const sources = { cert: profileTls.clientCert, key: profileTls.clientKey, ca: profileTls.serverCACert };
  for (const kind of Object.keys(TLS_FILES) as TlsFile[]) {
    const names = TLS_FILES[kind];
    const batonPath = env[names.baton];
    const temporalPath = env[`${names.temporal}_PATH`];
    if (batonPath && temporalPath && batonPath !== temporalPath) {
      throw new ConfigError(`${names.baton} and ${names.temporal}_PATH name different files: set one of them`);
    }
    const variable =
      (batonPath && names.baton) ||
      (temporalPath && `${names.temporal}_PATH`) ||
      (env[`${names.temporal}_DATA`] && `${names.temporal}_DATA`);
    const from =
      variable ||
      (fromProfile &&
        `tls.${names.key}_${sources[kind] && 'data' in sources[kind] ? 'data' : 'path'} of ${fromProfile}`) ||
      names.baton;
    const source: ConfigDataSource | undefined = batonPath ? { path: batonPath } : sources[kind];
    if (source) tlsFiles[kind] = { source, from, explicit: Boolean(variable) };
  }
  const tlsTurnedOn = Boolean(profile.tls) || Object.keys(tlsFiles).length > 0;
  const disabled = profile.tls?.disabled === true;
  const disabledBy =
    env.TEMPORAL_TLS !== undefined ? `TEMPORAL_TLS=${env.TEMPORAL_TLS}` : `tls.disabled of ${fromProfile}`;
  if (disabled && env.TEMPORAL_TLS !== undefined) {
    // TEMPORAL_TLS=false overrides the profile: its TLS files go unused.
    for (const kind of Object.keys(tlsFiles) as TlsFile[]) if (!tlsFiles[kind]!.explicit) delete tlsFiles[kind];
  }

  if (Boolean(tlsFiles.cert) !== Boolean(tlsFiles.key)) {
    const [has, lacks] = tlsFiles.cert ? (['cert', 'key'] as const) : (['key', 'cert'] as const);
    throw new ConfigError(
      `the ${TLS_FILES[has].what} comes from ${tlsFiles[has]!.from} but there is no ${TLS_FILES[lacks].what}: ` +
        `mTLS needs both (set ${TLS_FILES[lacks].baton}${fromProfile ? `, or tls.${TLS_FILES[lacks].key}_path in the profile` : ''})`,
    );
  }
  if (disabled && profile.apiKey) {
    const keyFrom = env.TEMPORAL_API_KEY ? 'TEMPORAL_API_KEY' : `api_key of ${fromProfile}`;
    throw new ConfigError(
      `an API key is set (${keyFrom}) but TLS is disabled (${disabledBy}): the key would travel in clear text. ` +
        'Turn TLS on (Temporal Cloud requires it) or remove the key',
    );
  }
  if (disabled && Object.keys(tlsFiles).length > 0) {
    const given = Object.values(tlsFiles).map((f) => f.from);
    throw new ConfigError(`TLS is disabled (${disabledBy}) but TLS files are given (${given.join(', ')}): choose one`);
  }

  const read = (kind: TlsFile): Buffer | undefined => {
    const entry = tlsFiles[kind];
    if (!entry) return undefined;
    if ('data' in entry.source) return Buffer.from(entry.source.data);
    try {
      return readFileSync(entry.source.path);
    } catch (err) {
      throw new ConfigError(
        `cannot read the ${TLS_FILES[kind].what} ${entry.source.path} (from ${entry.from}): ${(err as Error).message}`,
      );
    }
  };
  let tls: TemporalSettings['tls'];
  if (disabled) tls = false;
  else if (tlsTurnedOn) {
    const crt = read('cert');
    const key = read('key');
    tls = {
      serverNameOverride: profile.tls?.serverName,
      serverRootCACertificate: read('ca'),
      clientCertPair: crt && key ? { crt, key } : undefined,
    };
  } else tls = profile.apiKey ? true : undefined; // an API key needs TLS: with the system's CAs

  return {
    address: profile.address,
    namespace: profile.namespace ?? 'default',
    apiKey: profile.apiKey,
    tls,
    metadata: profile.grpcMeta && Object.keys(profile.grpcMeta).length > 0 ? profile.grpcMeta : undefined,
    addressFrom: env.TEMPORAL_ADDRESS ? 'TEMPORAL_ADDRESS' : profile.address ? fromProfile : undefined,
    profile: fromProfile && config ? { name, file: config.file } : undefined,
    proxied: ['grpc_proxy', 'https_proxy', 'http_proxy'].some((v) => env[v] || env[v.toUpperCase()]),
  };
}
