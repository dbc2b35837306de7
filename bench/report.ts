// Medians over runs, the targets of issue 7, and the table the bench prints.
import type { HopBreakdown } from './breakdown.js';
import type { ClaudeHop } from './claude-hop.js';
import type { KillRecovery } from './kill-recovery.js';
import type { LevelFacts } from './history.js';
import type { Hops, RunMeasurement } from './measure.js';
import { agentPlan, criticalPathMs, type Scenario } from './scenarios.js';
import { median, round } from './stats.js';
import { chainTarget, dagTarget, throughputTarget } from './targets.js';

/**
 * Temporal's documented defaults (docs.temporal.io, self-hosted defaults): it warns past these, and fails a
 * run past 51,200 events or 50 MB of history, or a payload past 2 MB.
 */
export const TEMPORAL_WARN = { historyEvents: 10_240, historyBytes: 10 * 2 ** 20, payloadBytes: 256 * 2 ** 10 };

type HopSummary = Omit<Hops, 'count'>;

export interface ScenarioSummary {
  name: string;
  shape: string;
  tasks: number;
  maxParallel: number;
  agent: Scenario['agent'];
  runs: number;
  /** 1-minute load average when the scenario began (other work on the machine shows here). */
  loadAverage: number;
  criticalPathMs: number;
  /** Why the scenario has fewer measured runs than asked (a run failed or stalled; it is not repeated). */
  error?: string;
  /** Median over runs of baton's makespan divided by the lower bound's in the same run. */
  ratio: number | null;
  baton: {
    makespanMs: number | null;
    makespansMs: number[];
    agentSpanMs: number | null;
    hopMs: HopSummary;
    tasksPerSec: number | null;
    peakRssMb: number | null;
    /** CPU seconds over baton's run (medians): the worker process, its start included, and the dev server. */
    cpuS: { worker: number | null; server: number | null };
    historyEventsPerTask: number | null;
    /**
     * Runs of the root's chain; the largest run's events and bytes and the largest input over the root and, for a
     * plan of sub-plans, every child run (`workflows` of them; `largest`: the workflow of the run with most events).
     */
    history: {
      runs: number;
      maxEventsPerRun: number;
      maxBytesPerRun: number;
      maxInputBytes: number;
      workflows: number;
      largest: string | null;
      /** Of the run with the largest history, by level of plans. */
      levels: LevelFacts[];
    };
    agentStartMs?: number | null;
    /** The real claude's hop (claude-hop.ts): medians over runs of the per-run medians. */
    claudeHopMs?: ClaudeHop | null;
    /** Where a hop's time goes (medians over runs of the per-run medians), from history event times. */
    hopBreakdownMs: HopBreakdown | null;
    status?: {
      duringMedianMs: number | null;
      duringMaxMs: number | null;
      samplesDuring: number;
      afterMedianMs: number | null;
      afterMaxMs: number | null;
      cliDuringMedianMs: number | null;
      cliDuringMaxMs: number | null;
      samplesCliDuring: number;
      nodeDuringMedianMs: number | null;
      cliAfterMedianMs: number | null;
      cliAfterMaxMs: number | null;
      jsonBytes: number;
      failures: number;
      errors: string[];
    };
  };
  lowerBound: {
    makespanMs: number | null;
    makespansMs: number[];
    agentSpanMs: number | null;
    hopMs: HopSummary;
    tasksPerSec: number | null;
    /** CPU seconds (medians): the agents' processes, and this process spawning them. */
    cpuS: { agents: number | null; spawner: number | null };
    agentStartMs?: number | null;
    claudeHopMs?: ClaudeHop | null;
  };
  /** With --floor: the Temporal floor (bench/temporal-floor.ts), medians over the runs. */
  floor?: {
    makespanMs: number | null;
    makespansMs: number[];
    hopMs: HopSummary;
    tasksPerSec: number | null;
    cpuS: { worker: number | null; server: number | null };
  };
}

const r1 = (v: number | null) => round(v, 1);
const hopSummary = (hops: Hops[]): HopSummary => ({
  p50: r1(median(hops.map((h) => h.p50))),
  p95: r1(median(hops.map((h) => h.p95))),
  p99: r1(median(hops.map((h) => h.p99))),
  max: r1(median(hops.map((h) => h.max))),
});
const maxOf = (values: number[]) => (values.length ? Math.max(...values) : null);

/** Per-run figures of hops (a count and medians, ms), as medians over the runs that had hops. */
function mediansOver<T extends { hops: number }>(list: (T | null | undefined)[]): T | null {
  const known = list.filter((x): x is T => x !== null && x !== undefined && x.hops > 0);
  if (known.length === 0) return null;
  const fields = known[0]! as Record<string, number | null>;
  const of = (key: string) => r1(median(known.map((x) => (x as Record<string, number | null>)[key] ?? null)));
  const out = Object.fromEntries(Object.keys(fields).map((key) => [key, of(key)]));
  return { ...out, hops: Math.round(median(known.map((x) => x.hops))!) } as unknown as T;
}

const breakdownOf = (list: HopBreakdown[]) => mediansOver(list);
const claudeHopOf = (list: (ClaudeHop | undefined)[]) => mediansOver(list);

const largestOf = (b: RunMeasurement['baton'][]) =>
  b.toSorted((x, y) => y.history.tree.maxEventsPerRun - x.history.tree.maxEventsPerRun)[0]!;

export function summarize(
  scenario: Scenario,
  runs: RunMeasurement[],
  loadAverage: number,
  error?: string,
): ScenarioSummary {
  const tasks = agentPlan(scenario).tasks.length;
  if (runs.length === 0) {
    const none = { p50: null, p95: null, p99: null, max: null };
    return {
      name: scenario.name,
      shape: scenario.shape,
      tasks,
      maxParallel: scenario.plan.maxParallel,
      agent: scenario.agent,
      runs: 0,
      loadAverage: round(loadAverage, 2)!,
      criticalPathMs: criticalPathMs(scenario),
      error,
      ratio: null,
      baton: {
        makespanMs: null,
        makespansMs: [],
        agentSpanMs: null,
        hopMs: none,
        tasksPerSec: null,
        peakRssMb: null,
        cpuS: { worker: null, server: null },
        historyEventsPerTask: null,
        history: {
          runs: 0,
          maxEventsPerRun: 0,
          maxBytesPerRun: 0,
          maxInputBytes: 0,
          workflows: 0,
          largest: null,
          levels: [],
        },
        hopBreakdownMs: null,
      },
      lowerBound: {
        makespanMs: null,
        makespansMs: [],
        agentSpanMs: null,
        hopMs: none,
        tasksPerSec: null,
        cpuS: { agents: null, spawner: null },
      },
    };
  }
  const b = runs.map((r) => r.baton);
  const lb = runs.map((r) => r.lowerBound);
  const batonMakespan = median(b.map((x) => x.makespanMs));
  const lbMakespan = median(lb.map((x) => x.makespanMs));
  const statuses = b.flatMap((x) => (x.status ? [x.status] : []));
  const summary: ScenarioSummary = {
    name: scenario.name,
    shape: scenario.shape,
    tasks,
    maxParallel: scenario.plan.maxParallel,
    agent: scenario.agent,
    runs: runs.length,
    loadAverage: round(loadAverage, 2)!,
    criticalPathMs: criticalPathMs(scenario),
    error,
    ratio: round(median(runs.map((r) => r.baton.makespanMs / r.lowerBound.makespanMs)), 3),
    baton: {
      makespanMs: r1(batonMakespan),
      makespansMs: b.map((x) => r1(x.makespanMs)!),
      agentSpanMs: r1(median(b.map((x) => x.agentSpanMs))),
      hopMs: hopSummary(b.map((x) => x.hops)),
      tasksPerSec: batonMakespan ? r1(tasks / (batonMakespan / 1000)) : null,
      peakRssMb: r1(median(b.map((x) => x.peakRssMb))),
      cpuS: { worker: r1(median(b.map((x) => x.cpu.workerS))), server: r1(median(b.map((x) => x.cpu.serverS))) },
      historyEventsPerTask: round(median(b.map((x) => x.history.tree.events / tasks)), 2),
      history: {
        runs: Math.max(...b.map((x) => x.history.runs)),
        maxEventsPerRun: Math.max(...b.map((x) => x.history.tree.maxEventsPerRun)),
        maxBytesPerRun: Math.max(...b.map((x) => x.history.tree.maxBytesPerRun)),
        maxInputBytes: Math.max(...b.map((x) => x.history.maxInputBytes)),
        workflows: Math.max(...b.map((x) => x.history.workflows)),
        largest: largestOf(b).history.tree.largestWorkflowId,
        levels: largestOf(b).history.levels,
      },
      hopBreakdownMs: breakdownOf(b.flatMap((x) => (x.breakdown ? [x.breakdown] : []))),
    },
    lowerBound: {
      makespanMs: r1(lbMakespan),
      makespansMs: lb.map((x) => r1(x.makespanMs)!),
      agentSpanMs: r1(median(lb.map((x) => x.agentSpanMs))),
      hopMs: hopSummary(lb.map((x) => x.hops)),
      tasksPerSec: lbMakespan ? r1(tasks / (lbMakespan / 1000)) : null,
      cpuS: {
        agents: round(median(lb.map((x) => x.cpu.agentsS)), 2),
        spawner: round(median(lb.map((x) => x.cpu.spawnerS)), 2),
      },
    },
  };
  const floors = runs.flatMap((r) => (r.floor ? [r.floor] : []));
  if (floors.length > 0) {
    const floorMakespan = median(floors.map((x) => x.makespanMs));
    summary.floor = {
      makespanMs: r1(floorMakespan),
      makespansMs: floors.map((x) => r1(x.makespanMs)!),
      hopMs: hopSummary(floors.map((x) => x.hops)),
      tasksPerSec: floorMakespan ? r1(tasks / (floorMakespan / 1000)) : null,
      cpuS: {
        worker: r1(median(floors.map((x) => x.cpu.workerS))),
        server: r1(median(floors.map((x) => x.cpu.serverS))),
      },
    };
  }
  if (scenario.agent === 'claude') {
    summary.baton.agentStartMs = r1(median(b.map((x) => x.agentStartMs ?? null)));
    summary.lowerBound.agentStartMs = r1(median(lb.map((x) => x.agentStartMs ?? null)));
    summary.baton.claudeHopMs = claudeHopOf(b.map((x) => x.claudeHop));
    summary.lowerBound.claudeHopMs = claudeHopOf(lb.map((x) => x.claudeHop));
  }
  if (statuses.length > 0) {
    const during = statuses.flatMap((s) => s.duringMs);
    const after = statuses.flatMap((s) => s.afterMs);
    const cliAfter = statuses.flatMap((s) => s.cliAfterMs);
    const cliDuring = statuses.flatMap((s) => s.cliDuringMs);
    summary.baton.status = {
      duringMedianMs: r1(median(during)),
      duringMaxMs: r1(maxOf(during)),
      samplesDuring: during.length,
      afterMedianMs: r1(median(after)),
      afterMaxMs: r1(maxOf(after)),
      cliDuringMedianMs: r1(median(cliDuring)),
      cliDuringMaxMs: r1(maxOf(cliDuring)),
      samplesCliDuring: cliDuring.length,
      nodeDuringMedianMs: r1(median(statuses.flatMap((s) => s.nodeDuringMs))),
      cliAfterMedianMs: r1(median(cliAfter)),
      cliAfterMaxMs: r1(maxOf(cliAfter)),
      jsonBytes: Math.max(...statuses.map((s) => s.jsonBytes)),
      failures: statuses.reduce((sum, s) => sum + s.failures, 0),
      errors: statuses.flatMap((s) => s.errors).slice(0, 5),
    };
  }
  return summary;
}

export interface Target {
  id: number;
  target: string;
  measured: string;
  met: boolean | null;
}

export function targets(summaries: ScenarioSummary[], kill: KillRecovery | null): Target[] {
  const by = (name: string) => summaries.find((s) => s.name === name);
  const list: Target[] = [];
  const dag = by('dag-10x20');
  if (dag) list.push(dagTarget(1, dag, 1.1));
  const chain = by('chain-100');
  if (chain) list.push(chainTarget(2, chain, { p50: 40, p99: 150 }));
  const independent = by('independent-1000');
  if (independent) list.push(throughputTarget(3, independent, 50));
  const scale = by('scale-5000');
  if (scale?.error) {
    list.push({
      id: 4,
      target:
        '5,000 tasks: completes; every run’s history under the warning limits (continue-as-new); `baton status` < 500 ms; worker peak RSS ≤ 400 MB',
      measured: `did not complete: ${scale.error}`,
      met: false,
    });
  } else if (scale) {
    const h = scale.baton.history;
    const s = scale.baton.status;
    // The command people run, while the run goes on and after it: medians, as for every target.
    const statusMs = Math.max(s?.cliDuringMedianMs ?? Infinity, s?.cliAfterMedianMs ?? Infinity);
    const underWarn =
      h.maxEventsPerRun < TEMPORAL_WARN.historyEvents &&
      h.maxBytesPerRun < TEMPORAL_WARN.historyBytes &&
      h.maxInputBytes < TEMPORAL_WARN.payloadBytes;
    const rss = scale.baton.peakRssMb;
    list.push({
      id: 4,
      target:
        '5,000 tasks: completes; every run’s history under the warning limits (continue-as-new); `baton status` < 500 ms; worker peak RSS ≤ 400 MB',
      measured:
        `${h.runs} runs (continue-as-new ×${h.runs - 1}), max ${h.maxEventsPerRun} events / ${(h.maxBytesPerRun / 2 ** 20).toFixed(2)} MB per run, ` +
        `largest input ${(h.maxInputBytes / 1024).toFixed(0)} KB; \`baton status\` median ${s?.cliDuringMedianMs} ms ` +
        `during the run (max ${s?.cliDuringMaxMs}), ${s?.cliAfterMedianMs} ms after (max ${s?.cliAfterMaxMs}); the query ` +
        `during ${s?.duringMedianMs} ms (max ${s?.duringMaxMs}), after ${s?.afterMedianMs} ms; ${s?.failures ?? 0} failed; RSS ${rss} MB`,
      met: underWarn && h.runs > 1 && statusMs < 500 && !s?.failures && rss !== null && rss <= 400,
    });
  }
  if (kill) {
    list.push({
      id: 5,
      target: `after SIGKILL of the worker, first resumed task starts ≤ heartbeat timeout + 2 s (${kill.limitMs / 1000} s)`,
      measured: `${(kill.recoveryMs.median! / 1000).toFixed(2)} s (median; max ${(kill.recoveryMs.max! / 1000).toFixed(2)} s)`,
      met: kill.recoveryMs.median !== null && kill.recoveryMs.median <= kill.limitMs,
    });
  }
  return list;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')).join('\n');
}

const fmt = (v: number | null | undefined, digits = 0) => (v === null || v === undefined ? '–' : v.toFixed(digits));
const secs = (ms: number | null) => (ms === null ? '–' : (ms / 1000).toFixed(2));

export function formatTable(summaries: ScenarioSummary[], kill: KillRecovery | null, goals: Target[]): string {
  const rows = [
    [
      'scenario',
      'tasks',
      'baton s',
      'lower s',
      'ratio',
      'crit s',
      'hop p50/p95/p99 ms',
      'lower hop p50',
      'tasks/s',
      'RSS MB',
      'events/task',
      'runs',
    ],
    ...summaries.map((s) => [
      s.name,
      String(s.tasks),
      secs(s.baton.makespanMs),
      secs(s.lowerBound.makespanMs),
      fmt(s.ratio, 2),
      secs(s.criticalPathMs),
      `${fmt(s.baton.hopMs.p50, 1)}/${fmt(s.baton.hopMs.p95, 1)}/${fmt(s.baton.hopMs.p99, 1)}`,
      fmt(s.lowerBound.hopMs.p50, 1),
      fmt(s.baton.tasksPerSec, 1),
      fmt(s.baton.peakRssMb),
      fmt(s.baton.historyEventsPerTask, 2),
      String(s.baton.history.runs),
    ]),
  ];
  const lines = [table(rows)];
  for (const s of summaries) {
    if (s.error) lines.push(`${s.name}: FAILED — ${s.error}`);
    const d = s.baton.hopBreakdownMs;
    if (d && d.hops > 0) {
      lines.push(
        `${s.name} hop breakdown (medians, ms): agent end → activity completed ${fmt(d.agentEndToActivityCompleted, 1)}` +
          ` · → workflow task started ${fmt(d.completedToWorkflowTaskStarted, 1)} · workflow task ${fmt(d.workflowTask, 1)}` +
          ` · activity scheduled → started ${fmt(d.scheduledToActivityStarted, 1)} · → agent start (its prompt) ${fmt(d.activityStartedToAgentStart, 1)}` +
          (d.activityStartedToPrompt !== null
            ? ` · activity started → prompt on stdin ${fmt(d.activityStartedToPrompt, 1)}`
            : ''),
      );
    }
    if (s.baton.history.workflows > 1) {
      const h = s.baton.history;
      lines.push(
        `${s.name} history over ${h.workflows} workflows (the root and its child runs): largest run ${h.maxEventsPerRun} events ` +
          `(${h.largest}), largest ${(h.maxBytesPerRun / 2 ** 20).toFixed(2)} MB, largest input ${(h.maxInputBytes / 1024).toFixed(0)} KB — ` +
          `Temporal warns at ${TEMPORAL_WARN.historyEvents} events / ${TEMPORAL_WARN.historyBytes / 2 ** 20} MB, fails at 51,200 events / 50 MB`,
        ...h.levels.map(
          (l) =>
            `  level ${l.level}: ${l.workflows} workflow(s), largest run ${l.maxEventsPerRun} events / ${(l.maxBytesPerRun / 2 ** 20).toFixed(2)} MB`,
        ),
      );
    }
    if (s.baton.status) {
      const st = s.baton.status;
      lines.push(
        `${s.name} status: query during run median ${fmt(st.duringMedianMs)} ms, max ${fmt(st.duringMaxMs)} ms (${st.samplesDuring} samples); ` +
          `after ${fmt(st.afterMedianMs)}/${fmt(st.afterMaxMs)} ms; \`baton status --json\` during ${fmt(st.cliDuringMedianMs)}/${fmt(st.cliDuringMaxMs)} ms (${st.samplesCliDuring} samples; a bare \`node -e 0\` then: ${fmt(st.nodeDuringMedianMs)} ms), after ${fmt(st.cliAfterMedianMs)}/${fmt(st.cliAfterMaxMs)} ms; ${(st.jsonBytes / 1024).toFixed(0)} KB of JSON; ` +
          `${st.failures} failed probes${st.errors[0] ? ` (${st.errors[0]})` : ''}`,
      );
    }
    if (s.baton.agentStartMs !== undefined) {
      lines.push(
        `${s.name}: claude process start → first model request ${fmt(s.baton.agentStartMs)} ms (lower bound ${fmt(s.lowerBound.agentStartMs)} ms)`,
      );
    }
    const h = s.baton.claudeHopMs;
    if (h) {
      lines.push(
        `${s.name} real-claude hop (dependency's claude exits → dependent's first model request, medians, ms): ` +
          `p50 ${fmt(h.p50, 1)}, max ${fmt(h.max, 1)} over ${h.hops} hops (lower bound p50 ${fmt(s.lowerBound.claudeHopMs?.p50 ?? null, 1)}); ` +
          `before it, the dependency's last model answer → its claude exits ${fmt(h.depAnswerToAgentEnd, 1)}; ` +
          `claude exits → prompt on the dependent's stdin ${fmt(h.agentEndToPrompt, 1)} · → first request ${fmt(h.promptToFirstRequest, 1)}`,
      );
    }
  }
  if (kill) {
    lines.push(
      `kill-recovery: SIGKILL → resumed agent start ${secs(kill.recoveryMs.median)} s median (runs: ${kill.recoveryMs.all.map((v) => secs(v)).join(', ')}); ` +
        `next hop on the new worker ${fmt(kill.nextHopMs.median)} ms; old agent outlived its worker: ${kill.orphanSurvived.join(', ')}`,
    );
  }
  lines.push('', 'targets (issue 7):');
  for (const g of goals) lines.push(`  ${g.id}. ${g.met ? 'MET   ' : 'MISSED'} ${g.target} — ${g.measured}`);
  return lines.join('\n');
}
