// Sizes of what a large plan puts through Temporal, computed with baton's own scheduler (pure code):
// the plan as the run's input, the state continue-as-new carries, and the status query's answer — with
// the stub's short results and with results the size a real agent's summary has.
import type { Plan } from '../src/plan/schema.js';
import { Scheduler } from '../src/workflows/scheduler/index.js';

export interface PayloadSizes {
  planBytes: number;
  /** Result text per task in the model below. */
  resultChars: number;
  /** The state carried over continue-as-new once every task has its result. */
  carriedStateBytes: number;
  /** The status query's JSON once every task has its result. */
  statusBytes: number;
}

export function payloadSizes(plan: Plan, resultChars: number): PayloadSizes {
  const now = new Date(0).toISOString();
  const sched = Scheduler.fresh(plan, now);
  for (const task of plan.tasks) {
    sched.markRunning(task.id, now);
    sched.succeeded(
      task.id,
      {
        text: 'x'.repeat(resultChars),
        truncated: false,
        sessionId: '00000000-0000-4000-8000-000000000000',
        costUsd: 0.01,
        usage: { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 },
        numTurns: 1,
        durationMs: 1,
        artifactPath: `/home/user/project/.baton/artifacts/baton-${plan.name}-abcdef/${task.id}/g1/result.md`,
        transcriptPath: `/home/user/project/.baton/artifacts/baton-${plan.name}-abcdef/${task.id}/g1/attempt-1.jsonl`,
        attempt: 1,
        permissionDenials: 0,
      },
      now,
    );
  }
  return {
    planBytes: JSON.stringify(plan).length,
    resultChars,
    carriedStateBytes: JSON.stringify({ carried: sched.state }).length,
    statusBytes: JSON.stringify(sched.status(`baton-${plan.name}-abcdef`, now, 0)).length,
  };
}
