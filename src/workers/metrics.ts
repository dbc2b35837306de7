// Prometheus metrics of a worker (off by default; BATON_METRICS_PORT turns them on). One endpoint serves
// Temporal's runtime metrics (task slots, polls, latencies) and baton's own, recorded through the
// runtime's metric meter by an activity interceptor, so the agent code stays free of metrics:
//   baton_agent_attempts{outcome}      agent attempts by outcome (succeeded, failed, retrying, cancelled)
//   baton_tasks_finished{state}        tasks whose agent work ended for good (succeeded, failed, cancelled)
//   baton_agents_running               agents running now on this worker
//   baton_agent_cost_usd               reported cost per attempt (histogram: _sum is the total)
//   baton_agent_duration               wall time per attempt, milliseconds (histogram)
// Every series carries namespace, taskQueue and activityType labels.
import { Context } from '@temporalio/activity';
import type { MetricMeter } from '@temporalio/common';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next, RuntimeOptions } from '@temporalio/worker';
import { AGENT_ACTIVITY } from '../workflows/status.js';
import type { MetricsConfig } from '../config/metrics.js';

/** Histogram buckets of baton's metrics (Temporal's defaults suit milliseconds, not dollars). */
export const BUCKETS: Record<string, number[]> = {
  baton_agent_cost_usd: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25],
  baton_agent_duration: [1_000, 5_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000],
};

/** The runtime's telemetry: a Prometheus exporter at host:port/metrics, or none. */
export function runtimeTelemetry(config: MetricsConfig): RuntimeOptions['telemetryOptions'] | undefined {
  if (config.port === undefined) return undefined;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    metrics: {
      prometheus: {
        bindAddress: `${host}:${config.port}`,
        countersTotalSuffix: true,
        histogramBucketOverrides: BUCKETS,
      },
    },
  };
}

/** The activity a metric is about: only agents are measured. */

interface AgentResultLike {
  costUsd?: unknown;
  durationMs?: unknown;
}

interface FailureLike {
  nonRetryable?: unknown;
  details?: unknown;
  name?: unknown;
}

class AgentMetrics {
  readonly attempts;
  readonly tasksFinished;
  readonly running;
  readonly cost;
  readonly duration;

  constructor(meter: MetricMeter) {
    this.attempts = meter.createCounter('baton_agent_attempts', '1', 'agent attempts by outcome');
    this.tasksFinished = meter.createCounter(
      'baton_tasks_finished',
      '1',
      'tasks whose agent work ended for good, by state (a task a person retries counts again)',
    );
    this.running = meter.createGauge('baton_agents_running', 'int', '1', 'agents running now on this worker');
    this.cost = meter.createHistogram('baton_agent_cost_usd', 'float', 'USD', 'reported cost of each agent attempt');
    this.duration = meter.createHistogram('baton_agent_duration', 'int', 'ms', 'wall time of each agent attempt');
  }

  started(): void {
    this.running.set(++runningNow);
  }

  ended(): void {
    this.running.set(--runningNow);
  }
}

/** Agents running in this process. */
let runningNow = 0;

/** Records baton's metrics around each runAgent attempt. */
export class AgentMetricsInterceptor implements ActivityInboundCallsInterceptor {
  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const ctx = Context.current();
    if (ctx.info.activityType !== AGENT_ACTIVITY) return await next(input);
    // The activity's meter labels every series with its namespace, task queue and activity type.
    const m = new AgentMetrics(ctx.metricMeter);
    const startedAt = Date.now();
    m.started();
    try {
      const result = (await next(input)) as AgentResultLike | undefined;
      m.attempts.add(1, { outcome: 'succeeded' });
      m.tasksFinished.add(1, { state: 'succeeded' });
      recordCost(m, result?.costUsd);
      return result;
    } catch (err) {
      const cancelled = ctx.cancellationSignal.aborted;
      const final = cancelled || isFinalFailure(err, ctx.info.attempt, ctx.info.retryPolicy?.maximumAttempts);
      m.attempts.add(1, { outcome: cancelled ? 'cancelled' : final ? 'failed' : 'retrying' });
      if (final) m.tasksFinished.add(1, { state: cancelled ? 'cancelled' : 'failed' });
      recordCost(m, costOfFailure(err));
      throw err;
    } finally {
      m.duration.record(Date.now() - startedAt);
      m.ended();
    }
  }
}

/** Whether Temporal will not run another attempt after this failure. */
function isFinalFailure(err: unknown, attempt: number, maximumAttempts: number | undefined): boolean {
  const failure = err as FailureLike | undefined;
  if (failure?.nonRetryable === true) return true;
  return maximumAttempts !== undefined && maximumAttempts > 0 && attempt >= maximumAttempts;
}

/** runAgent's failures carry the attempt's cost in their first detail (AgentFailureDetails). */
function costOfFailure(err: unknown): unknown {
  const details = (err as FailureLike | undefined)?.details;
  return Array.isArray(details) ? (details[0] as AgentResultLike | undefined)?.costUsd : undefined;
}

function recordCost(m: AgentMetrics, cost: unknown): void {
  if (typeof cost === 'number' && Number.isFinite(cost) && cost >= 0) m.cost.record(cost);
}

/** The worker's interceptors for metrics (cheap when no exporter is installed: the meter is a no-op). */
export function metricsInterceptors(): { activity: Array<() => { inbound: ActivityInboundCallsInterceptor }> } {
  const inbound = new AgentMetricsInterceptor();
  return { activity: [() => ({ inbound })] };
}
