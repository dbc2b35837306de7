// baton's in-run MCP server (DESIGN §13): the process claude starts for every agent (--mcp-config, server "baton"),
// giving the model the tools note, notes and ask. It holds no credentials and knows no run: each call goes, with the
// token claude's config gave it, to the socket its agent's activity serves (src/activities/agent-talk/bridge.ts),
// which does the call for its own run, task and attempt. It starts with every agent, so it loads nothing but
// Node and the tools' definitions: MCP's stdio transport (JSON-RPC, one message a line) is spoken here directly.
import net from 'node:net';
import {
  AGENT_MCP_ENV,
  AGENT_MCP_SERVER,
  AGENT_TOOL_DEFINITIONS,
  AGENT_TOOLS,
  TOOL_LINE_BYTES,
  type AgentTool,
  type ToolCall,
  type ToolReply,
} from '../contract/agent-tools.js';

/** The MCP versions this server speaks (they differ in nothing it uses); the client's is echoed when known. */
const PROTOCOL_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];

const INSTRUCTIONS =
  "baton runs this agent as one task of a larger plan. note records what others should know; notes reads what this run's agents recorded; ask puts one question to a person and waits for the answer.";

interface JsonRpcMessage {
  jsonrpc?: string;
  id?: string | number | null;
  method?: string;
  params?: Record<string, unknown>;
}

const socketPath = process.env[AGENT_MCP_ENV.socket];
const token = process.env[AGENT_MCP_ENV.token] ?? '';

function send(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
}

// ── The activity's socket: one connection, calls matched to replies by id ──

let connection: net.Socket | undefined;
let nextId = 1;
const pending = new Map<number, (reply: ToolReply) => void>();

function connect(): net.Socket {
  if (connection && !connection.destroyed) return connection;
  if (!socketPath) throw new Error(`${AGENT_MCP_ENV.socket} is not set: this server runs only as baton starts it`);
  const socket = net.connect(socketPath);
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const reply = JSON.parse(buffered.slice(0, newline)) as ToolReply;
      buffered = buffered.slice(newline + 1);
      pending.get(reply.id)?.(reply);
      pending.delete(reply.id);
    }
    if (buffered.length > TOOL_LINE_BYTES) socket.destroy();
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    // The attempt is over (or never listened): nothing will answer what waits.
    for (const [id, resolve] of pending)
      resolve({ id, text: "baton's run is not reachable from this agent", isError: true });
    pending.clear();
  });
  connection = socket;
  return socket;
}

function callTool(tool: AgentTool, args: unknown): Promise<ToolReply> {
  const id = nextId++;
  return new Promise<ToolReply>((resolve) => {
    let socket: net.Socket;
    try {
      socket = connect();
    } catch (err) {
      resolve({ id, text: (err as Error).message, isError: true });
      return;
    }
    pending.set(id, resolve);
    const call: ToolCall = { id, token, tool, args };
    socket.write(`${JSON.stringify(call)}\n`);
  });
}

// ── MCP over stdio ──

async function handle(message: JsonRpcMessage): Promise<void> {
  const { id, method, params } = message;
  if (id === undefined || id === null) return; // a notification (initialized, cancelled…): nothing to answer
  switch (method) {
    case 'initialize': {
      const asked = typeof params?.protocolVersion === 'string' ? params.protocolVersion : '';
      return send({
        id,
        result: {
          protocolVersion: PROTOCOL_VERSIONS.includes(asked) ? asked : PROTOCOL_VERSIONS[0],
          capabilities: { tools: {} },
          serverInfo: { name: AGENT_MCP_SERVER, version: '1' },
          instructions: INSTRUCTIONS,
        },
      });
    }
    case 'ping':
      return send({ id, result: {} });
    case 'tools/list':
      return send({ id, result: { tools: AGENT_TOOL_DEFINITIONS } });
    case 'tools/call': {
      const name = params?.name;
      if (!AGENT_TOOLS.includes(name as AgentTool)) {
        return send({
          id,
          error: { code: -32602, message: `unknown tool ${String(name)}; baton's are ${AGENT_TOOLS.join(', ')}` },
        });
      }
      const reply = await callTool(name as AgentTool, params?.arguments ?? {});
      return send({ id, result: { content: [{ type: 'text', text: reply.text }], isError: reply.isError } });
    }
    default:
      return send({ id, error: { code: -32601, message: `method not found: ${String(method)}` } });
  }
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  input += chunk;
  let newline: number;
  while ((newline = input.indexOf('\n')) >= 0) {
    const line = input.slice(0, newline).trim();
    input = input.slice(newline + 1);
    if (line === '') continue;
    let message: JsonRpcMessage;
    try {
      message = JSON.parse(line) as JsonRpcMessage;
    } catch {
      send({ id: null, error: { code: -32700, message: 'parse error' } });
      continue;
    }
    void handle(message).catch((err: unknown) => {
      send({ id: message.id ?? null, error: { code: -32603, message: (err as Error).message } });
    });
  }
});
// claude closes our stdin when it ends: so do we.
process.stdin.on('end', () => process.exit(0));
