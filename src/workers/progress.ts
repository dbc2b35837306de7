// What a `baton worker` tells the person who watches it: one line when an agent (or a planner) starts and one
// when it ends — run, task, its run and attempt, the outcome — and one when a run ends. This is the worker's
// account of its work; the SDK's own warnings about the same failures are left out of its log (./log.ts).
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure, type RetryPolicy } from '@temporalio/common';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { AGENT_ACTIVITY, isFinalPhase, taskIdOfActivity, type Phase } from '../workflows/status.js';

const PLANNER_ACTIVITY = 'planGoal';

export class WorkerProgress {
  /** Phases of the runs this worker published last, to say once that a run ended. */
  readonly #phases = new Map<string, Phase>();

  constructor(private readonly write: (line: string) => void) {}

  /** Lines for the agents and planners this worker runs. */
  activityInterceptor(): () => { inbound: ActivityInboundCallsInterceptor } {
    const say = (line: string) => this.say(line);
    const inbound: ActivityInboundCallsInterceptor = {
      async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>) {
        const { info } = Context.current();
        if (info.activityType !== AGENT_ACTIVITY && info.activityType !== PLANNER_ACTIVITY) return await next(input);
        const runId = info.workflowExecution?.workflowId ?? '(no run)';
        const what = describeActivity(info.activityType, info.activityId, info.attempt);
        say(`▶ ${runId} ${what} started`);
        const started = Date.now();
        try {
          const result = await next(input);
          const cost = (result as { costUsd?: unknown } | undefined)?.costUsd;
          const spent = typeof cost === 'number' ? ` · $${cost.toFixed(4)}` : '';
          say(`✔ ${runId} ${what} succeeded in ${seconds(Date.now() - started)}${spent}`);
          return result;
        } catch (err) {
          const [icon, how] = ended(err, info.attempt, info.retryPolicy);
          say(`${icon} ${runId} ${what} ${how}: ${reason(err)}`);
          throw err;
        }
      },
    };
    return () => ({ inbound });
  }

  /** A run of this worker published its phase (the status snapshot's sink): its end gets a line, once. */
  phase(runId: string, phase: Phase): void {
    const before = this.#phases.get(runId);
    this.#phases.set(runId, phase);
    if (isFinalPhase(phase) && before !== phase) {
      this.say(`● ${runId} ended: ${phase}`);
      this.#phases.delete(runId);
    }
  }

  private say(line: string): void {
    this.write(`${new Date().toISOString().slice(11, 19)} ${line}`);
  }
}

function describeActivity(type: string, activityId: string, attempt: number): string {
  if (type === PLANNER_ACTIVITY) return `planner (${activityId.replace('planner.', 'round ')}, attempt ${attempt})`;
  const run = /\.(\d+)$/.exec(activityId)?.[1];
  return `${taskIdOfActivity(activityId)} (run ${run ?? '?'}, attempt ${attempt})`;
}

/** How an attempt ended, and whether Temporal tries again. */
function ended(err: unknown, attempt: number, policy: RetryPolicy | undefined): [icon: string, how: string] {
  if (err instanceof CancelledFailure || Context.current().cancellationSignal.aborted) return ['■', 'cancelled'];
  const max = policy?.maximumAttempts;
  const final =
    (err instanceof ApplicationFailure &&
      (err.nonRetryable || policy?.nonRetryableErrorTypes?.includes(err.type ?? ''))) ||
    (max !== undefined && max > 0 && attempt >= max);
  return ['✖', final ? 'failed' : 'failed, Temporal retries it'];
}

function reason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]!.slice(0, 300);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
