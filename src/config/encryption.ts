// Payload encryption and the codec server (BATON_ENCRYPTION_KEY[S], BATON_CODEC_*), parsed with the rest of
// baton's configuration (./index.ts); the codec itself is src/codec.
import { z } from 'zod';
import { KeyRingError, parseKeyRing, type KeyRing } from '../codec/keys.js';
import { ConfigError, emptyAsUnset as optional, parseEnv, type Env } from './env.js';

const EncryptionEnvSchema = z.object({
  BATON_ENCRYPTION_KEY: optional(z.string()),
  BATON_ENCRYPTION_KEYS: optional(z.string()),
  BATON_CODEC_AUTH_TOKEN: optional(z.string().min(16, 'use at least 16 characters')),
  BATON_CODEC_CORS_ORIGINS: optional(z.string()),
});

export interface EncryptionConfig {
  /** Undefined: payloads are stored as they are (Temporal's default). */
  keys: KeyRing | undefined;
  codecServer: {
    /** Requests must carry `Authorization: Bearer <token>` when set. */
    authToken: string | undefined;
    /** Browser origins allowed to call the codec server (the Web UI's). */
    corsOrigins: string[];
  };
}

export function loadEncryptionConfig(env: Env): EncryptionConfig {
  const e = parseEnv(EncryptionEnvSchema, env);
  let keys: KeyRing | undefined;
  try {
    keys = parseKeyRing({ key: e.BATON_ENCRYPTION_KEY, keys: e.BATON_ENCRYPTION_KEYS });
  } catch (err) {
    if (err instanceof KeyRingError) throw new ConfigError(err.message);
    throw err;
  }
  return {
    keys,
    codecServer: {
      authToken: e.BATON_CODEC_AUTH_TOKEN,
      corsOrigins: (e.BATON_CODEC_CORS_ORIGINS ?? '')
        .split(',')
        .map((origin) => origin.trim().replace(/\/+$/, ''))
        .filter((origin) => origin !== ''),
    },
  };
}
