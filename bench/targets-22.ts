// Issue 22's targets: many runs at once, and tighter figures for the single-run scenarios.
import type { ManyRuns } from './many-runs.js';
import type { ScenarioSummary, Target } from './report.js';

export function targets22(summaries: ScenarioSummary[], many: ManyRuns | null): Target[] {
  const by = (name: string) => summaries.find((s) => s.name === name);
  const list: Target[] = [];
  if (many) {
    const cpu = (side: 'one' | 'many') => many.rounds.map((r) => r[side].cpuPerTaskMs?.toFixed(1) ?? '–').join(', ');
    list.push({
      id: 1,
      target: `many-runs: 50 runs × 20 tasks at once ≤ ${many.limit} × one 1,000-task run (same worker)`,
      measured:
        `${many.ratio.median?.toFixed(2) ?? '–'}× (rounds: ${many.ratio.all.map((r) => r.toFixed(2)).join(', ')}); ` +
        `CPU per task, server + worker: one run ${cpu('one')} ms, 50 runs ${cpu('many')} ms`,
      met: many.ratio.median !== null && many.ratio.median <= many.limit,
    });
  }
  const chain = by('chain-100');
  if (chain) {
    const { p50, p99 } = chain.baton.hopMs;
    list.push({
      id: 2,
      target: 'chain of 100: hop p50 ≤ 15 ms, p99 ≤ 40 ms',
      measured: `p50 ${p50} ms, p99 ${p99} ms`,
      met: p50 !== null && p99 !== null && p50 <= 15 && p99 <= 40,
    });
  }
  const independent = by('independent-1000');
  if (independent) {
    const rate = independent.baton.tasksPerSec;
    list.push({
      id: 3,
      target: '1,000 independent tasks: ≥ 250 tasks/s',
      measured: `${rate} tasks/s`,
      met: rate !== null && rate >= 250,
    });
  }
  const dag = by('dag-10x20');
  if (dag) {
    list.push({
      id: 4,
      target: '10×20 DAG of 500 ms: makespan ≤ 1.10 × lower bound',
      measured: `${dag.ratio}×`,
      met: dag.ratio !== null && dag.ratio <= 1.1,
    });
  }
  return list;
}
