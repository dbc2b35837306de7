// `baton mcp`: baton's tools for Claude Code (or any MCP client) over stdio, until the client goes away.
// stdout carries the protocol, so everything for people goes to stderr. No worker runs here.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Config } from '../../config/index.js';
import { createBatonMcpServer } from '../../mcp/server.js';
import { temporalSession } from '../../mcp/session.js';

export interface McpOptions {
  /** Folder that relative plan paths resolve against when a call names none (default: the current one). */
  cwd?: string;
}

export async function mcpCommand(config: Config, options: McpOptions = {}): Promise<number> {
  const log = (message: string) => process.stderr.write(`baton mcp: ${message}\n`);
  // A stray console.log from any library would corrupt the protocol: send it to stderr.
  console.log = console.info = console.debug = console.error;

  const session = temporalSession(config, log);
  const server = createBatonMcpServer({ config, session, cwd: options.cwd ?? process.cwd(), log });
  const closed = new Promise<void>((resolve) => {
    server.onclose = resolve;
  });
  await server.connect(new StdioServerTransport());
  const where = config.temporal.address ? `Temporal at ${config.temporal.address}` : 'the embedded Temporal server';
  log(
    `serving on stdio: ${where}, task queue "${config.taskQueue}". Runs are executed by \`baton worker\`, not by this server.`,
  );

  const stop = () => {
    server.close().catch((err: unknown) => log(`closing: ${String(err)}`));
  };
  process.stdin.once('end', stop);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await closed;
  } finally {
    process.stdin.off('end', stop);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await session.close();
  }
  return 0;
}
