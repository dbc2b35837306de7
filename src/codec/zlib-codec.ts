// Compression of large payloads: the status of a run of thousands of tasks, a plan of thousands of tasks, the
// state carried over continue-as-new. Megabytes of JSON would pass Temporal's payload limits (2 MB a
// payload, 4 MB a gRPC message); deflated they are far smaller. It runs in the codec chain, outside the
// workflow sandbox, in native zlib (deflate in the sandbox's JavaScript was slow: docs/BENCHMARKS.md).
// Same envelope as the Go SDK's ZlibCodec: the whole payload, serialized, deflated, labelled `binary/zlib`.
import { promisify } from 'node:util';
import { deflate, inflate } from 'node:zlib';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { ValueError } from '@temporalio/common';
import proto from '@temporalio/proto';

const ProtoPayload = proto.temporal.api.common.v1.Payload;
const deflateAsync = promisify(deflate);
const inflateAsync = promisify(inflate);

export const ENCODING_ZLIB = 'binary/zlib';
/** Payloads up to this size stay as they are: readable in the Web UI without a codec server. */
export const COMPRESS_ABOVE_BYTES = 64 * 1024;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export class ZlibCodec implements PayloadCodec {
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return await Promise.all(payloads.map((payload) => compress(payload)));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return await Promise.all(payloads.map((payload) => (isCompressed(payload) ? expand(payload) : payload)));
  }
}

async function compress(payload: Payload): Promise<Payload> {
  if ((payload.data?.length ?? 0) <= COMPRESS_ABOVE_BYTES) return payload;
  const plain = ProtoPayload.encode(payload).finish();
  const packed = await deflateAsync(plain);
  if (packed.length >= plain.length) return payload; // already dense (encrypted, or packed before)
  return { metadata: { encoding: utf8.encode(ENCODING_ZLIB) }, data: new Uint8Array(packed) };
}

async function expand(payload: Payload): Promise<Payload> {
  try {
    return ProtoPayload.decode(await inflateAsync(payload.data ?? new Uint8Array())) as Payload;
  } catch (err) {
    throw new ValueError(`a ${ENCODING_ZLIB} payload does not inflate: ${(err as Error).message}`);
  }
}

export function isCompressed(payload: Payload): boolean {
  const encoding = payload.metadata?.encoding;
  return encoding !== undefined && fromUtf8.decode(encoding) === ENCODING_ZLIB;
}
