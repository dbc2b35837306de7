// Issue 22's targets: many runs at once, and tighter figures for the single-run scenarios.
import type { ManyRuns } from './many-runs.js';
import type { ScenarioSummary, Target } from './report.js';
import { chainTarget, claudeHopTarget, dagTarget, throughputTarget } from './targets.js';

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
  if (chain) list.push(chainTarget(2, chain, { p50: 15, p99: 40 }));
  const independent = by('independent-1000');
  if (independent) list.push(throughputTarget(3, independent, 250));
  const dag = by('dag-10x20');
  if (dag) list.push(dagTarget(4, dag, 1.1));
  const claude = by('diamond-claude');
  if (claude) list.push(claudeHopTarget(5, claude, by('diamond-claude-cold'), 100));
  return list;
}
