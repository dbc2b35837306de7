// The activity's end of an agent's baton tools (DESIGN §13). claude starts baton's in-run MCP server
// (src/run-mcp/main.ts) as its child, inside the agent's sandbox, with the environment of the agent (an allow-list:
// no Temporal credentials). That server reaches its run only through this: a unix socket in a folder of the worker's
// user alone, shared by the worker's attempts, answering an attempt's calls only from the holder of its token. What a
// call may do is fixed here — note, read notes, ask — for this attempt's own run, task and generation.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { rmSync } from 'node:fs';
import { chmod, mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AGENT_MCP_ENV,
  AGENT_MCP_SERVER,
  AGENT_TOOLS,
  TOOL_LINE_BYTES,
  type AgentTool,
  type ToolCall,
  type ToolReply,
} from '../../contract/agent-tools.js';
import type { ToolResult } from './tools.js';

/** Compiled, this file is dist/src/activities/agent-talk/bridge.js; the server is dist/src/run-mcp/main.js. */
const RUN_MCP_MAIN = fileURLToPath(new URL('../../run-mcp/main.js', import.meta.url));

export type ToolHandler = (tool: AgentTool, args: unknown) => Promise<ToolResult>;

export interface TalkBridge {
  /** claude's `--mcp-config` value: the in-run MCP server, told where this bridge is. */
  readonly mcpConfig: string;
  close(): Promise<void>;
}

/** One attempt's registration on the worker's socket. */
interface Attempt {
  token: Buffer;
  handle: ToolHandler;
  warn: (message: string) => void;
  /** The connections that presented its token: closed with it. */
  connections: Set<net.Socket>;
}

const TOKEN_BYTES = 24;

/**
 * The worker's one socket, shared by its attempts: a server, a folder and a chmod per attempt cost the worker's
 * event loop ~2 ms each (issue 22). Each attempt still has a token of its own; a connection is bound to the
 * attempt whose token its first call presents, and every later call on it must present that same token.
 */
class SharedSocket {
  readonly #attempts = new Map<string, Attempt>();

  private constructor(readonly socketPath: string) {}

  /** Listening, in a new folder of the worker's user alone (mkdtemp: 0700), the socket itself 0600. */
  static async open(): Promise<SharedSocket> {
    // A short path: a socket's has ~100 bytes.
    const dir = await mkdtemp(path.join(tmpdir(), 'baton-talk-'));
    const shared = new SharedSocket(path.join(dir, 's'));
    const server = net.createServer((socket) => shared.#serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(shared.socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    await chmod(shared.socketPath, 0o600);
    // The worker's process may end with attempts open (a test's, a crash's): nothing keeps it alive, nothing stays.
    server.unref();
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return shared;
  }

  add(attempt: Attempt): string {
    const key = attempt.token.toString('hex');
    this.#attempts.set(key, attempt);
    return key;
  }

  /** The attempt is over: its token is refused from now on, and its connections are closed. */
  remove(key: string): void {
    const attempt = this.#attempts.get(key);
    this.#attempts.delete(key);
    for (const socket of attempt?.connections ?? []) socket.destroy();
  }

  /** The open attempt whose token this is (each compared in constant time). */
  #attemptOf(token: string): Attempt | undefined {
    const given = Buffer.from(token, 'hex');
    if (given.length !== TOKEN_BYTES || given.toString('hex') !== token) return undefined;
    for (const attempt of this.#attempts.values()) if (timingSafeEqual(given, attempt.token)) return attempt;
    return undefined;
  }

  /** One connection: JSON lines in, one reply line per call; a wrong token or an over-long line ends it. */
  #serve(socket: net.Socket): void {
    let bound: Attempt | undefined;
    let buffered = '';
    /** Writes the reply; `delivered` runs once it has left for the MCP server (not if the server is gone). */
    const reply = (message: ToolReply, delivered?: () => Promise<void>): void => {
      if (socket.destroyed) return;
      socket.write(`${JSON.stringify(message)}\n`, (err) => {
        if (!err && delivered) void delivered();
      });
    };
    const refuse = (message: string): void => {
      // Before a connection named its attempt, every open attempt's log hears of it.
      for (const attempt of bound ? [bound] : this.#attempts.values()) attempt.warn(message);
      socket.destroy();
    };
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      if (Buffer.byteLength(buffered) > TOOL_LINE_BYTES && !buffered.includes('\n')) {
        refuse('an agent tool call was longer than allowed; its connection was closed');
        return;
      }
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const call = parseCall(line);
        const attempt = call ? this.#attemptOf(call.token) : undefined;
        if (!call || !attempt || (bound && attempt !== bound)) {
          refuse('a connection to an agent tool socket without its token was refused');
          return;
        }
        if (!bound) {
          bound = attempt;
          attempt.connections.add(socket);
          socket.once('close', () => attempt.connections.delete(socket));
        }
        void attempt.handle(call.tool, call.args).then(
          ({ text, isError, delivered }) => reply({ id: call.id, text, isError }, delivered),
          (err: unknown) =>
            reply({ id: call.id, text: `baton could not do this: ${(err as Error).message}`, isError: true }),
        );
      }
    });
  }
}

let shared: Promise<SharedSocket> | undefined;

/** Serves one attempt's tool calls until closed, on the worker's shared socket. */
export async function openBridge(handle: ToolHandler, warn: (message: string) => void): Promise<TalkBridge> {
  shared ??= SharedSocket.open().catch((err: unknown) => {
    shared = undefined;
    throw err;
  });
  const socket = await shared;
  const key = socket.add({ token: randomBytes(TOKEN_BYTES), handle, warn, connections: new Set() });
  const entry = {
    type: 'stdio',
    command: process.execPath,
    args: [RUN_MCP_MAIN],
    env: { [AGENT_MCP_ENV.socket]: socket.socketPath, [AGENT_MCP_ENV.token]: key },
    // Without it, claude -p goes on without a server that is not up within ~1.5 s, and the agent has no tools
    // (how long it waits: MCP_CONNECT_TIMEOUT_MS in ../agent-env.ts).
    alwaysLoad: true,
  };
  return {
    mcpConfig: JSON.stringify({ mcpServers: { [AGENT_MCP_SERVER]: entry } }),
    close() {
      socket.remove(key);
      return Promise.resolve();
    },
  };
}

/** A bridge open before its attempt (a warm agent's: ../warm-pool.ts): calls wait until `bind` gives their handler. */
export interface UnboundBridge extends TalkBridge {
  /** Its attempt's handler; from here on the attempt closes it. */
  bind(handle: ToolHandler): void;
  readonly bound: boolean;
}

export async function openUnboundBridge(warn: (message: string) => void): Promise<UnboundBridge> {
  let resolve!: (handle: ToolHandler) => void;
  const handler = new Promise<ToolHandler>((done) => (resolve = done));
  const bridge = await openBridge(async (tool, args) => (await handler)(tool, args), warn);
  let bound = false;
  return {
    mcpConfig: bridge.mcpConfig,
    close: () => bridge.close(),
    bind(handle) {
      bound = true;
      resolve(handle);
    },
    get bound() {
      return bound;
    },
  };
}

function parseCall(line: string): ToolCall | null {
  try {
    const value = JSON.parse(line) as Partial<ToolCall>;
    if (typeof value.id !== 'number' || typeof value.token !== 'string') return null;
    if (!AGENT_TOOLS.includes(value.tool as AgentTool)) return null;
    return value as ToolCall;
  } catch {
    return null;
  }
}
