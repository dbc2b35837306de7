// The codec server as people run it, the built `baton codec-server` in its own process: beyond loopback it refuses
// to start without its token; it answers only Host names a DNS-rebinding page cannot use; and a 1.4 MB zlib bomb
// (1.4 GB inflated) gets a 413 while the server's peak memory (VmHWM, read from /proc) barely moves.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { ZlibCodec } from '../../src/codec/zlib-codec.js';
import { payloadsFromJson, payloadsToJson } from '../../src/codec/payload-json.js';
import {
  describeResult,
  freePort,
  isListening,
  sandbox,
  stopProcess,
  waitFor,
  type Env,
  type Sandbox,
} from '../helpers/cli.js';
import { zlibBomb } from '../helpers/zlib-bomb.js';

const TOKEN = 'codec-server-test-token-0123';
const MiB = 1024 * 1024;

let box: Sandbox;
before(async () => {
  box = await sandbox('codec-server');
});
after(async () => {
  await box.cleanup();
});

/** `baton codec-server --port <free> …args`, once it listens; stop() ends it. */
async function codecServer(args: string[], env: Env = {}) {
  const port = await freePort();
  const child = box.spawn(['codec-server', '--port', String(port), ...args], { env });
  await waitFor(`baton codec-server on port ${port}`, async () => {
    if (child.exitCode !== null) throw new Error(`codec-server exited: ${String((await child).all)}`);
    return (await isListening(port)) ? true : undefined;
  });
  return { port, pid: child.pid!, stop: () => stopProcess(child) };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { message?: string; payloads?: unknown[] };
}

/** A POST with exactly these headers (fetch would not let a test set Host). */
function post(port: number, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const data = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(data.length), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) as Answer['body'] });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** Peak resident memory of a process, in bytes. */
async function peakMemory(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
  assert.ok(kb, status);
  return Number(kb) * 1024;
}

const zlibPayload = (data: Buffer) =>
  payloadsToJson([{ metadata: { encoding: new TextEncoder().encode('binary/zlib') }, data: new Uint8Array(data) }]);

void test('beyond loopback it refuses to start without a token, naming BATON_CODEC_AUTH_TOKEN; with one it asks for it', async () => {
  const port = await freePort();
  const refused = await box.baton(['codec-server', '--host', '0.0.0.0', '--port', String(port)], {
    timeoutMs: 30_000,
  });
  assert.equal(refused.exitCode, 2, describeResult(refused));
  assert.match(refused.stderr, /beyond loopback, without a token.*BATON_CODEC_AUTH_TOKEN/s, describeResult(refused));
  assert.equal(await isListening(port), false, 'nothing listens');

  const server = await codecServer(['--host', '0.0.0.0'], { BATON_CODEC_AUTH_TOKEN: TOKEN });
  try {
    const anonymous = await post(server.port, '/decode', { payloads: [] });
    assert.equal(anonymous.status, 401, JSON.stringify(anonymous.body));
    const withToken = await post(server.port, '/decode', { payloads: [] }, { authorization: `Bearer ${TOKEN}` });
    assert.equal(withToken.status, 200, JSON.stringify(withToken.body));
  } finally {
    await server.stop();
  }
});

void test('a Host header naming another site is refused (403, no CORS headers); loopback names, IPs and --allow-host are answered', async () => {
  const server = await codecServer(['--allow-host', 'codec.internal'], {
    BATON_CODEC_CORS_ORIGINS: `http://evil.example:8888,http://localhost:8080`,
  });
  try {
    const rebound = await post(
      server.port,
      '/decode',
      { payloads: [] },
      { host: `evil.example:${server.port}`, origin: 'http://evil.example:8888' },
    );
    assert.equal(rebound.status, 403, JSON.stringify(rebound.body));
    assert.match(rebound.body.message ?? '', /Host "evil\.example:\d+" is not a name this codec server answers to/);
    assert.equal(rebound.headers['access-control-allow-origin'], undefined, 'a refused page learns nothing');
    for (const host of [
      `localhost:${server.port}`,
      `127.0.0.1:${server.port}`,
      'codec.internal',
      `[::1]:${server.port}`,
    ]) {
      const answer = await post(server.port, '/decode', { payloads: [] }, { host });
      assert.equal(answer.status, 200, `${host}: ${JSON.stringify(answer.body)}`);
    }
  } finally {
    await server.stop();
  }
});

void test("a 1.4 MB zlib bomb is refused with 413 while the server's peak memory stays small; it decodes on", async () => {
  const server = await codecServer([]);
  try {
    const bomb = zlibBomb(1400); // 1,400 MiB of zeros
    assert.ok(bomb.length < 1.5 * MiB, `${bomb.length} bytes`);
    const before = await peakMemory(server.pid);
    const answer = await post(server.port, '/decode', zlibPayload(bomb));
    const grown = (await peakMemory(server.pid)) - before;
    assert.equal(answer.status, 413, JSON.stringify(answer.body));
    assert.match(answer.body.message ?? '', /binary\/zlib data would inflate past 64 MB/);
    // Without the bound it inflated all 1.4 GB (and more for the copies); with it, 64 MB at most plus the request.
    assert.ok(grown < 200 * MiB, `peak memory grew by ${Math.round(grown / MiB)} MB`);

    // A real compressed payload still decodes, and a broken one is the caller's fault (400), not the server's.
    const value = { tasks: Array.from({ length: 2_000 }, (_, i) => ({ id: `t${i}`, state: 'succeeded' })) };
    const [packed] = await new ZlibCodec().encode([defaultPayloadConverter.toPayload(value)]);
    const decoded = await post(server.port, '/decode', payloadsToJson([packed!]));
    assert.equal(decoded.status, 200, JSON.stringify(decoded.body));
    const [plain] = payloadsFromJson(decoded.body as Parameters<typeof payloadsFromJson>[0]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(plain!), value);
    const broken = await post(server.port, '/decode', zlibPayload(Buffer.from('not deflate data')));
    assert.equal(broken.status, 400, JSON.stringify(broken.body));
    assert.match(broken.body.message ?? '', /does not inflate/);
  } finally {
    await server.stop();
  }
});
