// `baton mcp` (the built CLI) as an MCP server on stdio, driven by the SDK's own client: what the MCP e2e tests share.
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

// Compiled, this file is dist/test/helpers/mcp-client.js; the CLI is dist/src/cli/main.js.
const BATON = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface McpServerOptions {
  temporalAddress: string;
  taskQueue: string;
  cwd: string;
  /** BATON_HOME lives under this folder. */
  root: string;
  onStderr?: (text: string) => void;
}

/** A connected client of a fresh `baton mcp` subprocess on the given Temporal, serving `taskQueue`. */
export async function startMcp(options: McpServerOptions): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BATON, 'mcp'],
    cwd: options.cwd,
    env: {
      ...(process.env as Record<string, string>),
      TEMPORAL_ADDRESS: options.temporalAddress,
      BATON_TASK_QUEUE: options.taskQueue,
      BATON_HOME: path.join(options.root, 'baton-home'),
    },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (chunk: Buffer) => options.onStderr?.(chunk.toString()));
  const client = new Client({ name: 'baton-e2e', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

export function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n');
}

/** Calls that answer a tool's JSON (`ok`) or must come back as a tool error (`refused`), on one client. */
export function toolCalls(client: Client, stderr: () => string) {
  const call = async (name: string, args: Record<string, unknown>) =>
    (await client.callTool({ name, arguments: args })) as CallToolResult;
  return {
    call,
    /** A successful call's JSON; a failed one fails the test with the tool's own words and the server's log. */
    async ok<T>(name: string, args: Record<string, unknown>): Promise<T & { text: string }> {
      const result = await call(name, args);
      assert.ok(!result.isError, `${name} failed: ${textOf(result)}\nbaton mcp stderr:\n${stderr()}`);
      assert.ok(result.structuredContent, `${name} answers structured content`);
      return { ...(result.structuredContent as T), text: textOf(result) };
    },
    /** The text of a call that must fail as a tool error (isError), so the model can read it. */
    async refused(name: string, args: Record<string, unknown>): Promise<string> {
      const result = await call(name, args);
      assert.equal(result.isError, true, `${name} should have been refused; it answered: ${textOf(result)}`);
      return textOf(result);
    },
  };
}
