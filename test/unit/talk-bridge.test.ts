// The socket an agent attempt serves its in-run MCP server on (src/activities/agent-talk/bridge.ts): only the holder
// of the attempt's token is answered, the socket is its user's alone, and it is gone once the attempt is over. And
// the in-run MCP server itself (src/run-mcp/main.js), started as claude starts it, lists the three tools and takes a
// call through the socket.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
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

void test('the bridge answers its token only, from a socket of its user alone, removed when closed', async () => {
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
  } finally {
    await bridge.close();
  }
  assert.equal(existsSync(path.dirname(socketPath)), false, 'the socket is gone with its attempt');
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
