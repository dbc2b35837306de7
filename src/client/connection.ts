// One place that connects to Temporal (DESIGN.md §1): the CLI, the worker, the MCP server
// and library users all come through here.
import net from 'node:net';
import { Client, Connection } from '@temporalio/client';
import type { NativeConnection, NativeConnectionOptions } from '@temporalio/worker';
import { batonDataConverter } from '../codec/data-converter.js';
import { startTracing } from '../tracing/tracing.js';
import type { Config } from '../config/index.js';
import { TemporalUnavailableError } from './errors.js';
import type { Target } from './target.js';

// Where Temporal is, and links into its UI, need no SDK (`baton status` may answer from a snapshot without one).
export { resolveTarget, runUrl, type Target } from './target.js';

const CONNECT_TIMEOUT_MS = 10_000;

function unreachable(target: Target, err: unknown): TemporalUnavailableError {
  const reason = err instanceof Error ? err.message : String(err);
  const hint = target.embedded
    ? ''
    : target.addressFrom && target.addressFrom !== 'TEMPORAL_ADDRESS'
      ? ` Check ${target.addressFrom} (TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE; TEMPORAL_* variables override it).`
      : ' Check TEMPORAL_ADDRESS (unset it to use the embedded dev server), TEMPORAL_NAMESPACE and credentials.';
  return new TemporalUnavailableError(`cannot reach Temporal at ${target.address}: ${reason}.${hint}`);
}

export interface Connected {
  client: Client;
  connection: Connection;
  target: Target;
  close(): Promise<void>;
}

/** `host:port` or `[v6]:port`; null for anything else (a URL, a `dns:///` target), which is not probed. */
function hostPort(address: string): { host: string; port: number } | null {
  const match = /^(?:\[([^\]]+)\]|([^:/[\]]+)):(\d{1,5})$/.exec(address);
  const host = match?.[1] ?? match?.[2];
  return host && match?.[3] ? { host, port: Number(match[3]) } : null;
}

/**
 * gRPC keeps retrying a refused or unresolvable address until its deadline (10 s); a plain TCP connect
 * says at once. Refused and unknown hosts fail here; anything else (a timeout, a proxy) is left to gRPC.
 */
async function probe(address: string, timeoutMs = 3_000): Promise<string | null> {
  const target = hostPort(address);
  if (!target) return null;
  return await new Promise<string | null>((resolve) => {
    const socket = net.connect(target);
    const done = (reason: string | null) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () => done(null));
    socket.once('connect', () => done(null));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') done('connection refused (nothing listens on that port)');
      else if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') done(`unknown host ${target.host}`);
      else done(null);
    });
  });
}

/** `warn` hears of problems that do not stop the command (spans that cannot be exported). */
export async function connectClient(
  config: Config,
  target: Target,
  warn: (message: string) => void = () => {},
): Promise<Connected> {
  // Through a proxy, a direct connection proves nothing.
  const refused = config.temporal.proxied ? null : await probe(target.address);
  if (refused) throw unreachable(target, new Error(refused));
  let connection: Connection;
  try {
    connection = await Connection.connect({
      address: target.address,
      tls: config.temporal.tls,
      apiKey: config.temporal.apiKey,
      metadata: config.temporal.metadata,
      connectTimeout: CONNECT_TIMEOUT_MS,
    });
    await connection.workflowService.getSystemInfo({});
  } catch (err) {
    if (err instanceof TemporalUnavailableError) throw err;
    throw unreachable(target, err);
  }
  // With tracing on, starting a run opens the root span of its trace (see src/tracing/tracing.ts).
  const tracing = await startTracing(config.tracing, 'client', { warn });
  // With BATON_ENCRYPTION_KEY[S], payloads are encrypted before they leave this process.
  const client = new Client({
    connection,
    namespace: target.namespace,
    dataConverter: batonDataConverter(config.encryption.keys),
    interceptors: { workflow: tracing?.clientInterceptors() ?? [] },
  });
  return {
    client,
    connection,
    target,
    async close() {
      await connection.close();
      await tracing?.shutdown();
    },
  };
}

export async function connectWorkerConnection(config: Config, target: Target): Promise<NativeConnection> {
  const options: NativeConnectionOptions = {
    address: target.address,
    tls: config.temporal.tls,
    apiKey: config.temporal.apiKey,
    metadata: config.temporal.metadata,
  };
  // Loaded here, not at the top: clients (baton status, start…) never need the worker's native runtime.
  const { NativeConnection: Native } = await import('@temporalio/worker');
  try {
    return await withTimeout(Native.connect(options), CONNECT_TIMEOUT_MS, 'connection timed out');
  } catch (err) {
    throw unreachable(target, err);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
