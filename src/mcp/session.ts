// The MCP server's one connection to Temporal, made on the first tool call rather than at start:
// the MCP handshake must answer at once, and starting the embedded dev server can take seconds.
import type { Config } from '../config/index.js';
import { connectClient, resolveTarget, type Connected } from '../client/connection.js';

export interface Session {
  /** The connection, opened on first use; a failed attempt is forgotten so the next call tries again. */
  connected(): Promise<Connected>;
  close(): Promise<void>;
}

export function temporalSession(config: Config, log: (message: string) => void): Session {
  let pending: Promise<Connected> | undefined;
  return {
    connected() {
      pending ??= (async () => {
        const target = await resolveTarget(config, log);
        const connected = await connectClient(config, target, log);
        log(`connected to Temporal at ${target.address}, namespace ${target.namespace}`);
        return connected;
      })().catch((err: unknown) => {
        pending = undefined;
        throw err;
      });
      return pending;
    },
    async close() {
      const current = pending;
      pending = undefined;
      if (!current) return;
      const connected = await current.catch(() => undefined);
      await connected?.close();
    },
  };
}
