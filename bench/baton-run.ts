// One run of a scenario on baton: a fresh worker process, the orchestrate workflow on the bench's
// Temporal server, and afterwards what the server recorded (history of every continue-as-new run).
import { execFile, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { finalStatus, getStatus, startRun } from '../src/client/runs.js';
import { SNAPSHOT_FRESH_MS } from '../src/snapshot/reader.js';
import type { RunStatus } from '../src/workflows/status.js';
import type { AgentCommand } from './lower-bound.js';
import { treeHistoryFacts, type HistoryFacts } from './history.js';
import type { Scenario } from './scenarios.js';
import { cpuFromNow, cpuSeconds, startWorker } from './worker-handle.js';

export type { HistoryFacts } from './history.js';

export interface StatusProbe {
  /** getStatus() (what `baton status` calls), while the run went on, ms. */
  duringMs: number[];
  afterMs: number[];
  /** The `baton status <run> --json` command, process start to exit, ms. */
  cliDuringMs: number[];
  /** A bare `node -e 0` at the same moments: what any process start costs on the machine while the run goes on. */
  nodeDuringMs: number[];
  cliAfterMs: number[];
  /** Size of the status JSON of the finished run. */
  jsonBytes: number;
  /** Probes that failed (an error instead of a status), with the first few messages. */
  failures: number;
  errors: string[];
}

export interface BatonRun {
  workflowId: string;
  makespanMs: number;
  peakRssMb: number | null;
  /** CPU seconds over the run: the worker process (its start included) and the Temporal dev server. */
  cpu: { workerS: number | null; serverS: number | null };
  history: HistoryFacts;
  status: StatusProbe | null;
}

export interface BatonContext {
  client: Client;
  address: string;
  agent: AgentCommand;
  workDir: string;
  /** The dev server's process, whose CPU time the run is measured by. */
  serverPid?: number;
}

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

export async function runOnBaton(ctx: BatonContext, scenario: Scenario, label: string): Promise<BatonRun> {
  const artifactsDir = path.join(ctx.workDir, 'artifacts');
  mkdirSync(artifactsDir, { recursive: true });
  const taskQueue = `bench-${label}`;
  const worker = await startWorker({
    address: ctx.address,
    taskQueue,
    claudeBin: ctx.agent.bin,
    artifactsDir,
    env: ctx.agent.env,
    maxConcurrentAgents: Math.max(scenario.plan.maxParallel, 16),
    ...(scenario.warmAgents === undefined ? {} : { warmAgents: scenario.warmAgents }),
  });
  try {
    const serverCpu = cpuFromNow(() => (ctx.serverPid ? cpuSeconds(ctx.serverPid) : null));
    const started = performance.now();
    const handle = await startRun(ctx.client, {
      plan: scenario.plan,
      taskQueue,
      workflowId: `bench-${label}`,
      options: { cwd: ctx.agent.cwd },
    });
    const result = finalStatus(handle);
    const stalled = watchForStall(ctx.client, handle.workflowId, ctx.agent.env.BENCH_STUB_LOG, result);
    const probe = scenario.probeStatus ? await probeWhileRunning(ctx, handle.workflowId, result) : null;
    const outcome = await Promise.race([
      result.then(
        (status) => ({ status }),
        (error: unknown) => ({ error }),
      ),
      stalled.then((reason) => ({ reason })),
    ]);
    if ('reason' in outcome) throw new StalledRunError(outcome.reason);
    if ('error' in outcome) {
      // Terminated by the watchdog: its reason says more than "terminated".
      const reason = await Promise.race([stalled, new Promise<null>((r) => setTimeout(() => r(null), 2000))]);
      throw reason ? new StalledRunError(reason) : outcome.error;
    }
    const final = outcome.status;
    const makespanMs = performance.now() - started;
    if (final?.phase !== 'completed') throw new Error(`baton run ${handle.workflowId} ended ${final?.phase}`);
    const peakRssMb = worker.peakRssMb();
    const cpu = { workerS: worker.cpuSeconds(), serverS: serverCpu() };
    if (probe) await probeAfter(ctx, handle.workflowId, probe);
    // startRun returns the handle client.workflow.start made, which knows the first run of the chain.
    const firstRunId = (handle as { firstExecutionRunId?: string }).firstExecutionRunId;
    if (!firstRunId) throw new Error('startRun did not return the first run id');
    const history = await treeHistoryFacts(ctx.client, handle.workflowId, firstRunId, final);
    return { workflowId: handle.workflowId, makespanMs, peakRssMb, cpu, history, status: probe };
  } finally {
    await worker.stop();
  }
}

/** A run that stopped making progress: what Temporal reports about it, and how far it got. */
export class StalledRunError extends Error {
  override name = 'StalledRunError';
}

const STALL_MS = 90_000;

/**
 * Resolves with a reason when the run stalls: Temporal reports a problem (such as a workflow task failing on
 * payloads too large) for 15 s, or no agent starts for 90 s (`log`: the stub log its agents write). The run is
 * terminated then, so the bench can go on. Never settles when the run ends.
 */
export async function watchForStall(
  client: Client,
  workflowId: string,
  log: string | undefined,
  result: Promise<unknown>,
): Promise<string> {
  let done = false;
  void result.finally(() => (done = true)).catch(() => undefined);
  let lastSize = -1;
  let lastChange = Date.now();
  let problemSince: number | null = null;
  for (;;) {
    await new Promise((r) => setTimeout(r, 5000));
    if (done) return new Promise<string>(() => undefined);
    const size = log ? (statSync(log, { throwIfNoEntry: false })?.size ?? 0) : 0;
    if (size !== lastSize) [lastSize, lastChange] = [size, Date.now()];
    const handle = client.workflow.getHandle(workflowId);
    const description = await handle.describe().catch(() => null);
    if (!description) continue;
    const problems = description.searchAttributes?.TemporalReportedProblems as string[] | undefined;
    if (problems?.length) problemSince ??= Date.now();
    else problemSince = null;
    const stalled = (problemSince !== null && Date.now() - problemSince > 15_000) || Date.now() - lastChange > STALL_MS;
    if (!stalled || done) continue;
    // No log yet: no agent ever started.
    const agents =
      log && size > 0
        ? readFileSync(log, 'utf8')
            .split('\n')
            .filter((l) => l.startsWith('end ')).length
        : 0;
    const reason =
      `run ${workflowId} stalled after ${agents} agents ended, at ${description.historyLength} history events ` +
      `(${((description.historySize ?? 0) / 2 ** 20).toFixed(1)} MB): ${problems?.join(', ') ?? `no agent started for ${STALL_MS / 1000} s`}`;
    await handle.terminate(`bench: ${reason}`).catch(() => undefined);
    return reason;
  }
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const value = await fn();
  return [performance.now() - t0, value];
}

/**
 * `baton status <run> --json` as a user runs it, against the bench's server, with the worker's BATON_HOME (so that
 * it finds the run's status snapshot while that is fresh, as on the machine that runs the run). Its output goes to
 * a file, as with `> status.json`: through a pipe, two megabytes would wait on this busy process to read them.
 */
function statusCli(ctx: BatonContext, runId: string): Promise<number> {
  const outFile = path.join(ctx.workDir, 'status-cli.json');
  const out = openSync(outFile, 'w');
  const t0 = performance.now();
  return new Promise<number>((resolve, reject) => {
    // BENCH_CLI_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": profile the command.
    const nodeArgs = (process.env.BENCH_CLI_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...nodeArgs, CLI, 'status', runId, '--json'], {
      env: { ...process.env, TEMPORAL_ADDRESS: ctx.address, BATON_HOME: ctx.workDir },
      stdio: ['ignore', out, 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const ms = performance.now() - t0;
      // Exit 1 means a failed run, which the bench reports elsewhere; anything else is a broken probe.
      const answered = (code === 0 || code === 1) && readFileSync(outFile, 'utf8').includes('"phase"');
      if (answered) resolve(ms);
      else reject(new Error(`baton status exited ${code}: ${stderr.trim()}`));
    });
  }).finally(() => closeSync(out));
}

/** `node -e 0`, start to exit, ms. */
function bareNode(): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', '0'], (err) => (err ? reject(err) : resolve(performance.now() - t0)));
  });
}

async function probeWhileRunning(
  ctx: BatonContext,
  runId: string,
  result: Promise<RunStatus | null>,
): Promise<StatusProbe> {
  const probe: StatusProbe = {
    duringMs: [],
    afterMs: [],
    cliDuringMs: [],
    nodeDuringMs: [],
    cliAfterMs: [],
    jsonBytes: 0,
    failures: 0,
    errors: [],
  };
  let done = false;
  void result.finally(() => (done = true)).catch(() => undefined);
  let round = 0;
  while (!done) {
    await new Promise((r) => setTimeout(r, 1000));
    if (done) break;
    round++;
    try {
      const [ms, status] = await timed(() => getStatus(ctx.client, runId));
      if (status.phase === 'running') probe.duringMs.push(ms);
      if (round % 10 === 0) {
        const finished = status.tasks.filter((t) => t.state === 'succeeded').length;
        process.stderr.write(
          `    ${runId}: ${finished}/${status.tasks.length} tasks done, status took ${ms.toFixed(0)} ms\n`,
        );
      }
      // The CLI every third round: a process start costs the machine more than a query does.
      if (round % 3 === 0) {
        probe.cliDuringMs.push(await statusCli(ctx, runId));
        probe.nodeDuringMs.push(await bareNode());
      }
    } catch (err) {
      probe.failures++;
      if (probe.errors.length < 5) probe.errors.push(describeError(err));
    }
  }
  return probe;
}

function describeError(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error && parts.length < 4; e = e.cause) parts.push(e.message);
  return parts.join(' ← ') || String(err);
}

async function probeAfter(ctx: BatonContext, runId: string, probe: StatusProbe): Promise<void> {
  // Once the final snapshot is stale, as it is for anyone who looks later: the command asks Temporal.
  await new Promise((r) => setTimeout(r, SNAPSHOT_FRESH_MS + 500));
  for (let i = 0; i < 3; i++) {
    const [ms, status] = await timed(() => getStatus(ctx.client, runId));
    probe.afterMs.push(ms);
    probe.jsonBytes = JSON.stringify(status).length;
    probe.cliAfterMs.push(await statusCli(ctx, runId));
  }
}
