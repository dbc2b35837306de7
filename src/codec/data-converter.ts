// The data converter every client and worker of one deployment must share: with a key ring, payloads
// are encrypted on the way to Temporal and decrypted on the way back.
import type { DataConverter } from '@temporalio/common';
import { AesGcmCodec } from './aes-gcm-codec.js';
import type { KeyRing } from './keys.js';

/** Undefined (Temporal's default) when encryption is off. */
export function batonDataConverter(keys: KeyRing | undefined): DataConverter | undefined {
  return keys ? { payloadCodecs: [new AesGcmCodec(keys)] } : undefined;
}
