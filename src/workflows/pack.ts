// Packing the scheduler state carried over continue-as-new: deflated JSON in base64. A plan of
// thousands of tasks carries megabytes of JSON, over Temporal's 2 MB payload limit; its repetitive
// JSON deflates well. Pure JS (fflate), so it runs in the workflow sandbox. Every run on a worker shares this
// module and fflate (SHARED_WORKFLOW_MODULES, src/workers/workflow-code.ts): it holds nothing of one run.
import { deflateSync, inflateSync, strFromU8, strToU8 } from 'fflate';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Map([...ALPHABET].map((c, i) => [c, i]));

export function pack(value: unknown): string {
  return toBase64(deflateSync(strToU8(JSON.stringify(value)), { level: 6 }));
}

export function unpack<T>(packed: string): T {
  return JSON.parse(strFromU8(inflateSync(fromBase64(packed)))) as T;
}

function toBase64(bytes: Uint8Array): string {
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out.push(
      ALPHABET[(n >> 18) & 63]!,
      ALPHABET[(n >> 12) & 63]!,
      b === undefined ? '=' : ALPHABET[(n >> 6) & 63]!,
      c === undefined ? '=' : ALPHABET[n & 63]!,
    );
  }
  return out.join('');
}

function fromBase64(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '');
  const bytes = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let j = 0;
  for (let i = 0; i < clean.length; i += 4) {
    const n =
      (LOOKUP.get(clean[i]!)! << 18) |
      ((LOOKUP.get(clean[i + 1] ?? 'A') ?? 0) << 12) |
      ((LOOKUP.get(clean[i + 2] ?? 'A') ?? 0) << 6) |
      (LOOKUP.get(clean[i + 3] ?? 'A') ?? 0);
    if (j < bytes.length) bytes[j++] = (n >> 16) & 255;
    if (j < bytes.length) bytes[j++] = (n >> 8) & 255;
    if (j < bytes.length) bytes[j++] = n & 255;
  }
  return bytes;
}
