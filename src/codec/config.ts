// Encryption settings from the environment, parsed with the rest of baton's configuration (src/client/config.ts).
import { z } from 'zod';
import { ConfigError } from '../client/config.js';
import { KeyRingError, parseKeyRing, type KeyRing } from './keys.js';

// An empty variable counts as unset: Compose passes `NAME:` through as empty when the shell lacks it.
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

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

export function loadEncryptionConfig(env: NodeJS.ProcessEnv): EncryptionConfig {
  const parsed = EncryptionEnvSchema.safeParse(env);
  if (!parsed.success) {
    // Messages name the variable and the rule, never the value (it may be a key).
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`bad environment: ${lines.join('; ')}`);
  }
  const e = parsed.data;
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
