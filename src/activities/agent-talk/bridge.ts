// The activity's end of an agent's baton tools (DESIGN §13). claude starts baton's in-run MCP server
// (src/run-mcp/main.ts) as its child, inside the agent's sandbox, with the environment of the agent (an allow-list:
// no Temporal credentials). That server reaches its run only through this: a unix socket in a folder of the worker's
// user alone, served by the activity of this one attempt, answering only the holder of this attempt's token. What a
// call may do is fixed here — note, read notes, ask — for this attempt's own run, task and generation.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
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

/** Serves one attempt's tool calls until closed. */
export async function openBridge(handle: ToolHandler, warn: (message: string) => void): Promise<TalkBridge> {
  // mkdtemp makes the folder 0700: nobody but the worker's user reaches the socket. A short path: sockets have ~100.
  const dir = await mkdtemp(path.join(tmpdir(), 'baton-talk-'));
  const socketPath = path.join(dir, 's');
  const token = randomBytes(24).toString('hex');
  const connections = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
    serve(socket, token, handle, warn);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await chmod(socketPath, 0o600);
  const entry = {
    type: 'stdio',
    command: process.execPath,
    args: [RUN_MCP_MAIN],
    env: { [AGENT_MCP_ENV.socket]: socketPath, [AGENT_MCP_ENV.token]: token },
    // Without it, claude -p goes on without a server that is not up within ~1.5 s, and the agent has no tools
    // (how long it waits: MCP_CONNECT_TIMEOUT_MS in ../agent-env.ts).
    alwaysLoad: true,
  };
  return {
    mcpConfig: JSON.stringify({ mcpServers: { [AGENT_MCP_SERVER]: entry } }),
    async close() {
      for (const socket of connections) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
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

/** One connection: JSON lines in, one reply line per call; a wrong token or an over-long line ends it. */
function serve(socket: net.Socket, token: string, handle: ToolHandler, warn: (message: string) => void): void {
  const expected = Buffer.from(token);
  let buffered = '';
  /** Writes the reply; `delivered` runs once it has left for the MCP server (not if the server is gone). */
  const reply = (message: ToolReply, delivered?: () => Promise<void>): void => {
    if (socket.destroyed) return;
    socket.write(`${JSON.stringify(message)}\n`, (err) => {
      if (!err && delivered) void delivered();
    });
  };
  socket.setEncoding('utf8');
  socket.on('error', () => undefined);
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    if (Buffer.byteLength(buffered) > TOOL_LINE_BYTES && !buffered.includes('\n')) {
      warn('an agent tool call was longer than allowed; its connection was closed');
      socket.destroy();
      return;
    }
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      const call = parseCall(line);
      const given = Buffer.from(call?.token ?? '');
      if (!call || given.length !== expected.length || !timingSafeEqual(given, expected)) {
        warn('a connection to an agent tool socket without its token was refused');
        socket.destroy();
        return;
      }
      void handle(call.tool, call.args).then(
        ({ text, isError, delivered }) => reply({ id: call.id, text, isError }, delivered),
        (err: unknown) =>
          reply({ id: call.id, text: `baton could not do this: ${(err as Error).message}`, isError: true }),
      );
    }
  });
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
