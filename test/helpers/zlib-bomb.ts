// A "zlib bomb": a small, valid zlib stream of zeros that inflates about a thousandfold. Built from one deflated
// mebibyte repeated (each copy ends on a full flush, so copies do not refer to each other), then a final block and
// the right Adler-32, in milliseconds instead of deflating a gigabyte.
import { constants, deflateRawSync } from 'node:zlib';

const MiB = 1024 * 1024;

/** A zlib stream of `mebibytes` MiB of zeros. */
export function zlibBomb(mebibytes: number): Buffer {
  const block = deflateRawSync(Buffer.alloc(MiB), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const last = deflateRawSync(Buffer.alloc(0)); // an empty final block
  const length = mebibytes * MiB;
  // Adler-32 of zeros: a stays 1, b adds a (1) per byte.
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE((((length % 65521) << 16) | 1) >>> 0);
  return Buffer.concat([Buffer.from([0x78, 0xda]), ...Array<Buffer>(mebibytes).fill(block), last, adler]);
}
