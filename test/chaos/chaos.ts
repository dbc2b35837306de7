// What the chaos tests share: workers in child processes (to SIGKILL or SIGTERM), Temporal dev servers of
// their own (to kill and restart), a scripted model the real claude talks to, and the checks: requests per
// task, resumed conversations, processes left behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { WORKFLOW_TYPE } from '../../src/client/runs.js';
import { resolvePlanPaths } from '../../src/plan/resolve.js';
import { PlanSchema, type PlanInput } from '../../src/plan/schema.js';
import { devServerArgs } from '../../src/client/dev-server-tuning.js';
import { FakeModel, type RequestLogEntry, type TaskScript } from '../../src/rehearsal/fake-model.js';
import { statusQuery } from '../../src/workflows/messages.js';
import type { OrchestrateInput, OrchestrateOptions } from '../../src/workflows/orchestrate.js';
import { isListening } from '../helpers/cli.js';
import { CLAUDE_BIN, claudeEnv } from '../helpers/claude-env.js';
import { agentFolders } from '../helpers/workflow-harness.js';

const WORKER_SCRIPT = fileURLToPath(new URL('./worker-process.js', import.meta.url));

export interface Scene {
  root: string;
  cwd: string;
  configDir: string;
  artifactsDir: string;
  taskQueue: string;
  fake: FakeModel;
  /** Environment of the worker processes (and so of every claude): the fake model, the config folder. */
  env: Record<string, string>;
  /** Worker processes started for the scene: cleanup kills those a failed test left running. */
  workers: ChildProcess[];
  cleanup(): Promise<void>;
}

export async function scene(script: Record<string, TaskScript>): Promise<Scene> {
  const root = await mkdtemp(path.join(tmpdir(), 'baton-chaos-'));
  const { cwd, configDir, artifactsDir } = await agentFolders(root);
  // claude's Bash tool starts with a login shell of HOME's profile: the runner's (pyenv's rehash takes a lock that
  // a SIGKILL leaves behind, and every later shell waits a minute on it) has no place in a test that kills agents.
  const home = path.join(root, 'home');
  await mkdir(home);
  const fake = await FakeModel.start({ script, rehearse: false, costPerRequestUsd: 0.01 });
  const workers: ChildProcess[] = [];
  return {
    root,
    cwd,
    configDir,
    artifactsDir,
    taskQueue: `baton-chaos-${randomBytes(4).toString('hex')}`,
    fake,
    env: { ...claudeEnv(fake, configDir), HOME: home },
    workers,
    async cleanup() {
      // A test that failed half way leaves its workers polling: the test file would never end.
      const left = workers.filter((child) => child.exitCode === null && child.signalCode === null);
      await Promise.all(
        left.map(
          (child) => new Promise<void>((resolve) => (child.once('exit', () => resolve()), child.kill('SIGKILL'))),
        ),
      );
      await fake.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Run `body` in a fresh scene, cleaned up afterwards whatever happens. */
export async function withScene<T>(script: Record<string, TaskScript>, body: (s: Scene) => Promise<T>): Promise<T> {
  const s = await scene(script);
  try {
    return await body(s);
  } finally {
    await s.cleanup();
  }
}

export interface WorkerProcess {
  child: ChildProcess;
  /** When the process was spawned, and when it said it polls (Date.now()). */
  spawnedAt: number;
  ready: Promise<number>;
  /** Exit code (or 128 + signal number) once it has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  stderr(): string;
}

/** What a worker standing for another host has of its own: its artifacts folder, its environment (CLAUDE_CONFIG_DIR…). */
export interface HostSettings {
  artifactsDir?: string;
  env?: Record<string, string | undefined>;
}

export function startWorker(
  s: Scene,
  address: string,
  extraArgs: string[] = [],
  host: HostSettings = {},
): WorkerProcess {
  const artifacts = host.artifactsDir ?? s.artifactsDir;
  const args = [WORKER_SCRIPT, '--address', address, '--task-queue', s.taskQueue, '--artifacts', artifacts];
  args.push('--claude', CLAUDE_BIN, ...extraArgs);
  const spawnedAt = Date.now();
  const env: Record<string, string | undefined> = { ...process.env, ...s.env, ...host.env };
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  s.workers.push(child);
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const ready = new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('ready\n')) resolve(Date.now());
    });
    void exited.then(({ code }) => reject(new Error(`worker process exited (${code}) before it was ready: ${err}`)));
  });
  ready.catch(() => undefined); // observed by the tests that await it
  return { child, spawnedAt, ready, exited, stderr: () => err };
}

/** Start `orchestrate` on the scene's task queue with a plan resolved against its cwd. */
export async function startRun(
  client: Client,
  s: Scene,
  plan: PlanInput,
  options: OrchestrateOptions = {},
): Promise<WorkflowHandle> {
  const resolved = resolvePlanPaths(PlanSchema.parse(plan), s.cwd);
  const input: OrchestrateInput = {
    plan: resolved,
    options: { cwd: s.cwd, retryInitialInterval: '100ms', heartbeatTimeout: '3s', ...options },
  };
  return await client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: s.taskQueue,
    workflowId: `baton-${resolved.name}-${randomBytes(3).toString('hex')}`,
    args: [input],
  });
}

export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** An agent's script of two turns (a Bash command, then the final text), every answer after `delayMs`. */
export function twoTurns(id: string, delayMs?: number): TaskScript {
  return {
    turns: [{ bash: `echo ${id} > ${id}.txt` }, { text: `${id} finished` }, { text: `${id} finished` }],
    ...(delayMs ? { delayMs } : {}),
  };
}

/** The three tasks of the fan-in that run side by side, slowly, when the kill tests strike. */
export const SLOW = ['slow-a', 'slow-b', 'slow-c'];

/** The fan-in's script: early answers at once, the slow tasks take two turns of `slowDelayMs` each. */
export function fanInScript(slowDelayMs: number): Record<string, TaskScript> {
  const script: Record<string, TaskScript> = { early: { turns: [{ text: 'early done' }] }, final: {} };
  for (const id of SLOW) script[id] = twoTurns(id, slowDelayMs);
  return script;
}

/** early, the three slow tasks, and final after all of them, all at once. */
export function fanInPlan(name: string, retries: number): PlanInput {
  return {
    version: 1,
    name,
    maxParallel: 4,
    defaults: { timeout: '5m', retries },
    tasks: [
      { id: 'early', prompt: 'Be quick.' },
      ...SLOW.map((id) => ({ id, prompt: `Work slowly on ${id}.` })),
      { id: 'final', prompt: 'Sum up.', dependsOn: ['early', ...SLOW] },
    ],
  };
}

/** Until early has succeeded and the slow agents are in their second turn (`what` names that wait). */
export async function untilSlowAgentsMidConversation(s: Scene, handle: WorkflowHandle, what: string): Promise<void> {
  await until('early to succeed', async () => {
    const status = await handle.query(statusQuery);
    return status.tasks.find((t) => t.id === 'early')?.state === 'succeeded';
  });
  await until(what, () => SLOW.every((id) => s.fake.requestsFor(id).some((r) => r.assistantTurns >= 1)));
}

/** The requests of a task that continued an earlier conversation with baton's resume prompt. */
export function resumedRequests(fake: FakeModel, key: string): RequestLogEntry[] {
  return fake.requestsFor(key).filter((r) => r.assistantTurns >= 1 && /You were interrupted/.test(r.lastUserText));
}

/** A line of figures for the closing note: `[chaos] name: k=v …`. */
export function report(name: string, figures: Record<string, unknown>): void {
  const parts = Object.entries(figures).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  console.log(`[chaos] ${name}: ${parts.join(' ')}`);
}

/** A Temporal dev server of one test's own, with its database in a file: to kill and restart. */
export class DevServer {
  #child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    readonly dbFile: string,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const bin = process.env.TEMPORAL_CLI_PATH ?? 'temporal';
    const args = ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(this.port)];
    args.push('--db-filename', this.dbFile, '--log-level', 'error');
    // Search attributes and tuning, as the embedded default has them.
    args.push(...devServerArgs());
    // Its own process group: `temporal` may be a wrapper (pyenv shim), and SIGKILL must reach the server.
    const child = spawn(bin, args, { stdio: 'ignore', detached: true });
    this.#child = child;
    await until(
      'the Temporal dev server to listen',
      async () => child.exitCode === null && (await isListening(this.port)),
      60_000,
    );
  }

  /** SIGKILL, no goodbye: the server loses whatever it had not written to its database. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid, 'SIGKILL');
    await gone;
    await until('the port to be free', async () => !(await isListening(this.port)), 30_000);
  }
}
