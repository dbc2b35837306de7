// The encryption keys of payloads (docs/DEPLOY.md, "Encryption"): BATON_ENCRYPTION_KEY (one key, id
// "default") or BATON_ENCRYPTION_KEYS (`id:base64,…`, the first encrypts, every one decrypts, for rotation).

export interface EncryptionKey {
  /** Written into each payload's metadata (`encryption-key-id`), so a reader knows which key to use. */
  id: string;
  /** 32 bytes: AES-256. */
  key: Buffer;
}

export interface KeyRing {
  /** The key new payloads are encrypted with. */
  current: EncryptionKey;
  /** Every key payloads may be decrypted with, by id (the current one included). */
  byId: ReadonlyMap<string, EncryptionKey>;
}

export class KeyRingError extends Error {
  override name = 'KeyRingError';
}

/** The id BATON_ENCRYPTION_KEY's single key gets; name it in BATON_ENCRYPTION_KEYS to keep reading old runs. */
export const SINGLE_KEY_ID = 'default';

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The key ring of the environment, or undefined when encryption is off (neither variable set). */
export function parseKeyRing(vars: { key?: string; keys?: string }): KeyRing | undefined {
  if (vars.key !== undefined && vars.keys !== undefined) {
    throw new KeyRingError(
      `BATON_ENCRYPTION_KEY and BATON_ENCRYPTION_KEYS are both set: use one (to rotate, move the old key into BATON_ENCRYPTION_KEYS as "${SINGLE_KEY_ID}:<base64>" after the new one)`,
    );
  }
  if (vars.key !== undefined) {
    const key = { id: SINGLE_KEY_ID, key: decodeKey(vars.key, 'BATON_ENCRYPTION_KEY') };
    return { current: key, byId: new Map([[key.id, key]]) };
  }
  if (vars.keys === undefined) return undefined;
  const entries = vars.keys
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0)
    throw new KeyRingError('BATON_ENCRYPTION_KEYS is empty: give "id:base64key[,id2:base64key2…]"');
  const byId = new Map<string, EncryptionKey>();
  for (const [index, entry] of entries.entries()) {
    const colon = entry.indexOf(':');
    if (colon < 0) {
      // The entry is likely a bare key: never echo it.
      throw new KeyRingError(`BATON_ENCRYPTION_KEYS: entry ${index + 1} has no key id: write "id:base64key"`);
    }
    const id = entry.slice(0, colon);
    if (!KEY_ID.test(id)) {
      throw new KeyRingError(`BATON_ENCRYPTION_KEYS: key id "${id}" must be 1–64 letters, digits, ".", "_" or "-"`);
    }
    if (byId.has(id)) throw new KeyRingError(`BATON_ENCRYPTION_KEYS: key id "${id}" appears twice`);
    byId.set(id, { id, key: decodeKey(entry.slice(colon + 1), `BATON_ENCRYPTION_KEYS (key "${id}")`) });
  }
  const [current] = byId.values();
  return { current: current!, byId };
}

function decodeKey(text: string, where: string): Buffer {
  const trimmed = text.trim();
  if (!BASE64.test(trimmed)) {
    throw new KeyRingError(`${where} is not base64; make a key with \`openssl rand -base64 32\``);
  }
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new KeyRingError(
      `${where} decodes to ${key.length} bytes; AES-256 needs 32 (make one with \`openssl rand -base64 32\`)`,
    );
  }
  return key;
}
