// A private PostgreSQL for the cluster tests (test/helpers/cluster.ts): Debian's package, a fresh data folder in
// a temp folder, listening on an address and port of the test's choosing. PostgreSQL refuses to run as root, so as
// root it runs as `nobody` (setpriv drops the rights and execs, so the child's PID is the postmaster's own; SIGQUIT
// is its immediate shutdown). The chaos tests stop and start it mid-run; close() ends it and removes its folder.
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa, type ResultPromise } from 'execa';

export const POSTGRES_USER = 'temporal';
export const POSTGRES_PASSWORD = 'temporal';

/** Debian's PostgreSQL programs: BATON_TEST_POSTGRES_BIN, or the newest /usr/lib/postgresql/<major>/bin. */
export function postgresBinDir(): string {
  const given = process.env.BATON_TEST_POSTGRES_BIN;
  if (given) return given;
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((name) => existsSync(path.join(root, name, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors[0] === undefined) {
    throw new Error('PostgreSQL is not installed: apt-get install postgresql (or set BATON_TEST_POSTGRES_BIN)');
  }
  return path.join(root, majors[0], 'bin');
}

/**
 * `argv` run through setpriv: as `nobody` (uid/gid 65534) when this process is root, and sent `signal` when this
 * process dies, so that a test runner killed half way leaves no server running.
 */
function command(argv: string[], signal = 'SIGQUIT'): [string, string[]] {
  const user = process.getuid?.() === 0 ? ['--reuid=65534', '--regid=65534', '--clear-groups'] : [];
  return ['setpriv', [...user, `--pdeathsig=${signal}`, '--', ...argv]];
}

export class PrivatePostgres {
  private server: ResultPromise | null = null;
  private output = '';

  private constructor(
    readonly folder: string,
    readonly host: string,
    readonly port: number,
    private readonly bin: string,
  ) {}

  /** initdb into a new temp folder (user `temporal`, trusted on this host); not started yet. */
  static async create(host: string, port: number): Promise<PrivatePostgres> {
    const bin = postgresBinDir();
    const folder = await mkdtemp(path.join(tmpdir(), 'baton-postgres-'));
    if (process.getuid?.() === 0) await chown(folder, 65534, 65534);
    const pg = new PrivatePostgres(folder, host, port, bin);
    const [file, args] = command([
      path.join(bin, 'initdb'),
      '--pgdata',
      pg.dataDir,
      '--username',
      POSTGRES_USER,
      '--auth',
      'trust',
      '--encoding',
      'UTF8',
      '--locale',
      'C',
      '--no-sync',
    ]);
    const result = await execa(file, args, { cwd: folder, reject: false, all: true, stdin: 'ignore' });
    if (result.exitCode !== 0) throw new Error(`initdb failed (${result.exitCode}):\n${result.all}`);
    return pg;
  }

  get dataDir(): string {
    return path.join(this.folder, 'data');
  }

  get running(): boolean {
    return this.server !== null;
  }

  /** Starts the postmaster and waits until it accepts connections. */
  async start(): Promise<void> {
    if (this.server) throw new Error('PostgreSQL is running already');
    const [file, args] = command([
      path.join(this.bin, 'postgres'),
      '-D',
      this.dataDir,
      '-c',
      `listen_addresses=${this.host}`,
      '-p',
      String(this.port),
      '-c',
      `unix_socket_directories=${this.folder}`,
      '-c',
      'max_connections=200',
      // A process crash keeps what the OS has; only a machine crash needs fsync, and tests have none.
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ]);
    const server = execa(file, args, { cwd: this.folder, reject: false, all: true, stdin: 'ignore' });
    server.all?.on('data', (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000)));
    this.server = server;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (server.exitCode !== null) {
        this.server = null;
        throw new Error(`PostgreSQL exited (${server.exitCode}) while starting:\n${this.output}`);
      }
      const ready = await execa(path.join(this.bin, 'pg_isready'), ['-q', '-h', this.host, '-p', String(this.port)], {
        reject: false,
        stdin: 'ignore',
      });
      if (ready.exitCode === 0) return;
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept connections in 30 s:\n${this.output}`);
      await sleep(100);
    }
  }

  /**
   * Stops the postmaster: `fast` ends sessions and checkpoints (a restart by an operator), `immediate` quits at
   * once without a checkpoint, as a crash would (recovery replays the log at the next start).
   */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.kill(mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
    const timer = setTimeout(() => server.kill('SIGKILL'), 20_000);
    await server;
    clearTimeout(timer);
    this.server = null;
  }

  async restart(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.stop(mode);
    await this.start();
  }

  /** The last lines PostgreSQL wrote, for failure messages. */
  log(): string {
    return this.output;
  }

  async close(): Promise<void> {
    await this.stop('immediate');
    await rm(this.folder, { recursive: true, force: true });
  }
}
