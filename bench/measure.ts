// One measured run of a scenario, both ways: the lower bound in this process, then baton (or the
// other order: runs alternate, so neither always meets a warmer machine).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { FakeModel } from '../src/rehearsal/fake-model.js';
import { fakeModelEnv } from '../src/rehearsal/env.js';
import { hopBreakdown, type HopBreakdown } from './breakdown.js';
import { claudeHop, type ClaudeHop } from './claude-hop.js';
import { runOnBaton, type BatonRun, type HistoryFacts, type StatusProbe } from './baton-run.js';
import { runLowerBound, type AgentCommand } from './lower-bound.js';
import { runOnTemporalFloor, type FloorRun } from './temporal-floor.js';
import { agentPlan, type Scenario } from './scenarios.js';
import { percentile } from './stats.js';
import { cpuFromNow, cpuSeconds, reapedChildrenCpuSeconds } from './worker-handle.js';
import { CLAUDE_BIN, type Stub } from './stub.js';
import { agentSpanMs, hopLatencies, readStubLog, type AgentSpan } from './stub-log.js';

export interface Hops {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export interface Side {
  makespanMs: number;
  /** First agent start to last agent end. */
  agentSpanMs: number | null;
  hops: Hops;
  /** Real claude only: agent process start to its first request to the model, median over tasks started cold. */
  agentStartMs?: number | null;
  /** Real claude only: a dependency's claude exiting to its dependent's first model request, and its parts. */
  claudeHop?: ClaudeHop;
}

export interface RunMeasurement {
  /** `cpu`: what the lower bound's agents took (its children, reaped) and this process spawning them, CPU seconds. */
  lowerBound: Side & { cpu: { agentsS: number | null; spawnerS: number | null } };
  baton: Side & {
    peakRssMb: number | null;
    cpu: BatonRun['cpu'];
    history: HistoryFacts;
    status: StatusProbe | null;
    breakdown: HopBreakdown | null;
  };
  /** With --floor, stub scenarios of one plan: the Temporal floor (temporal-floor.ts). */
  floor?: Side & { cpu: FloorRun['cpu'] };
}

export interface MeasureContext {
  client: Client;
  address: string;
  /** The dev server's process (its CPU time is measured over a baton run). */
  serverPid?: number;
  stub: Stub;
  /** The fake model, for scenarios with the real claude. */
  fake?: FakeModel;
  claudeConfigDir?: string;
  /** Measure the Temporal floor too (--floor). */
  floor?: boolean;
}

function hopsOf(values: number[]): Hops {
  return {
    count: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: values.length ? Math.max(...values) : null,
  };
}

function agentFor(ctx: MeasureContext, scenario: Scenario, dir: string, log: string): AgentCommand {
  const cwd = path.join(dir, 'cwd');
  mkdirSync(cwd, { recursive: true });
  if (scenario.agent === 'stub') return { bin: ctx.stub.bin, cwd, env: { BENCH_STUB_LOG: log } };
  if (!ctx.fake || !ctx.claudeConfigDir) throw new Error('the claude scenario needs the fake model');
  // The Go stub as a timing wrapper around the real binary: it logs start and end around claude.
  if (ctx.stub.kind !== 'go') throw new Error('the claude scenario needs the Go stub (a timing wrapper)');
  return {
    bin: ctx.stub.bin,
    cwd,
    env: {
      ...fakeModelEnv(ctx.fake.url),
      CLAUDE_CONFIG_DIR: ctx.claudeConfigDir,
      BENCH_STUB_EXEC: CLAUDE_BIN,
      BENCH_STUB_LOG: log,
    },
  };
}

/** A claude whose prompt came later than this after it started was started ahead (a warm agent). */
const WARM_AFTER_MS = 100;

/** For the real claude: from each agent's start to the fake model receiving its first request (cold starts only). */
function agentStartMs(fake: FakeModel | undefined, fromLog: number, spans: Map<string, AgentSpan[]>): number | null {
  if (!fake) return null;
  const firstRequest = new Map<string, number>();
  for (const entry of fake.log.slice(fromLog)) {
    if (entry.key && !firstRequest.has(entry.key)) firstRequest.set(entry.key, entry.receivedAt);
  }
  const delays = [...firstRequest].flatMap(([key, at]) => {
    const span = spans.get(key)?.find((s) => s.prompt !== null) ?? spans.get(key)?.[0];
    const cold = span && (span.prompt === null || span.prompt - span.start < WARM_AFTER_MS);
    return cold ? [at - span.start] : [];
  });
  return percentile(delays, 50);
}

/** The claude scenarios' figures of one side of a run. */
function claudeFigures(ctx: MeasureContext, scenario: Scenario, fromLog: number, spans: Map<string, AgentSpan[]>) {
  if (scenario.agent !== 'claude') return {};
  return {
    agentStartMs: agentStartMs(ctx.fake, fromLog, spans),
    claudeHop: claudeHop(agentPlan(scenario), spans, ctx.fake?.log.slice(fromLog) ?? []),
  };
}

export async function measureOnce(
  ctx: MeasureContext,
  scenario: Scenario,
  index: number,
  label: string,
): Promise<RunMeasurement> {
  const dir = mkdtempSync(path.join(tmpdir(), `baton-bench-${scenario.name}-`));
  if (scenario.agent === 'claude') {
    for (const task of agentPlan(scenario).tasks) ctx.fake?.setScript(task.id, { delayMs: scenario.sleepMs(task.id) });
  }
  try {
    const lowerBound = async (): Promise<RunMeasurement['lowerBound']> => {
      const log = path.join(dir, 'lower-bound.log');
      const agent = agentFor(ctx, scenario, path.join(dir, 'lb'), log);
      const fromLog = ctx.fake?.log.length ?? 0;
      const agentsCpu = cpuFromNow(reapedChildrenCpuSeconds);
      const spawnerCpu = cpuFromNow(() => cpuSeconds(process.pid));
      const t0 = performance.now();
      await runLowerBound(agentPlan(scenario), agent);
      const makespanMs = performance.now() - t0;
      const cpu = { agentsS: agentsCpu(), spawnerS: spawnerCpu() };
      const spans = readStubLog(log);
      return {
        makespanMs,
        cpu,
        agentSpanMs: agentSpanMs(spans),
        hops: hopsOf(hopLatencies(agentPlan(scenario), spans)),
        ...claudeFigures(ctx, scenario, fromLog, spans),
      };
    };
    const baton = async (): Promise<RunMeasurement['baton']> => {
      const log = path.join(dir, 'baton.log');
      const agent = agentFor(ctx, scenario, path.join(dir, 'baton'), log);
      const fromLog = ctx.fake?.log.length ?? 0;
      const run = await runOnBaton(
        { client: ctx.client, address: ctx.address, agent, workDir: dir, serverPid: ctx.serverPid },
        scenario,
        label,
      );
      const spans = readStubLog(log);
      // Reading every event back is cheap up to a few thousand events; the scale run skips it, and a plan of
      // sub-plans (its agents' activities are in the child runs' histories).
      const breakdown =
        scenario.plan.tasks.length <= 1000 && !scenario.leaves
          ? await hopBreakdown(ctx.client, run.workflowId, run.history.runIds, scenario.plan, spans)
          : null;
      return {
        makespanMs: run.makespanMs,
        agentSpanMs: agentSpanMs(spans),
        hops: hopsOf(hopLatencies(agentPlan(scenario), spans)),
        ...claudeFigures(ctx, scenario, fromLog, spans),
        peakRssMb: run.peakRssMb,
        cpu: run.cpu,
        history: run.history,
        status: run.status,
        breakdown,
      };
    };
    const floor = async (): Promise<RunMeasurement['floor']> => {
      if (!ctx.floor || scenario.agent !== 'stub' || scenario.leaves) return undefined;
      const log = path.join(dir, 'floor.log');
      const run = await runOnTemporalFloor(ctx, agentPlan(scenario), scenario.sleepMs, log, label);
      const spans = readStubLog(log);
      return {
        makespanMs: run.makespanMs,
        agentSpanMs: agentSpanMs(spans),
        hops: hopsOf(hopLatencies(agentPlan(scenario), spans)),
        cpu: run.cpu,
      };
    };
    // The floor first on even runs, last on odd ones: neither always meets a warmer machine.
    if (index % 2 === 0) {
      const f = await floor();
      const lb = await lowerBound();
      return { lowerBound: lb, baton: await baton(), ...(f ? { floor: f } : {}) };
    }
    const b = await baton();
    const lb = await lowerBound();
    const f = await floor();
    return { lowerBound: lb, baton: b, ...(f ? { floor: f } : {}) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
