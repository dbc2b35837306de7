// Everything a workflow test needs to run `orchestrate` for real: a FakeModel that the real `claude`
// binary talks to, a temp working folder and CLAUDE_CONFIG_DIR, and a baton worker with the real
// runAgent on a task queue of its own, against the suite's real Temporal dev server.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client, WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import type { ArtifactStore } from '../../src/artifacts/store.js';
import { finalStatus, WORKFLOW_TYPE } from '../../src/client/runs.js';
import { PlanSchema, type PlanInput } from '../../src/plan/schema.js';
import { resolvePlanPaths } from '../../src/plan/resolve.js';
import { FakeModel, type FakeModelOptions, type RequestLogEntry } from '../../src/rehearsal/fake-model.js';
import { createBatonWorker } from '../../src/workers/worker.js';
import { statusQuery } from '../../src/workflows/messages.js';
import type { OrchestrateInput, OrchestrateOptions } from '../../src/workflows/orchestrate.js';
import type { RunStatus, TaskView } from '../../src/workflows/status.js';
import { CLAUDE_BIN, claudeEnv } from './claude-env.js';
import { testTemporal, type TestTemporal } from './temporal.js';
import { testPolicy } from './policy.js';
import type { WorkerPolicy } from '../../src/policy/worker-policy.js';

// Where the workflow tests have always found it.
export { processesOf } from './processes.js';

/** Cost the fake makes claude report for each answered request. */
export const COST_PER_REQUEST_USD = 0.01;

/**
 * The suite's Temporal dev server (see test/helpers/temporal.ts), with the worker runtime's logging
 * turned down first: workflow warnings such as "refused … signal" are expected here.
 */
export async function workflowTemporal(): Promise<TestTemporal> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  return await testTemporal();
}

export interface Harness {
  client: Client;
  fake: FakeModel;
  /** Unique temp folder holding everything of this harness (cwd, config, artifacts). */
  root: string;
  /** The agents' working folder (the plan's workspace). */
  cwd: string;
  /** CLAUDE_CONFIG_DIR of every claude this harness starts. */
  configDir: string;
  artifactsDir: string;
  /** Root of the runs' git worktrees (worktree isolation). */
  worktreesDir: string;
  taskQueue: string;
  worker: Worker;
  /** Start `orchestrate` with a plan whose paths are resolved against `cwd` (options added to FAST). */
  start(
    plan: PlanInput,
    options?: OrchestrateOptions,
    workflowId?: string,
  ): Promise<WorkflowHandleWithFirstExecutionRunId>;
  /**
   * The run's final status, whether it completed or failed; for a cancelled run, its last status (query).
   * A run that has not ended within `timeoutMs` fails the test with its current status.
   */
  result(handle: WorkflowHandle, timeoutMs?: number): Promise<RunStatus>;
  /** The status query. */
  status(handle: WorkflowHandle): Promise<RunStatus>;
  /** Poll the status until `predicate` holds (or fail after `timeoutMs`). */
  waitFor(
    handle: WorkflowHandle,
    predicate: (s: RunStatus) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<RunStatus>;
}

export interface HarnessOptions {
  script?: FakeModelOptions['script'];
  /** Default false: unscripted keys answer "Done." */
  rehearse?: boolean;
  /** Agents one worker runs at once (default: the worker's default). */
  maxConcurrentAgents?: number;
  /** BATON_NOTIFY_CMD of the worker. */
  notifyCommand?: string[];
  /** The worker's artifact store (default: its artifacts folder). */
  store?: ArtifactStore;
  /** The worker's policy (default: testPolicy()). */
  policy?: WorkerPolicy;
}

/** The folders of agents under `root` (made, with `root` if need be): working folder, CLAUDE_CONFIG_DIR, artifacts. */
export async function agentFolders(root: string): Promise<{ cwd: string; configDir: string; artifactsDir: string }> {
  const folders = {
    cwd: path.join(root, 'cwd'),
    configDir: path.join(root, 'claude-config'),
    artifactsDir: path.join(root, 'artifacts'),
  };
  await Promise.all(Object.values(folders).map((dir) => mkdir(dir, { recursive: true })));
  return folders;
}

export interface TestWorkerOptions extends Pick<
  HarnessOptions,
  'maxConcurrentAgents' | 'notifyCommand' | 'store' | 'policy'
> {
  taskQueue: string;
  /** The model every claude of the worker talks to. */
  fake: FakeModel;
  /** CLAUDE_CONFIG_DIR of those claudes. */
  configDir: string;
  artifactsDir: string;
  worktreesDir?: string;
  dataConverter?: DataConverter;
}

/**
 * A baton worker as the tests run it, in this process: the real claude against `fake`, an agent killed 500 ms after
 * its SIGTERM, and 5 s for running agents when the worker shuts down.
 */
export async function testWorker(temporal: TestTemporal, options: TestWorkerOptions): Promise<Worker> {
  return await createBatonWorker({
    connection: temporal.nativeConnection,
    namespace: 'default',
    taskQueue: options.taskQueue,
    activities: {
      artifactsDir: options.artifactsDir,
      worktreesDir: options.worktreesDir,
      claudeBin: CLAUDE_BIN,
      env: claudeEnv(options.fake, options.configDir),
      killGraceMs: 500,
      store: options.store,
      policy: options.policy ?? testPolicy(),
    },
    maxConcurrentAgents: options.maxConcurrentAgents,
    notifyCommand: options.notifyCommand,
    dataConverter: options.dataConverter,
    shutdownGraceTime: '5s',
  });
}

/** How long `result()` waits for a run to end by default. */
export const RUN_TIMEOUT_MS = 60_000;

/** Options that keep runs fast in tests: retries 100 ms apart. */
export const FAST: OrchestrateOptions = { retryInitialInterval: '100ms' };

/**
 * Run `body` with a fresh harness whose worker runs until `body` settles (`worker.runUntil`); the fake
 * model stops and the temp folder goes afterwards.
 */
export async function withHarness<T>(
  temporal: TestTemporal,
  options: HarnessOptions,
  body: (h: Harness) => Promise<T>,
): Promise<T> {
  const root = await mkdtemp(path.join(tmpdir(), 'baton-wf-'));
  const { cwd, configDir, artifactsDir } = await agentFolders(root);
  const worktreesDir = path.join(root, 'worktrees');
  const fake = await FakeModel.start({
    script: options.script,
    rehearse: options.rehearse ?? false,
    costPerRequestUsd: COST_PER_REQUEST_USD,
  });
  const taskQueue = `baton-test-${randomBytes(4).toString('hex')}`;
  const started: WorkflowHandle[] = [];
  try {
    const worker = await testWorker(temporal, {
      taskQueue,
      fake,
      configDir,
      artifactsDir,
      worktreesDir,
      store: options.store,
      policy: options.policy,
      maxConcurrentAgents: options.maxConcurrentAgents,
      notifyCommand: options.notifyCommand,
    });
    const client = temporal.client;
    const h: Harness = {
      client,
      fake,
      root,
      cwd,
      configDir,
      artifactsDir,
      worktreesDir,
      taskQueue,
      worker,
      async start(plan, runOptions = {}, workflowId) {
        const resolved = resolvePlanPaths(PlanSchema.parse(plan), cwd);
        const input: OrchestrateInput = { plan: resolved, options: { cwd, ...FAST, ...runOptions } };
        const handle = await client.workflow.start(WORKFLOW_TYPE, {
          taskQueue,
          workflowId: workflowId ?? `baton-${resolved.name}-${randomBytes(3).toString('hex')}`,
          args: [input],
          staticSummary: `${resolved.name}: ${resolved.tasks.length} tasks`,
        });
        started.push(handle);
        return handle;
      },
      async result(handle, timeoutMs = RUN_TIMEOUT_MS) {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            void handle.query(statusQuery).then(
              (s) => reject(new Error(`the run did not end within ${timeoutMs} ms: ${describeStatus(s)}`)),
              (err: unknown) => reject(new Error(`the run did not end within ${timeoutMs} ms (${String(err)})`)),
            );
          }, timeoutMs);
        });
        try {
          return await Promise.race([finalStatus(handle), timeout]).then(
            async (final) => final ?? (await handle.query(statusQuery)),
          );
        } finally {
          clearTimeout(timer);
        }
      },
      async status(handle) {
        return await handle.query(statusQuery);
      },
      async waitFor(handle, predicate, what, timeoutMs = 30_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const status = await handle.query(statusQuery);
          if (predicate(status)) return status;
          if (Date.now() > deadline) {
            throw new Error(`timed out waiting for ${what}; status: ${describeStatus(status)}`);
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      },
    };
    return await worker.runUntil(body(h));
  } finally {
    // A failed test may leave its run open: end it, so nothing of it lingers on the shared server.
    await Promise.all(started.map((handle) => handle.terminate('test over').catch(() => undefined)));
    await fake.stop();
    await rm(root, { recursive: true, force: true });
  }
}

/** A plan with `tasks`, defaults that keep attempts short, and any other plan fields given. */
export function plan(name: string, tasks: PlanInput['tasks'], rest: Partial<PlanInput> = {}): PlanInput {
  return { version: 1, name, defaults: { timeout: '60s', retries: 3 }, ...rest, tasks };
}

export function taskOf(status: RunStatus, id: string): TaskView {
  const task = status.tasks.find((t) => t.id === id);
  if (!task) throw new Error(`no task ${id} in ${describeStatus(status)}`);
  return task;
}

/** `id=state` pairs, for assertion messages. */
export function describeStatus(status: RunStatus): string {
  return `${status.phase} [${status.tasks.map((t) => `${t.id}=${t.state}/${t.attempts}`).join(', ')}]`;
}

/** States by task id. */
export function statesOf(status: RunStatus): Record<string, string> {
  return Object.fromEntries(status.tasks.map((t) => [t.id, t.state]));
}

/** A task's agent in flight: from its first request received to its last request answered. */
export interface Interval {
  key: string;
  start: number;
  end: number;
}

export function intervalsOf(log: readonly RequestLogEntry[]): Interval[] {
  const byKey = new Map<string, Interval>();
  for (const entry of log) {
    if (entry.key === null) continue;
    const end = entry.answeredAt ?? Number.POSITIVE_INFINITY;
    const known = byKey.get(entry.key);
    if (!known) byKey.set(entry.key, { key: entry.key, start: entry.receivedAt, end });
    else {
      known.start = Math.min(known.start, entry.receivedAt);
      known.end = Math.max(known.end, end);
    }
  }
  return [...byKey.values()];
}

/** The most intervals that overlap at one instant (touching ends do not overlap). */
export function maxOverlap(intervals: readonly Interval[]): number {
  // At equal times, ends sort before starts: an agent that ends as another starts is not concurrent with it.
  const points = intervals.flatMap((i) => [
    { at: i.start, delta: 1 },
    { at: i.end, delta: -1 },
  ]);
  points.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let current = 0;
  let max = 0;
  for (const p of points) {
    current += p.delta;
    max = Math.max(max, current);
  }
  return max;
}
