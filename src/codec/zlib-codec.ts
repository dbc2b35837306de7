// Compression of large payloads: the status of a run of thousands of tasks, a plan of thousands of tasks, the
// state carried over continue-as-new. Megabytes of JSON would pass Temporal's payload limits (2 MB a
// payload, 4 MB a gRPC message); deflated they are far smaller. It runs in the codec chain, outside the
// workflow sandbox, in native zlib (deflate in the sandbox's JavaScript was slow: docs/BENCHMARKS.md).
// Same envelope as the Go SDK's ZlibCodec: the whole payload, serialized, deflated, labelled `binary/zlib`.
// Inflating is bounded: a few KB of deflate data can expand a thousandfold (a "zlib bomb"), and the codec server
// inflates what anyone who reaches it sends.
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
/**
 * The most one decode may inflate, all its payloads together. Temporal refuses messages over 4 MB, and what baton
 * compresses (statuses, plans) deflates about tenfold, so a real payload stays far below it.
 */
export const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

/**
 * A decode would inflate past the limit: the payload is refused, not inflated. Not a ValueError: the SDK's errors
 * answer `instanceof` by a symbol their subclasses share, and this one must be told apart.
 */
export class InflateLimitError extends Error {
  override name = 'InflateLimitError';
  constructor(readonly limitBytes: number) {
    super(
      `${ENCODING_ZLIB} data would inflate past ${limitBytes / (1024 * 1024)} MB (one payload, or all of one call's); refused`,
    );
  }
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export class ZlibCodec implements PayloadCodec {
  constructor(private readonly maxInflatedBytes: number = MAX_INFLATED_BYTES) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return await Promise.all(payloads.map((payload) => compress(payload)));
  }

  /** One payload after another, so that the limit holds for the whole call, not for each payload. */
  async decode(payloads: Payload[]): Promise<Payload[]> {
    let budget = this.maxInflatedBytes;
    const decoded: Payload[] = [];
    for (const payload of payloads) {
      if (!isCompressed(payload)) {
        decoded.push(payload);
        continue;
      }
      const { payload: plain, bytes } = await expand(payload, budget, this.maxInflatedBytes);
      budget -= bytes;
      decoded.push(plain);
    }
    return decoded;
  }
}

async function compress(payload: Payload): Promise<Payload> {
  if ((payload.data?.length ?? 0) <= COMPRESS_ABOVE_BYTES) return payload;
  const plain = ProtoPayload.encode(payload).finish();
  const packed = await deflateAsync(plain);
  if (packed.length >= plain.length) return payload; // already dense (encrypted, or packed before)
  return { metadata: { encoding: utf8.encode(ENCODING_ZLIB) }, data: new Uint8Array(packed) };
}

async function expand(payload: Payload, budget: number, limit: number): Promise<{ payload: Payload; bytes: number }> {
  let plain: Buffer;
  try {
    // zlib stops as soon as its output passes maxOutputLength: the bomb is never inflated whole.
    plain = await inflateAsync(payload.data ?? new Uint8Array(), { maxOutputLength: Math.max(1, budget) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new InflateLimitError(limit);
    throw new ValueError(`a ${ENCODING_ZLIB} payload does not inflate: ${(err as Error).message}`);
  }
  try {
    return { payload: ProtoPayload.decode(plain) as Payload, bytes: plain.length };
  } catch (err) {
    throw new ValueError(`a ${ENCODING_ZLIB} payload does not inflate: ${(err as Error).message}`);
  }
}

export function isCompressed(payload: Payload): boolean {
  const encoding = payload.metadata?.encoding;
  return encoding !== undefined && fromUtf8.decode(encoding) === ENCODING_ZLIB;
}
