// The socket agent attempts serve their in-run MCP servers on (src/activities/agent-talk/bridge.ts): one per worker,
// its user's alone; an attempt's calls are answered only for the holder of its token, never once the attempt is over,
// and a connection cannot speak for two attempts. And
// the in-run MCP server itself (src/run-mcp/main.js), started as claude starts it, lists the three tools and takes a
// call through the socket.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { agentToolNames, type AgentTool } from '../../src/contract/agent-tools.js';
import { openBridge } from '../../src/activities/agent-talk/bridge.js';

interface McpEntry {
  command: string;
  args: string[];
  env: Record<string, string>;
}

const entryOf = (mcpConfig: string): McpEntry =>
  (JSON.parse(mcpConfig) as { mcpServers: Record<string, McpEntry> }).mcpServers['baton']!;

/** Sends one line and resolves with the reply line, or null when the bridge closes the connection. */
function exchange(socketPath: string, line: string): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath, () => socket.write(`${line}\n`));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\n')) {
        socket.destroy();
        resolve(text.trim());
      }
    });
    socket.on('close', () => resolve(text.trim() || null));
    socket.on('error', () => resolve(null));
  });
}

void test('the bridge answers its token only, from a socket of its user alone, and no longer once closed', async () => {
  const calls: [AgentTool, unknown][] = [];
  const warnings: string[] = [];
  const bridge = await openBridge(
    async (tool, args) => {
      calls.push([tool, args]);
      return { text: `did ${tool}`, isError: false };
    },
    (message) => warnings.push(message),
  );
  const { env } = entryOf(bridge.mcpConfig);
  const socketPath = env['BATON_TALK_SOCKET']!;
  const token = env['BATON_TALK_TOKEN']!;
  try {
    assert.equal(statSync(path.dirname(socketPath)).mode & 0o777, 0o700);
    assert.equal(statSync(socketPath).mode & 0o777, 0o600);

    const wrong = await exchange(socketPath, JSON.stringify({ id: 1, token: 'f'.repeat(token.length), tool: 'note' }));
    assert.equal(wrong, null, 'a wrong token gets no answer');
    assert.equal(await exchange(socketPath, JSON.stringify({ id: 2, tool: 'note', args: {} })), null);
    assert.equal(await exchange(socketPath, JSON.stringify({ id: 3, token, tool: 'rm -rf', args: {} })), null);
    assert.equal(await exchange(socketPath, 'not json'), null);
    assert.deepEqual(calls, [], 'nothing refused reached the run');
    assert.ok(warnings.some((w) => /without its token/.test(w)));

    const reply = await exchange(socketPath, JSON.stringify({ id: 4, token, tool: 'notes', args: { query: 'db' } }));
    assert.deepEqual(JSON.parse(reply!), { id: 4, text: 'did notes', isError: false });
    assert.deepEqual(calls, [['notes', { query: 'db' }]]);

    // A connection open when the attempt ends is closed, and its token is refused from then on.
    const open = net.connect(socketPath);
    const closed = new Promise<void>((resolve) => open.on('close', () => resolve()));
    open.on('error', () => undefined);
    open.write(`${JSON.stringify({ id: 5, token, tool: 'notes', args: {} })}\n`);
    await new Promise<void>((resolve) => open.once('data', () => resolve()));
    await bridge.close();
    await closed;
    assert.equal(await exchange(socketPath, JSON.stringify({ id: 6, token, tool: 'note', args: {} })), null);
    assert.equal(calls.length, 2, 'nothing reached the attempt once it was over');
  } finally {
    await bridge.close();
  }
});

void test("two attempts share the worker's socket, and neither's token reaches the other's run", async () => {
  const calls: string[] = [];
  const open = (name: string) =>
    openBridge(
      async (tool) => {
        calls.push(`${name} ${tool}`);
        return { text: name, isError: false };
      },
      () => undefined,
    );
  const [a, b] = [await open('a'), await open('b')];
  const [envA, envB] = [entryOf(a.mcpConfig).env, entryOf(b.mcpConfig).env];
  const socketPath = envA['BATON_TALK_SOCKET']!;
  try {
    assert.equal(envB['BATON_TALK_SOCKET'], socketPath, 'one socket for the worker');
    assert.notEqual(envA['BATON_TALK_TOKEN'], envB['BATON_TALK_TOKEN']);
    const call = (token: string, id: number) => JSON.stringify({ id, token, tool: 'notes', args: {} });
    assert.equal(JSON.parse((await exchange(socketPath, call(envA['BATON_TALK_TOKEN']!, 1)))!).text, 'a');
    assert.equal(JSON.parse((await exchange(socketPath, call(envB['BATON_TALK_TOKEN']!, 2)))!).text, 'b');

    // One connection, A's token first, then B's: the second call ends the connection and reaches nobody.
    const replies = await new Promise<string>((resolve) => {
      const socket = net.connect(socketPath, () => {
        socket.write(`${call(envA['BATON_TALK_TOKEN']!, 3)}\n`);
        socket.once('data', () => socket.write(`${call(envB['BATON_TALK_TOKEN']!, 4)}\n`));
      });
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('close', () => resolve(text));
      socket.on('error', () => undefined);
    });
    assert.deepEqual(
      replies
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { id: number }).id),
      [3],
    );
    assert.deepEqual(calls, ['a notes', 'b notes', 'a notes']);
  } finally {
    await a.close();
    await b.close();
  }
});

void test('the in-run MCP server lists note, notes and ask and takes a call through its attempt socket', async () => {
  const bridge = await openBridge(
    async (tool, args) => ({ text: `${tool}: ${JSON.stringify(args)}`, isError: tool === 'ask' }),
    () => undefined,
  );
  const entry = entryOf(bridge.mcpConfig);
  const server = spawn(entry.command, entry.args, { env: { ...entry.env, PATH: process.env['PATH'] }, stdio: 'pipe' });
  const replies = new Map<number, Record<string, unknown>>();
  let buffered = '';
  server.stdout.setEncoding('utf8');
  server.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const message = JSON.parse(buffered.slice(0, nl)) as { id: number };
      buffered = buffered.slice(nl + 1);
      replies.set(message.id, message);
    }
  });
  const request = async (id: number, method: string, params: Record<string, unknown> = {}) => {
    server.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    for (let waited = 0; !replies.has(id); waited += 20) {
      if (waited > 10_000) throw new Error(`no answer to ${method}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return replies.get(id)! as { result?: Record<string, unknown> };
  };
  try {
    const init = await request(1, 'initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'test', version: '0' },
    });
    assert.equal((init.result?.['serverInfo'] as { name: string }).name, 'baton');
    server.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    const listed = await request(2, 'tools/list');
    const names = (listed.result?.['tools'] as { name: string }[]).map((t) => `mcp__baton__${t.name}`);
    assert.deepEqual(names, agentToolNames());

    const called = await request(3, 'tools/call', { name: 'note', arguments: { key: 'k', text: 'v' } });
    assert.deepEqual(called.result, {
      content: [{ type: 'text', text: 'note: {"key":"k","text":"v"}' }],
      isError: false,
    });
    const failed = await request(4, 'tools/call', { name: 'ask', arguments: { question: 'q?' } });
    assert.equal(failed.result?.['isError'], true);
  } finally {
    server.kill();
    await bridge.close();
  }
});
