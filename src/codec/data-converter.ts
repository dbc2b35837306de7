// The data converter every client and worker of one deployment must share: with a key ring, payloads
// are encrypted on the way to Temporal and decrypted on the way back. Without one, encrypted payloads
// are refused with a message that says which key to set (rather than Temporal's "Unknown encoding").
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { ValueError } from '@temporalio/common';
import { AesGcmCodec, isEncrypted, METADATA_KEY_ID } from './aes-gcm-codec.js';
import type { KeyRing } from './keys.js';

export function batonDataConverter(keys: KeyRing | undefined): DataConverter {
  return { payloadCodecs: [keys ? new AesGcmCodec(keys) : new NoKeyCodec()] };
}

/** Encryption off: payloads go out as they are; an encrypted one coming back is a configuration error. */
class NoKeyCodec implements PayloadCodec {
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads;
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    const sealed = payloads.find(isEncrypted);
    if (sealed) {
      const id = Buffer.from(sealed.metadata?.[METADATA_KEY_ID] ?? new Uint8Array()).toString('utf8');
      throw new ValueError(
        `this run's data is encrypted (key "${id}"), and this process has no keys: set BATON_ENCRYPTION_KEY or BATON_ENCRYPTION_KEYS as the workers have them`,
      );
    }
    return payloads;
  }
}
