// CPU the workflow's own code spends per step as plans grow, measured on baton's pure scheduler outside
// Temporal: what one task's completion costs (succeeded → refresh), what the status JSON costs (built for
// every status query) and what the Web UI details cost (built on every pass of the workflow's loop).
import { DETAILS_ROWS, renderDetails } from '../src/workflows/details.js';
import { Scheduler } from '../src/workflows/scheduler/index.js';
import type { Plan } from '../src/plan/schema.js';
import { round } from './stats.js';

export interface SchedulerCost {
  tasks: number;
  /** Mean over all tasks of one succeeded() call, ms. */
  completionMs: number;
  /** One status() of the run half done, ms. */
  statusMs: number;
  /** One renderDetails(overview()) of the run half done, ms. */
  detailsMs: number;
}

const RESULT = {
  text: 'stub: done',
  truncated: false,
  sessionId: '00000000-0000-4000-8000-000000000000',
  costUsd: 0,
  usage: { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 },
  numTurns: 1,
  durationMs: 1,
  artifactPath: '/tmp/result.md',
  transcriptPath: '/tmp/attempt-1.jsonl',
  attempt: 1,
  permissionDenials: 0,
};

function timeIt(fn: () => void, times = 5): number {
  const t0 = performance.now();
  for (let i = 0; i < times; i++) fn();
  return (performance.now() - t0) / times;
}

export function schedulerCost(plan: Plan): SchedulerCost {
  const now = new Date(0).toISOString();
  const sched = Scheduler.fresh(plan, now);
  let completions = 0;
  let completionTime = 0;
  let statusMs = 0;
  let detailsMs = 0;
  const half = Math.floor(plan.tasks.length / 2);
  // Run it as the workflow does: start what may start, complete in order, until all are done.
  for (;;) {
    const startable = sched.startable(0);
    if (startable.length === 0) break;
    for (const r of startable) sched.markRunning(r.id, now);
    for (const r of startable) {
      const t0 = performance.now();
      sched.succeeded(r.id, RESULT, now);
      completionTime += performance.now() - t0;
      if (++completions === half) {
        statusMs = timeIt(() => sched.status('bench', now, 0));
        detailsMs = timeIt(() => renderDetails(sched.overview(0, DETAILS_ROWS), 'bench'));
      }
    }
  }
  return {
    tasks: plan.tasks.length,
    completionMs: round(completionTime / completions, 3)!,
    statusMs: round(statusMs, 2)!,
    detailsMs: round(detailsMs, 2)!,
  };
}
