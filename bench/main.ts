// `npm run bench`: baton beside a lower bound on the same plans (docs/BENCHMARKS.md).
//   --runs N        runs per scenario, medians reported (default 3)
//   --only a,b      only these scenarios (names in the table; kill-recovery included)
//   --stub go|node  the stub agent (default: go when `go` builds it, else node)
//   --out FILE      the JSON report (default bench/results/latest.json)
//   --floor         also run each stub scenario on the Temporal floor (bench/temporal-floor.ts): Temporal's own cost
// Every run meets a fresh dev server, so that no run's figures depend on the histories of the runs before it (one
// server for the whole bench keeps them all in its in-memory database).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { batonDataConverter } from '../src/codec/data-converter.js';
import { FakeModel } from '../src/rehearsal/fake-model.js';
import { measureKillRecovery, type KillRecovery } from './kill-recovery.js';
import { describeRound, measureManyRuns, type ManyRuns } from './many-runs.js';
import { targets22 } from './targets-22.js';
import { measureOnce, type MeasureContext, type RunMeasurement } from './measure.js';
import { formatTable, summarize, targets, type ScenarioSummary } from './report.js';
import { SCENARIOS } from './scenarios.js';
import { payloadSizes, type PayloadSizes } from './payload-sizes.js';
import { schedulerCost, type SchedulerCost } from './scheduler-cost.js';
import { prepareStub } from './stub.js';
import { startServer, type BenchServer } from './temporal-server.js';

const ROOT = new URL('../../', import.meta.url);

interface Args {
  runs: number;
  only: string[] | null;
  stub: 'go' | 'node' | 'auto';
  out: string;
  floor: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    runs: 3,
    only: null,
    stub: 'auto',
    out: fileURLToPath(new URL('bench/results/latest.json', ROOT)),
    floor: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${argv[i - 1]} needs a value`);
      return v;
    };
    const arg = argv[i];
    if (arg === '--runs') args.runs = Math.max(1, Number.parseInt(value(), 10));
    else if (arg === '--only') args.only = value().split(',');
    else if (arg === '--stub') args.stub = value() as Args['stub'];
    else if (arg === '--out') args.out = path.resolve(value());
    else if (arg === '--floor') args.floor = true;
    else throw new Error(`unknown argument ${arg} (--runs N, --only a,b, --stub go|node, --out FILE, --floor)`);
  }
  const known = [...Object.keys(SCENARIOS), 'kill-recovery', 'many-runs'];
  for (const name of args.only ?? []) {
    if (!known.includes(name)) throw new Error(`unknown scenario ${name} (one of ${known.join(', ')})`);
  }
  if (!['go', 'node', 'auto'].includes(args.stub)) throw new Error('--stub is go, node or auto');
  return args;
}

function machine(temporalCli: string) {
  const version = (cmd: string, argv: string[]) => {
    try {
      return execFileSync(cmd, argv, { encoding: 'utf8' }).trim().split('\n')[0];
    } catch {
      return 'unknown';
    }
  };
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    temporal: version(temporalCli, ['--version']),
    loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** A dev server of the bench's own and a client of it. */
interface Temporal {
  server: BenchServer;
  client: Client;
  close(): Promise<void>;
}

async function startTemporal(home: string): Promise<Temporal> {
  const server = await startServer(home);
  const connection = await Connection.connect({ address: server.address });
  return {
    server,
    client: new Client({ connection, dataConverter: batonDataConverter(undefined) }),
    async close() {
      await connection.close();
      await server.stop();
    },
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const selected = (name: string) => args.only === null || args.only.includes(name);
  const stub = prepareStub(args.stub);
  const home = fileURLToPath(new URL('.baton', ROOT));
  let temporal = await startTemporal(home);
  /** The next run's server: a fresh one, unless the current one has run nothing yet. */
  let used = false;
  const freshTemporal = async (): Promise<Temporal> => {
    if (used) {
      await temporal.close();
      temporal = await startTemporal(home);
    }
    used = true;
    return temporal;
  };
  const info = machine(temporal.server.cli);
  process.stderr.write(
    `bench: ${info.cpus} cpus, ${info.memoryGb} GB, node ${info.node}, load ${info.loadAverageAtStart.join(' ')}; ` +
      `${stub.kind} stub; Temporal dev server (a fresh one per run) ${temporal.server.cli}; ${args.runs} run(s) per scenario\n`,
  );
  const summaries: ScenarioSummary[] = [];
  let killRecovery: KillRecovery | null = null;
  let manyRuns: ManyRuns | null = null;
  let schedulerCosts: (SchedulerCost & { scenario: string })[] = [];
  let payloads: PayloadSizes[] = [];
  const stop = () => {
    // Interrupted: leave no server or worker behind (workers exit when our end of their stdin closes).
    void temporal.server.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const claudeConfigDir = mkdtempSync(path.join(os.tmpdir(), 'baton-bench-claude-'));
  let fake: FakeModel | undefined;
  try {
    for (const [name, make] of Object.entries(SCENARIOS)) {
      if (!selected(name)) continue;
      const scenario = make();
      if (scenario.agent === 'claude') fake ??= await FakeModel.start({ rehearse: false });
      const runs: RunMeasurement[] = [];
      const load = os.loadavg()[0]!;
      let error: string | undefined;
      for (let i = 0; i < args.runs; i++) {
        const label = `${name}-${Date.now().toString(36)}-${i}`;
        let run: RunMeasurement;
        try {
          const { client, server } = await freshTemporal();
          const ctx: MeasureContext = {
            client,
            address: server.address,
            serverPid: server.pid,
            stub,
            floor: args.floor,
          };
          if (scenario.agent === 'claude') Object.assign(ctx, { fake, claudeConfigDir });
          run = await measureOnce(ctx, scenario, i, label);
        } catch (err) {
          // A failed or stalled run fails the same way again: report it, do not repeat it.
          error = `run ${i + 1}: ${err instanceof Error ? err.message : String(err)}`;
          process.stderr.write(`  ${name} ${error}\n`);
          break;
        }
        runs.push(run);
        process.stderr.write(
          `  ${name} run ${i + 1}/${args.runs}: baton ${(run.baton.makespanMs / 1000).toFixed(2)} s, ` +
            `lower bound ${(run.lowerBound.makespanMs / 1000).toFixed(2)} s (CPU agents ` +
            `${run.lowerBound.cpu.agentsS?.toFixed(1) ?? '–'} s, spawning ${run.lowerBound.cpu.spawnerS?.toFixed(1) ?? '–'} s), ` +
            `hop p50 ${run.baton.hops.p50?.toFixed(1) ?? '–'} ms, ` +
            (run.floor
              ? `Temporal floor ${(run.floor.makespanMs / 1000).toFixed(2)} s (hop p50 ${run.floor.hops.p50?.toFixed(1) ?? '–'} ms, ` +
                `CPU worker ${run.floor.cpu.workerS?.toFixed(1) ?? '–'} s, server ${run.floor.cpu.serverS?.toFixed(1) ?? '–'} s), `
              : '') +
            `history ${run.baton.history.events} events in ${run.baton.history.runs} run(s)` +
            `, CPU worker ${run.baton.cpu.workerS?.toFixed(1) ?? '–'} s, server ${run.baton.cpu.serverS?.toFixed(1) ?? '–'} s` +
            (run.baton.history.workflows > 1
              ? `; ${run.baton.history.workflows} workflows, largest run ${run.baton.history.tree.maxEventsPerRun} events / ` +
                `${(run.baton.history.tree.maxBytesPerRun / 2 ** 20).toFixed(2)} MB (${run.baton.history.tree.largestWorkflowId})`
              : '') +
            '\n',
        );
      }
      summaries.push(summarize(scenario, runs, load, error));
    }
    if (selected('scale-5000')) {
      // The workflow's own CPU per step and the payload sizes, as plans grow (pure code, no Temporal).
      const shapes = [SCENARIOS['dag-10x20']!(), SCENARIOS['independent-1000']!(), SCENARIOS['scale-5000']!()];
      schedulerCosts = shapes.map((s) => ({ scenario: s.name, ...schedulerCost(s.plan) }));
      const plan = SCENARIOS['scale-5000']!().plan;
      payloads = [24, 500, 2000].map((chars) => payloadSizes(plan, chars));
    }
    if (selected('kill-recovery')) {
      const { client, server } = await freshTemporal();
      killRecovery = await measureKillRecovery({ client, address: server.address, stub }, args.runs);
    }
    if (selected('many-runs')) {
      const fresh = async () => {
        const { client, server } = await freshTemporal();
        return { client, address: server.address, serverPid: server.pid };
      };
      manyRuns = await measureManyRuns(fresh, stub, args.runs, () => os.loadavg()[0]!);
    }
  } finally {
    await fake?.stop();
    rmSync(claudeConfigDir, { recursive: true, force: true });
    await temporal.close();
  }
  const report = {
    generatedAt: new Date().toISOString(),
    machine: { ...info, loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100) },
    stub: stub.kind,
    runsPerScenario: args.runs,
    scenarios: summaries,
    killRecovery,
    manyRuns,
    schedulerCost: schedulerCosts,
    scale5000Payloads: payloads,
    targets: targets(summaries, killRecovery),
    targets22: targets22(summaries, manyRuns),
  };
  mkdirSync(path.dirname(args.out), { recursive: true });
  writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
  const extra = [
    ...schedulerCosts.map(
      (c) =>
        `scheduler (pure, ${c.tasks} tasks, ${c.scenario}): ${c.completionMs} ms per completion, status() ${c.statusMs} ms, details ${c.detailsMs} ms`,
    ),
    ...payloads.map(
      (p) =>
        `scale-5000 sizes with ${p.resultChars}-char results: plan ${(p.planBytes / 1024).toFixed(0)} KB, ` +
        `state carried by continue-as-new ${(p.carriedStateBytes / 2 ** 20).toFixed(2)} MB, status JSON ${(p.statusBytes / 2 ** 20).toFixed(2)} MB`,
    ),
  ];
  for (const s of summaries) {
    if (!s.floor) continue;
    extra.push(
      `Temporal floor (${s.name}): ${((s.floor.makespanMs ?? NaN) / 1000).toFixed(2)} s, ${s.floor.tasksPerSec ?? '–'} tasks/s, ` +
        `hop p50/p99 ${s.floor.hopMs.p50 ?? '–'}/${s.floor.hopMs.p99 ?? '–'} ms, CPU worker ${s.floor.cpuS.worker ?? '–'} s + ` +
        `server ${s.floor.cpuS.server ?? '–'} s — baton ${((s.baton.makespanMs ?? NaN) / 1000).toFixed(2)} s, hop p50/p99 ` +
        `${s.baton.hopMs.p50 ?? '–'}/${s.baton.hopMs.p99 ?? '–'} ms; lower bound ${((s.lowerBound.makespanMs ?? NaN) / 1000).toFixed(2)} s ` +
        `(CPU agents ${s.lowerBound.cpuS.agents ?? '–'} s + spawning ${s.lowerBound.cpuS.spawner ?? '–'} s)`,
    );
  }
  if (manyRuns) extra.push(...manyRuns.rounds.map((r, i) => `many-runs round ${i + 1}: ${describeRound(r)}`));
  extra.push('targets (issue 22):');
  for (const g of report.targets22) extra.push(`  ${g.id}. ${g.met ? 'MET   ' : 'MISSED'} ${g.target} — ${g.measured}`);
  process.stdout.write(
    `${formatTable(summaries, killRecovery, report.targets)}\n${extra.map((l) => `${l}\n`).join('')}wrote ${args.out}\n`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
