// Issue 22: many runs at once on one worker. 50 runs of a 20-task plan (4 layers of 5), started together, against one
// run of the same 1,000 agents as independent tasks; stub agents of 200 ms, one worker with 32 agent slots. The two
// sides alternate which goes first, each on a fresh dev server and a fresh worker, so that each side's CPU (the
// worker's and the server's, /proc/<pid>/stat) is its own.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { finalStatus, startRun } from '../src/client/runs.js';
import { PlanSchema, type Plan, type TaskInput } from '../src/plan/schema.js';
import { median } from './stats.js';
import type { Stub } from './stub.js';
import { readStubLog } from './stub-log.js';
import { cpuFromNow, cpuSeconds, startWorker } from './worker-handle.js';

const AGENT_MS = 200;
const AGENT_SLOTS = 32;
const RUNS = 50;
const LAYERS = 4;
const WIDTH = 5;
const TASKS = RUNS * LAYERS * WIDTH;

export const MANY_RUNS_SHAPE =
  `${RUNS} runs × ${LAYERS} layers of ${WIDTH} tasks (each depends on the whole layer before) started at once, ` +
  `vs one run of ${TASKS} independent tasks; ${AGENT_MS} ms agents, one worker with ${AGENT_SLOTS} agent slots`;

/** The ratio many/one must stay under (issue 22). */
export const MANY_RUNS_LIMIT = 1.3;

export interface ManyRunsSide {
  makespanMs: number;
  /** First agent start to last agent end. */
  agentSpanMs: number | null;
  /** From the first start request to the first agent's start, and from the last agent's end to the last run's end. */
  firstAgentMs: number | null;
  afterLastAgentMs: number | null;
  /** CPU seconds over the side: the worker process (its start included) and the dev server. */
  workerCpuS: number | null;
  serverCpuS: number | null;
  /** (worker + server CPU) / agents, ms. */
  cpuPerTaskMs: number | null;
  /** Summed over the side's runs: history events and workflow tasks completed. */
  events: number;
  workflowTasks: number;
}

export interface ManyRunsRound {
  one: ManyRunsSide;
  many: ManyRunsSide;
  ratio: number;
  loadAtStart: number;
}

export interface ManyRuns {
  shape: string;
  limit: number;
  rounds: ManyRunsRound[];
  ratio: { median: number | null; all: number[] };
}

/** A fresh dev server and its client for one side. */
export interface FreshServer {
  client: Client;
  address: string;
  serverPid: number;
}

function makePlan(name: string, maxParallel: number, tasks: TaskInput[]): Plan {
  return PlanSchema.parse({ version: 1, name, maxParallel, defaults: { timeout: '5m', retries: 2 }, tasks });
}

const prompt = `Benchmark task.\nsleep-ms: ${AGENT_MS}\n`;

function layeredPlan(run: number): Plan {
  const id = (layer: number, i: number) => `r${run}-l${layer}-t${i}`;
  const tasks: TaskInput[] = [];
  for (let layer = 0; layer < LAYERS; layer++) {
    for (let i = 0; i < WIDTH; i++) {
      const before = Array.from({ length: WIDTH }, (_, j) => id(layer - 1, j));
      tasks.push({ id: id(layer, i), prompt, dependsOn: layer === 0 ? [] : before });
    }
  }
  return makePlan(`bench-many-${run}`, WIDTH, tasks);
}

function independentPlan(): Plan {
  const tasks = Array.from({ length: TASKS }, (_, i) => ({ id: `t${String(i).padStart(4, '0')}`, prompt }));
  return makePlan('bench-many-one', AGENT_SLOTS, tasks);
}

/** History events and completed workflow tasks of a run (one run of its chain: these plans never continue as new). */
async function historyCounts(client: Client, workflowId: string): Promise<{ events: number; workflowTasks: number }> {
  let events = 0;
  let workflowTasks = 0;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  for (const event of history.events ?? []) {
    events++;
    if (event.workflowTaskCompletedEventAttributes) workflowTasks++;
  }
  return { events, workflowTasks };
}

async function side(server: FreshServer, stub: Stub, plans: Plan[], label: string): Promise<ManyRunsSide> {
  const dir = mkdtempSync(path.join(tmpdir(), 'baton-bench-many-'));
  try {
    const cwd = path.join(dir, 'cwd');
    const artifactsDir = path.join(dir, 'artifacts');
    mkdirSync(cwd, { recursive: true });
    mkdirSync(artifactsDir, { recursive: true });
    const log = path.join(dir, 'stub.log');
    const taskQueue = `bench-${label}`;
    const worker = await startWorker({
      address: server.address,
      taskQueue,
      claudeBin: stub.bin,
      artifactsDir,
      env: { BENCH_STUB_LOG: log },
      maxConcurrentAgents: AGENT_SLOTS,
    });
    try {
      const workerCpu = cpuFromNow(() => worker.cpuSeconds());
      const serverCpu = cpuFromNow(() => cpuSeconds(server.serverPid));
      const started = performance.now();
      const startedAt = Date.now();
      const handles = await Promise.all(
        plans.map((plan, i) =>
          startRun(server.client, { plan, taskQueue, workflowId: `${label}-${i}`, options: { cwd } }),
        ),
      );
      const finals = await Promise.all(handles.map((h) => finalStatus(h)));
      const makespanMs = performance.now() - started;
      const endedAt = Date.now();
      const workerCpuS = workerCpu();
      const serverCpuS = serverCpu();
      const failed = finals.findIndex((f) => f?.phase !== 'completed');
      if (failed >= 0) throw new Error(`run ${handles[failed]!.workflowId} ended ${finals[failed]?.phase}`);
      let events = 0;
      let workflowTasks = 0;
      for (const h of handles) {
        const counts = await historyCounts(server.client, h.workflowId);
        events += counts.events;
        workflowTasks += counts.workflowTasks;
      }
      const agents = plans.reduce((n, p) => n + p.tasks.length, 0);
      const spans = [...readStubLog(log).values()].flat();
      const firstStart = spans.length ? Math.min(...spans.map((s) => s.start)) : null;
      const lastEnd = spans.length ? Math.max(...spans.map((s) => s.end ?? s.start)) : null;
      return {
        makespanMs,
        agentSpanMs: firstStart === null || lastEnd === null ? null : lastEnd - firstStart,
        firstAgentMs: firstStart === null ? null : firstStart - startedAt,
        afterLastAgentMs: lastEnd === null ? null : endedAt - lastEnd,
        workerCpuS,
        serverCpuS,
        cpuPerTaskMs: workerCpuS !== null && serverCpuS !== null ? ((workerCpuS + serverCpuS) * 1000) / agents : null,
        events,
        workflowTasks,
      };
    } finally {
      await worker.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A side left out (BENCH_MANY_SIDES). */
const NOT_MEASURED: ManyRunsSide = {
  makespanMs: NaN,
  agentSpanMs: null,
  firstAgentMs: null,
  afterLastAgentMs: null,
  workerCpuS: null,
  serverCpuS: null,
  cpuPerTaskMs: null,
  events: 0,
  workflowTasks: 0,
};

/** `rounds` rounds of both sides, alternating which goes first; `fresh` gives each side a new dev server. */
export async function measureManyRuns(
  fresh: () => Promise<FreshServer>,
  stub: Stub,
  rounds: number,
  loadAverage: () => number,
): Promise<ManyRuns> {
  const result: ManyRunsRound[] = [];
  const many = Array.from({ length: RUNS }, (_, i) => layeredPlan(i));
  const one = [independentPlan()];
  // BENCH_MANY_SIDES=many (or one): that side alone, for a quicker look while profiling; the ratio is then NaN.
  const only = process.env.BENCH_MANY_SIDES;
  for (let r = 0; r < rounds; r++) {
    const loadAtStart = loadAverage();
    const tag = `many-${Date.now().toString(36)}-${r}`;
    const sides: Partial<Record<'one' | 'many', ManyRunsSide>> = {};
    for (const which of r % 2 === 0 ? (['one', 'many'] as const) : (['many', 'one'] as const)) {
      if (only && only !== which) continue;
      sides[which] = await side(await fresh(), stub, which === 'one' ? one : many, `${tag}-${which}`);
    }
    const [oneSide, manySide] = [sides.one ?? NOT_MEASURED, sides.many ?? NOT_MEASURED];
    const round = { one: oneSide, many: manySide, ratio: manySide.makespanMs / oneSide.makespanMs, loadAtStart };
    result.push(round);
    process.stderr.write(
      `  many-runs round ${r + 1}/${rounds} (load ${loadAtStart.toFixed(1)}): ${describeRound(round)}\n`,
    );
  }
  const ratios = result.map((r) => r.ratio);
  return {
    shape: MANY_RUNS_SHAPE,
    limit: MANY_RUNS_LIMIT,
    rounds: result,
    ratio: { median: median(ratios), all: ratios },
  };
}

function describeSide(s: ManyRunsSide): string {
  const cpu = (n: number | null) => (n === null ? '–' : n.toFixed(1));
  return (
    `${(s.makespanMs / 1000).toFixed(2)} s (agents ${((s.agentSpanMs ?? 0) / 1000).toFixed(2)} s, first after ` +
    `${((s.firstAgentMs ?? 0) / 1000).toFixed(2)} s, last end to done ${((s.afterLastAgentMs ?? 0) / 1000).toFixed(2)} s), CPU worker ${cpu(s.workerCpuS)} s + ` +
    `server ${cpu(s.serverCpuS)} s = ${s.cpuPerTaskMs?.toFixed(1) ?? '–'} ms/task, ${s.events} events, ${s.workflowTasks} workflow tasks`
  );
}

export function describeRound(r: ManyRunsRound): string {
  return `one run ${describeSide(r.one)}; ${RUNS} runs ${describeSide(r.many)}; ratio ${r.ratio.toFixed(2)}`;
}
