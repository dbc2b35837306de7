// The data converter every client and worker of one deployment must share: large payloads are compressed
// (./zlib-codec.ts); with a key ring, payloads are encrypted on the way to Temporal and decrypted on the way
// back, and so are failure messages and stack traces (./failure-converter.cts). Without one, encrypted
// payloads are refused with a message that says which key to set (rather than Temporal's "Unknown encoding").
import { fileURLToPath } from 'node:url';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { ValueError } from '@temporalio/common';
import { AesGcmCodec, isEncrypted, METADATA_KEY_ID } from './aes-gcm-codec.js';
import type { KeyRing } from './keys.js';
import { ZlibCodec } from './zlib-codec.js';

/** The failure converter that hands messages and stack traces to the codec (compiled from failure-converter.cts). */
export const ENCODED_FAILURES_CONVERTER_PATH = fileURLToPath(new URL('./failure-converter.cjs', import.meta.url));

export function batonDataConverter(keys: KeyRing | undefined): DataConverter {
  // Encoding runs first to last: compressed before encrypted (ciphertext does not compress).
  if (!keys) return { payloadCodecs: [new ZlibCodec(), new NoKeyCodec()] };
  return {
    payloadCodecs: [new ZlibCodec(), new AesGcmCodec(keys)],
    failureConverterPath: ENCODED_FAILURES_CONVERTER_PATH,
  };
}

/** A data converter's codecs as one (for the codec server): encode first to last, decode last to first. */
export function chainCodecs(codecs: PayloadCodec[]): PayloadCodec {
  return {
    async encode(payloads) {
      for (const codec of codecs) payloads = await codec.encode(payloads);
      return payloads;
    },
    async decode(payloads) {
      for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
      return payloads;
    },
  };
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
