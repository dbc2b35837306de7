// Payload encryption (AES-256-GCM): prompts, results and heartbeats can hold secrets, and Temporal's
// history keeps them. Each payload is serialized whole (metadata included) and sealed; the envelope says
// only `binary/encrypted` and which key sealed it.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { ValueError } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { KeyRing } from './keys.js';

const ProtoPayload = proto.temporal.api.common.v1.Payload;

export const ENCODING_ENCRYPTED = 'binary/encrypted';
export const METADATA_ENCODING = 'encoding';
export const METADATA_KEY_ID = 'encryption-key-id';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export class AesGcmCodec implements PayloadCodec {
  constructor(private readonly keys: KeyRing) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (isEncrypted(payload) ? this.decrypt(payload) : payload));
  }

  private encrypt(payload: Payload): Payload {
    const { id, key } = this.keys.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    // The key id is authenticated too: an envelope cannot be relabelled to another key.
    cipher.setAAD(utf8.encode(id));
    const plain = ProtoPayload.encode(payload).finish();
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { [METADATA_ENCODING]: utf8.encode(ENCODING_ENCRYPTED), [METADATA_KEY_ID]: utf8.encode(id) },
      data: new Uint8Array(sealed),
    };
  }

  private decrypt(payload: Payload): Payload {
    const idBytes = payload.metadata?.[METADATA_KEY_ID];
    if (!idBytes) throw new ValueError(`an encrypted payload has no ${METADATA_KEY_ID} in its metadata`);
    const id = fromUtf8.decode(idBytes);
    const entry = this.keys.byId.get(id);
    if (!entry) {
      throw new ValueError(
        `a payload is encrypted with key "${id}", which is not among this process's keys (${[...this.keys.byId.keys()].join(', ')}); add it to BATON_ENCRYPTION_KEYS`,
      );
    }
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) throw new ValueError(`an encrypted payload is too short to be one`);
    const decipher = createDecipheriv(ALGORITHM, entry.key, data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(idBytes);
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new ValueError(`a payload encrypted with key "${id}" does not authenticate: wrong key, or altered`);
    }
    return ProtoPayload.decode(plain) as Payload;
  }
}

export function isEncrypted(payload: Payload): boolean {
  const encoding = payload.metadata?.[METADATA_ENCODING];
  return encoding !== undefined && fromUtf8.decode(encoding) === ENCODING_ENCRYPTED;
}
