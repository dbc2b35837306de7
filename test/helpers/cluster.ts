// A private, real Temporal cluster for the cluster tests (DESIGN.md §12): the Temporal server built from its Go
// module (scripts/provision-temporal-cluster.sh, cached under .baton/tools), PostgreSQL from Debian's package,
// several history shards, the configuration and dynamic config the Compose cluster runs (deploy/temporal), and a
// namespace. Every service binds its own address of a loopback block picked at random (127.x.y.1 PostgreSQL, .2
// frontend, .3 history, .4 matching, .5 worker) on Temporal's usual ports, so clusters of tests running side by
// side never share a port and the membership ports never collide. The chaos tests kill and restart the server
// process and PostgreSQL; close() ends both and removes their folders.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { execa } from 'execa';
import { REPO_ROOT } from './cli.js';
import { POSTGRES_PASSWORD, POSTGRES_USER, PrivatePostgres } from './postgres.js';

const DEPLOY_DIR = path.join(REPO_ROOT, 'deploy', 'temporal');
const SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;
/** Temporal's usual gRPC and membership ports, and the frontend's HTTP port. */
const PORTS = { frontend: [7233, 6933, 7243], history: [7234, 6934], matching: [7235, 6935], worker: [7239, 6939] };
const POSTGRES_PORT = 5432;

export interface ClusterFigures {
  /** The provisioning script (quick once the binaries are cached). */
  provisionMs: number;
  postgresMs: number;
  schemaMs: number;
  /** From the server's start until the namespace answers. */
  serverMs: number;
  /** From nothing to a usable cluster, provisioning excluded. */
  startMs: number;
}

export interface TestCluster {
  /** The frontend, host:port. */
  address: string;
  namespace: string;
  shards: number;
  postgres: PrivatePostgres;
  /** TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE for a baton command. */
  env: Record<string, string>;
  figures: ClusterFigures;
  /** SIGKILLs the Temporal server process (every service at once, as a crashed host). */
  killServer(): Promise<void>;
  /** Starts the server again on the same addresses and databases; resolves once the namespace answers. */
  startServer(): Promise<void>;
  /** The server's log (JSON lines), for failure messages. */
  serverLog(): Promise<string>;
  close(): Promise<void>;
}

export interface ClusterOptions {
  shards?: number;
  namespace?: string;
  /** The server's log level (its log goes to a file in the cluster's folder). */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

/** The tools folder of scripts/provision-temporal-cluster.sh (bin/, schema/), building them the first time. */
export async function provisionCluster(): Promise<string> {
  const script = path.join(REPO_ROOT, 'scripts', 'provision-temporal-cluster.sh');
  const result = await execa('bash', [script], { stderr: 'inherit', stdin: 'ignore' });
  return result.stdout.trim();
}

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** A 127.x.y.0 block where every port the cluster needs is free. */
async function freeLoopbackBlock(): Promise<string> {
  for (let tries = 0; tries < 20; tries++) {
    const block = `127.${1 + Math.floor(Math.random() * 254)}.${Math.floor(Math.random() * 256)}`;
    const wanted: Array<[string, number]> = [[`${block}.1`, POSTGRES_PORT]];
    SERVICES.forEach((service, i) => {
      for (const port of PORTS[service]) wanted.push([`${block}.${i + 2}`, port]);
    });
    if ((await Promise.all(wanted.map(([host, port]) => canBind(host, port)))).every(Boolean)) return block;
  }
  throw new Error('no free loopback block for a Temporal cluster after 20 tries');
}

export async function startTestCluster(options: ClusterOptions = {}): Promise<TestCluster> {
  const shards = options.shards ?? 4;
  const namespace = options.namespace ?? 'default';
  let started = Date.now();
  const tools = await provisionCluster();
  const provisionMs = Date.now() - started;
  started = Date.now();

  const block = await freeLoopbackBlock();
  const ip = (service: (typeof SERVICES)[number]) => `${block}.${SERVICES.indexOf(service) + 2}`;
  const folder = await mkdtemp(path.join(tmpdir(), 'baton-cluster-'));
  const postgres = await PrivatePostgres.create(`${block}.1`, POSTGRES_PORT);
  const dbEnv = {
    POSTGRES_SEEDS: postgres.host,
    DB_PORT: String(postgres.port),
    POSTGRES_USER,
    POSTGRES_PWD: POSTGRES_PASSWORD,
  };
  const serverEnv: Record<string, string> = {
    ...dbEnv,
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: folder,
    NUM_HISTORY_SHARDS: String(shards),
    DYNAMIC_CONFIG_FILE_PATH: path.join(DEPLOY_DIR, 'dynamicconfig.yaml'),
    LOG_LEVEL: options.logLevel ?? 'warn',
  };
  for (const service of SERVICES) serverEnv[`${service.toUpperCase()}_BIND_ON_IP`] = ip(service);
  const address = `${ip('frontend')}:${PORTS.frontend[0]}`;
  const server = new ServerProcess(path.join(tools, 'bin', 'temporal-server'), serverEnv, folder, address, namespace);
  const close = async () => {
    await server.kill();
    await postgres.close();
    await rm(folder, { recursive: true, force: true });
  };
  try {
    await postgres.start();
    const postgresMs = Date.now() - started;

    const schemaStarted = Date.now();
    // The Compose cluster's own schema job, with the sql tool and schema files provisioned here.
    const schema = await execa('sh', [path.join(DEPLOY_DIR, 'setup-schema.sh')], {
      env: { ...dbEnv, TEMPORAL_HOME: tools, PATH: `${path.join(tools, 'bin')}${path.delimiter}${process.env.PATH}` },
      extendEnv: false,
      reject: false,
      all: true,
      stdin: 'ignore',
    });
    if (schema.exitCode !== 0) throw new Error(`setup-schema.sh failed (${schema.exitCode}):\n${schema.all}`);
    const schemaMs = Date.now() - schemaStarted;

    const serverStarted = Date.now();
    await server.start(true);
    const serverMs = Date.now() - serverStarted;
    return {
      address,
      namespace,
      shards,
      postgres,
      env: { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace },
      figures: { provisionMs, postgresMs, schemaMs, serverMs, startMs: Date.now() - started },
      killServer: () => server.kill(),
      startServer: () => server.start(false),
      serverLog: () => server.log(),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The `temporal-server` process (every service in one), its log appended to a file in `folder`. */
class ServerProcess {
  private child: ChildProcess | null = null;

  constructor(
    private readonly bin: string,
    private readonly env: Record<string, string>,
    private readonly folder: string,
    private readonly address: string,
    private readonly namespace: string,
  ) {}

  /** Spawns the server and resolves once it serves the namespace (registered first when `register`). */
  async start(register: boolean): Promise<void> {
    if (this.child) throw new Error('the Temporal server is running already');
    const log = openSync(path.join(this.folder, 'temporal.log'), 'a');
    try {
      // setpriv execs the server (the child's PID is the server's) and kills it if this process dies first.
      const args = ['--root', DEPLOY_DIR, '--config', 'config', '--env', 'baton', 'start'];
      this.child = spawn('setpriv', ['--pdeathsig=SIGKILL', '--', this.bin, ...args], {
        env: this.env,
        cwd: this.folder,
        stdio: ['ignore', log, log],
      });
    } finally {
      closeSync(log);
    }
    const child = this.child;
    const deadline = Date.now() + 60_000;
    let connection: Connection | undefined;
    try {
      for (;;) {
        if (child.exitCode !== null || child.signalCode !== null) {
          this.child = null;
          throw new Error(`the Temporal server exited:\n${(await this.log()).slice(-5_000)}`);
        }
        connection ??= await Connection.connect({ address: this.address, connectTimeout: 1_000 }).catch(
          () => undefined,
        );
        if (connection && (await serving(connection, this.namespace, register))) return;
        if (Date.now() > deadline) {
          throw new Error(
            `the Temporal server did not serve ${this.namespace} in 60 s:\n${(await this.log()).slice(-5_000)}`,
          );
        }
        await sleep(200);
      }
    } finally {
      await connection?.close();
    }
  }

  /** SIGKILL: every service dies at once, as on a crashed host. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  log(): Promise<string> {
    return readFile(path.join(this.folder, 'temporal.log'), 'utf8').catch(() => '');
  }
}

/** Whether the frontend answers for `namespace` (registering it first when asked); false while it cannot. */
async function serving(connection: Connection, namespace: string, register: boolean): Promise<boolean> {
  const call = <T>(fn: () => Promise<T>) => connection.withDeadline(Date.now() + 2_000, fn);
  try {
    if (register) {
      await call(() =>
        connection.workflowService
          .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') })
          .catch((err: unknown) => {
            if (!/already exists/i.test((err as Error).message)) throw err;
          }),
      );
    }
    await call(() => connection.workflowService.describeNamespace({ namespace }));
    return true;
  } catch {
    return false;
  }
}
