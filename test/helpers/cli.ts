// The built `baton` CLI as a subprocess, for end-to-end tests: run with execa (never through a shell), in a
// temp folder of its own, with its own BATON_HOME and task queue and a clean environment, so nothing of the
// test runner's (TEMPORAL_ADDRESS, BATON_*, an API key) leaks into the command under test.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import type { RunStatus } from '../../src/workflows/status.js';
import { TEST_HOME } from './claude-env.js';

// Compiled, this file is dist/test/helpers/cli.js: the repository root is three levels up.
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The built CLI, run with this node. */
export const BATON_CLI = path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
/** Where the dev dependency `claude` is linked. */
export const NODE_BIN_DIR = path.join(REPO_ROOT, 'node_modules', '.bin');

export type Env = Record<string, string | undefined>;

export interface CliResult {
  command: string;
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** The runner's environment without anything that configures baton, Temporal or claude. */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || /^(TEMPORAL_|BATON_|ANTHROPIC_|CLAUDE_)/.test(name)) continue;
    env[name] = value;
  }
  env.PATH = `${NODE_BIN_DIR}${path.delimiter}${process.env.PATH ?? ''}`;
  env.NO_COLOR = '1';
  return env;
}

function merge(base: Env, extra: Env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...base, ...extra })) if (value !== undefined) env[name] = value;
  return env;
}

export interface Sandbox {
  /** Temp folder holding everything below; removed by cleanup(). */
  root: string;
  /** The cwd of every command. */
  cwd: string;
  /** BATON_HOME. */
  home: string;
  /** CLAUDE_CONFIG_DIR for claude under a test's FakeModel. */
  claudeConfigDir: string;
  taskQueue: string;
  /** The environment every command gets (on top of the cleaned runner's); add to it before running. */
  env: Record<string, string>;
  /** Run `baton <args>` to its end (exit code, never a throw). */
  baton(args: string[], options?: { env?: Env; timeoutMs?: number }): Promise<CliResult>;
  /** Start a long-running `baton <args>` (a worker); stop it with stopProcess(). */
  spawn(args: string[], options?: { env?: Env }): ResultPromise;
  cleanup(): Promise<void>;
}

/**
 * A temp cwd and BATON_HOME for one test, with a unique BATON_TASK_QUEUE. `env` is added to every command
 * (an undefined value removes a variable), e.g. TEMPORAL_ADDRESS and claudeEnv(fake, claudeConfigDir).
 */
export async function sandbox(name: string, env: Env = {}): Promise<Sandbox> {
  const root = await mkdtemp(path.join(tmpdir(), `baton-e2e-${name}-`));
  const cwd = path.join(root, 'project');
  const home = path.join(root, 'baton-home');
  const claudeConfigDir = path.join(root, 'claude-config');
  await Promise.all([mkdir(cwd), mkdir(claudeConfigDir)]);
  const taskQueue = `e2e-${name}-${Math.random().toString(16).slice(2, 10)}`;
  // XDG_CONFIG_HOME: the runner's own Temporal config file (~/.config/temporalio/temporal.toml) must not apply.
  const xdg = path.join(root, 'xdg-config');
  // HOME: an empty one (see TEST_HOME) — the runner's profile is no part of a test, and its shells may stall.
  const base = merge(cleanEnv(), {
    HOME: TEST_HOME,
    BATON_HOME: home,
    BATON_TASK_QUEUE: taskQueue,
    XDG_CONFIG_HOME: xdg,
    ...env,
  });
  return {
    root,
    cwd,
    home,
    claudeConfigDir,
    taskQueue,
    env: base,
    baton: (args, options = {}) =>
      runBaton(args, { cwd, env: merge(base, options.env ?? {}), timeoutMs: options.timeoutMs }),
    spawn: (args, options = {}) =>
      execa(process.execPath, [BATON_CLI, ...args], {
        cwd,
        env: merge(base, options.env ?? {}),
        extendEnv: false,
        stdin: 'ignore',
        reject: false,
        all: true,
      }),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** `node dist/src/cli/main.js <args>` with exactly `env`. */
export async function runBaton(
  args: string[],
  options: { cwd: string; env: Record<string, string>; timeoutMs?: number },
): Promise<CliResult> {
  const started = Date.now();
  const result = await execa(process.execPath, [BATON_CLI, ...args], {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    stdin: 'ignore',
    reject: false,
    timeout: options.timeoutMs ?? 120_000,
  });
  return {
    command: `baton ${args.join(' ')}`,
    exitCode: result.exitCode,
    signal: result.signal,
    stdout: result.stdout,
    stderr: result.stderr,
    durationMs: Date.now() - started,
  };
}

/** A one-line account of a finished command, for assertion messages. */
export function describeResult(result: CliResult): string {
  return (
    `${result.command} → exit ${String(result.exitCode)}${result.signal ? ` (${result.signal})` : ''} after ` +
    `${result.durationMs} ms\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`
  );
}

/** stdout parsed as JSON, or a failure that shows what the command printed. */
export function jsonOf<T = unknown>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON: ${describeResult(result)}`);
  }
}

/** SIGTERM a spawned command and wait for its exit (SIGKILL after timeoutMs, reported as a failure). */
export async function stopProcess(
  child: ResultPromise,
  timeoutMs = 20_000,
): Promise<{ exitCode: number | undefined; signal: string | undefined; killed: boolean; output: string }> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const result = await child;
  clearTimeout(timer);
  return { exitCode: result.exitCode, signal: result.signal, killed, output: String(result.all ?? '') };
}

/** `baton server stop` of the sandbox's embedded server on `port`; if it still answers, kill it by its recorded pid. */
export async function stopEmbeddedServer(box: Sandbox, port: number): Promise<void> {
  if (!(await isListening(port))) return;
  // Read before `server stop`, which removes the file.
  const state = await readFile(path.join(box.home, 'temporal-server.json'), 'utf8').catch(() => null);
  const pid = state ? (JSON.parse(state) as { pid?: number }).pid : undefined;
  await box.baton(['server', 'stop'], { timeoutMs: 30_000 });
  if (pid && (await isListening(port))) process.kill(pid, 'SIGKILL');
}

/**
 * Ports below the kernel's ephemeral range (Linux: 32768–60999; macOS: from 49152), which it never hands out to a
 * `listen(0)` or an outgoing connection. A port found free in the ephemeral range could be taken before the test's
 * server binds it, by any process (`temporal server start-dev` itself binds several internal listeners on such
 * ports): a CI run failed with the embedded server's Web UI port already in use.
 */
const TEST_PORTS = { from: 20_000, to: 32_000 };
const FREE_PORT_TRIES = 50;

/** A TCP port nothing listens on right now (free for a server, or closed for an unreachable address). */
export async function freePort(): Promise<number> {
  for (let i = 0; i < FREE_PORT_TRIES; i++) {
    const port = TEST_PORTS.from + Math.floor(Math.random() * (TEST_PORTS.to - TEST_PORTS.from));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port between ${TEST_PORTS.from} and ${TEST_PORTS.to} in ${FREE_PORT_TRIES} tries`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Whether something accepts connections on 127.0.0.1:port. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Polls `check` until it returns a value other than undefined; fails with `what` after timeoutMs. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(250);
  }
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const TASK_STATES = new Set([
  'pending',
  'ready',
  'awaiting-approval',
  'running',
  'verifying',
  'awaiting-answer',
  'awaiting-review',
  'merge-conflict',
  'verification-failed',
  'succeeded',
  'failed',
  'skipped',
  'cancelled',
  'blocked',
]);
const PHASES = new Set(['planning', 'awaiting-plan-approval', 'running', 'paused', 'completed', 'failed', 'cancelled']);

/** The problems of `value` as the status JSON of DESIGN.md §7 (empty: it has that shape). */
export function statusShapeProblems(value: unknown): string[] {
  const problems: string[] = [];
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(value)) return ['not a JSON object'];
  const expect = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  const nullableString = (v: unknown) => v === null || typeof v === 'string';
  const nullableIso = (v: unknown) => v === null || (typeof v === 'string' && ISO.test(v));
  expect(typeof value.runId === 'string' && value.runId.length > 0, 'runId: a non-empty string');
  expect(typeof value.phase === 'string' && PHASES.has(value.phase), `phase: one of ${[...PHASES].join('|')}`);
  expect(Array.isArray(value.waitingOn) && value.waitingOn.every((w) => typeof w === 'string'), 'waitingOn: strings');
  expect(typeof value.costUsd === 'number' && value.costUsd >= 0, 'costUsd: a number ≥ 0');
  expect(typeof value.startedAt === 'string' && ISO.test(value.startedAt), 'startedAt: an ISO time');
  expect(typeof value.updatedAt === 'string' && ISO.test(value.updatedAt), 'updatedAt: an ISO time');
  if (!Array.isArray(value.tasks) || value.tasks.length === 0) return [...problems, 'tasks: a non-empty list'];
  value.tasks.forEach((task: unknown, i) => {
    const at = `tasks[${i}]`;
    if (!isObject(task)) return problems.push(`${at}: an object`);
    expect(typeof task.id === 'string', `${at}.id: a string`);
    expect(typeof task.state === 'string' && TASK_STATES.has(task.state), `${at}.state: a task state`);
    expect(Number.isInteger(task.attempts) && (task.attempts as number) >= 0, `${at}.attempts: an integer ≥ 0`);
    expect(nullableIso(task.startedAt), `${at}.startedAt: an ISO time or null`);
    expect(nullableIso(task.endedAt), `${at}.endedAt: an ISO time or null`);
    expect(typeof task.costUsd === 'number' && task.costUsd >= 0, `${at}.costUsd: a number ≥ 0`);
    expect(nullableString(task.summary), `${at}.summary: a string or null`);
    expect(nullableString(task.artifactPath), `${at}.artifactPath: a string or null`);
    expect(nullableString(task.error), `${at}.error: a string or null`);
    return undefined;
  });
  return problems;
}

export type { RunStatus };
