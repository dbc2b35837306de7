// The bench's targets on the single-run scenarios, each with the limit an issue set (issue 7's, issue 22's).
import type { ScenarioSummary, Target } from './report.js';

/** The 10×20 DAG's makespan against its lower bound, at most `limit` times it. */
export function dagTarget(id: number, dag: ScenarioSummary, limit: number): Target {
  return {
    id,
    target: `10×20 DAG of 500 ms: makespan ≤ ${limit.toFixed(2)} × lower bound`,
    measured: `${dag.ratio}×`,
    met: dag.ratio !== null && dag.ratio <= limit,
  };
}

/** The chain's hop latency: p50 and p99 at most the limits. */
export function chainTarget(id: number, chain: ScenarioSummary, limit: { p50: number; p99: number }): Target {
  const { p50, p99 } = chain.baton.hopMs;
  return {
    id,
    target: `chain of 100: hop p50 ≤ ${limit.p50} ms, p99 ≤ ${limit.p99} ms`,
    measured: `p50 ${p50} ms, p99 ${p99} ms`,
    met: p50 !== null && p99 !== null && p50 <= limit.p50 && p99 <= limit.p99,
  };
}

/** 1,000 independent tasks: at least `limit` tasks a second. */
export function throughputTarget(id: number, independent: ScenarioSummary, limit: number): Target {
  const rate = independent.baton.tasksPerSec;
  return {
    id,
    target: `1,000 independent tasks: ≥ ${limit.toLocaleString('en-US')} tasks/s`,
    measured: `${rate} tasks/s`,
    met: rate !== null && rate >= limit,
  };
}

/** The real claude's hop with warm agents (claude-hop.ts): p50 at most `limit`; the same plan cold beside it. */
export function claudeHopTarget(
  id: number,
  warm: ScenarioSummary,
  cold: ScenarioSummary | undefined,
  limit: number,
): Target {
  const p50 = warm.baton.claudeHopMs?.p50 ?? null;
  const coldP50 = cold?.baton.claudeHopMs?.p50;
  return {
    id,
    target: `real claude (diamond-claude): dependency's claude exits → dependent's first model request p50 ≤ ${limit} ms`,
    measured: `p50 ${p50} ms with warm agents` + (coldP50 !== undefined ? `, ${coldP50} ms without` : ''),
    met: p50 !== null && p50 <= limit,
  };
}
