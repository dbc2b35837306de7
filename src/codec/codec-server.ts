// A codec server (Temporal's remote codec protocol): the Web UI and the `temporal` CLI post encrypted
// payloads to /decode and get them back readable, so people allowed to call it see prompts and results
// while Temporal's history stays ciphertext. POST /encode does the reverse (for the UI's "Send a Signal").
// Whoever reaches it can decrypt, so: beyond loopback it needs its token, it answers only to Host names that a
// DNS-rebinding page cannot use (./host-check.ts), and what it inflates is bounded (./zlib-codec.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { ValueError, type PayloadCodec } from '@temporalio/common';
import { BadInputError } from '../client/errors.js';
import { hostAllowed, isLoopbackHost } from './host-check.js';
import { payloadsFromJson, payloadsToJson, PayloadsJsonSchema } from './payload-json.js';
import { InflateLimitError } from './zlib-codec.js';

export interface CodecServerOptions {
  codec: PayloadCodec;
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** Origins allowed to call from a browser (the Web UI's, e.g. http://localhost:8080); `*` allows any. */
  corsOrigins?: string[];
  /** When set, requests must carry `Authorization: Bearer <token>`. Required when `host` is not loopback. */
  authToken?: string;
  /** Names besides loopback ones and `host` that the Host header may give (how browsers reach it, e.g. behind a proxy). */
  allowedHosts?: string[];
  /** Called for each request that fails (never with payload contents). */
  onError?: (message: string) => void;
}

export interface CodecServer {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;

export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host) && options.authToken === undefined) {
    throw new BadInputError(
      `the codec server would listen on ${host}, beyond loopback, without a token: anyone who reaches it could decrypt. ` +
        'Set BATON_CODEC_AUTH_TOKEN (16 characters or more; callers send Authorization: Bearer <token>), or listen on 127.0.0.1',
    );
  }
  const server: Server = createServer((req, res) => {
    handle(options, req, res).catch((err: unknown) => {
      options.onError?.(`${req.method} ${req.url}: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) reply(res, 500, { message: 'the codec failed; see the codec server log' });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

async function handle(options: CodecServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // Before anything else, CORS included: a page whose name was rebound to this address must learn nothing.
  if (!hostAllowed(req.headers.host, [options.host ?? '127.0.0.1', ...(options.allowedHosts ?? [])])) {
    reply(res, 403, {
      message: `Host ${JSON.stringify(req.headers.host ?? '')} is not a name this codec server answers to (loopback names, IP addresses, --host, --allow-host)`,
    });
    return;
  }
  cors(options, req, res);
  if (req.method === 'OPTIONS') {
    res.writeHead(204).end();
    return;
  }
  const path = new URL(req.url ?? '/', 'http://codec').pathname;
  if (req.method === 'GET' && (path === '/' || path === '/healthz')) {
    reply(res, 200, { ok: true });
    return;
  }
  // The UI and the CLI post to <endpoint>/encode and <endpoint>/decode; some set-ups put the namespace before it.
  const operation = path.endsWith('/decode') ? 'decode' : path.endsWith('/encode') ? 'encode' : undefined;
  if (!operation) {
    reply(res, 404, { message: 'POST /decode or /encode' });
    return;
  }
  if (req.method !== 'POST') {
    reply(res, 405, { message: `${operation} takes POST` });
    return;
  }
  if (options.authToken !== undefined && !authorized(req.headers.authorization, options.authToken)) {
    reply(res, 401, { message: 'missing or wrong Authorization: Bearer token' });
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(await readBody(req));
  } catch (err) {
    reply(res, 400, { message: `the body is not JSON: ${(err as Error).message}` });
    return;
  }
  const parsed = PayloadsJsonSchema.safeParse(body);
  if (!parsed.success) {
    reply(res, 400, { message: 'the body must be {"payloads": [{"metadata": {…}, "data": "…"}]}' });
    return;
  }
  const payloads = payloadsFromJson(parsed.data);
  let result;
  try {
    result = operation === 'decode' ? await options.codec.decode(payloads) : await options.codec.encode(payloads);
  } catch (err) {
    // The payloads, not the server, are at fault: a bomb, a payload that does not decrypt or inflate.
    if (err instanceof InflateLimitError) return reply(res, 413, { message: err.message });
    if (err instanceof ValueError) return reply(res, 400, { message: err.message });
    throw err;
  }
  reply(res, 200, payloadsToJson(result));
}

function cors(options: CodecServerOptions, req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  const allowed = options.corsOrigins ?? [];
  if (!origin || !(allowed.includes('*') || allowed.includes(origin))) return;
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Allow-Credentials', 'true');
  res.setHeader('Access-Control-Allow-Methods', 'POST, GET, OPTIONS');
  res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
  res.setHeader('Access-Control-Max-Age', '600');
}

function authorized(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`the body is over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}
