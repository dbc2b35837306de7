// Large payloads are compressed by the data converter every baton process shares; small ones stay readable.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { isEncrypted } from '../../src/codec/aes-gcm-codec.js';
import { batonDataConverter, chainCodecs } from '../../src/codec/data-converter.js';
import { loadEncryptionConfig } from '../../src/config/encryption.js';
import { COMPRESS_ABOVE_BYTES, InflateLimitError, isCompressed, ZlibCodec } from '../../src/codec/zlib-codec.js';
import { zlibBomb } from '../helpers/zlib-bomb.js';

const codec = new ZlibCodec();
const payloadOf = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
/** A status-like value of about `bytes` of JSON. */
const bigStatus = (bytes: number) => ({
  tasks: Array.from({ length: Math.ceil(bytes / 120) }, (_, i) => ({
    id: `task-${i}`,
    state: 'succeeded',
    attempts: 1,
  })),
});

void test('a payload over the threshold is deflated whole and inflates to the same payload; small ones pass as they are', async () => {
  const small = payloadOf({ hello: 'world' });
  const large = payloadOf(bigStatus(4 * COMPRESS_ABOVE_BYTES));
  const [smallOut, largeOut] = await codec.encode([small, large]);
  assert.equal(smallOut, small, 'a small payload is not touched');
  assert.ok(isCompressed(largeOut!));
  assert.ok(largeOut!.data!.length * 10 < large.data!.length, `${largeOut!.data!.length} of ${large.data!.length}`);
  const [back] = await codec.decode([largeOut!]);
  assert.deepEqual(defaultPayloadConverter.fromPayload(back!), bigStatus(4 * COMPRESS_ABOVE_BYTES));
  const text = (p: Payload) => Object.entries(p.metadata ?? {}).map(([k, v]) => `${k}=${Buffer.from(v).toString()}`);
  assert.deepEqual(text(back!), text(large), 'the metadata (its encoding) comes back too');
});

void test('a large payload that does not compress (random bytes) is left as it is', async () => {
  const noise = payloadOf(new Uint8Array(randomBytes(2 * COMPRESS_ABOVE_BYTES)));
  const [out] = await codec.encode([noise]);
  assert.equal(out, noise);
});

void test('with a key, a large payload is compressed and then encrypted, and the chain decodes it back', async () => {
  const { keys } = loadEncryptionConfig({ BATON_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
  const chain = chainCodecs(batonDataConverter(keys).payloadCodecs ?? []);
  const large = payloadOf(bigStatus(4 * COMPRESS_ABOVE_BYTES));
  const [sealed] = await chain.encode([large]);
  assert.ok(isEncrypted(sealed!));
  assert.ok(sealed!.data!.length * 10 < large.data!.length, 'ciphertext of the compressed payload');
  const [back] = await chain.decode([sealed!]);
  assert.deepEqual(defaultPayloadConverter.fromPayload(back!), bigStatus(4 * COMPRESS_ABOVE_BYTES));
});

void test('a payload labelled binary/zlib that is not deflate data is refused, naming the encoding', async () => {
  const bogus: Payload = {
    metadata: { encoding: new TextEncoder().encode('binary/zlib') },
    data: new Uint8Array([1, 2, 3]),
  };
  await assert.rejects(codec.decode([bogus]), /binary\/zlib payload does not inflate/);
});

void test('a zlib bomb is refused once it passes the limit, without inflating it whole; within the limit it inflates', async () => {
  const labelled = (data: Buffer): Payload => ({
    metadata: { encoding: new TextEncoder().encode('binary/zlib') },
    data: new Uint8Array(data),
  });
  // 64 MiB of zeros is no Payload message, so a bomb within the limit inflates and then fails to parse.
  const bomb = zlibBomb(1400);
  assert.ok(bomb.length < 1.5 * 1024 * 1024, `the bomb is ${bomb.length} bytes`);
  const before = process.memoryUsage().rss;
  await assert.rejects(codec.decode([labelled(bomb)]), (err: Error) => {
    assert.ok(err instanceof InflateLimitError, String(err));
    assert.match(err.message, /binary\/zlib data would inflate past 64 MB/);
    return true;
  });
  const grown = process.memoryUsage().rss - before;
  assert.ok(grown < 400 * 1024 * 1024, `inflating grew memory by ${grown >> 20} MB`);
  // The same bomb under a smaller limit, and a small one under the limit: the limit is what decides.
  await assert.rejects(new ZlibCodec(1024 * 1024).decode([labelled(zlibBomb(2))]), InflateLimitError);
  await assert.rejects(new ZlibCodec(4 * 1024 * 1024).decode([labelled(zlibBomb(2))]), /does not inflate/);
});

void test('the limit holds for all the payloads of one decode together', async () => {
  const large = payloadOf(bigStatus(4 * COMPRESS_ABOVE_BYTES));
  const [packed] = await codec.encode([large]);
  const size = (await codec.decode([packed!]))[0]!.data!.length;
  const limited = new ZlibCodec(size * 3);
  assert.equal((await limited.decode([packed!, packed!])).length, 2);
  await assert.rejects(limited.decode([packed!, packed!, packed!, packed!]), InflateLimitError);
});
