// OpenTelemetry tracing of runs, off by default. When on, a client's calls that change a run (start, signal,
// update, cancel, terminate) open spans whose context travels in Temporal headers to the workflow and on to
// its activities, so one trace shows `baton start` → the orchestrate workflow → every agent attempt.
//
// The OpenTelemetry packages are loaded only when tracing is configured (./otel.js, imported on demand):
// a laptop's `baton run` does not pay for them at start.
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { TracingConfig } from '../config/tracing.js';

/** Which side of baton a process's spans come from: the resource attribute `baton.role`. */
export type TracingRole = 'client' | 'worker';

export interface Tracing {
  readonly role: TracingRole;
  /** For a Client: spans for starting a run and for the interventions; reads (queries, describe) are not traced. */
  clientInterceptors(): WorkflowClientInterceptor[];
  /** For a Worker: a span around each activity attempt, child of the workflow's span that scheduled it. */
  activityInterceptors(): ActivityInterceptorsFactory[];
  /** For a Worker: where the workflow sandbox's spans (made by src/workflows/tracing.ts) are exported. */
  workflowSinks(): InjectedSinks<OpenTelemetrySinks>;
  /** Exports the spans still buffered, then stops (later spans are dropped). */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** Told once when spans cannot be exported (the receiver is down, refuses them…). */
  warn?: (message: string) => void;
}

/** The tracing of one side of this process; undefined when tracing is off (nothing is loaded then). */
export async function startTracing(
  config: TracingConfig,
  role: TracingRole,
  options: TracingOptions = {},
): Promise<Tracing | undefined> {
  if (config.url === undefined) return undefined;
  const { OtlpTracing } = await import('./otel.js');
  return new OtlpTracing(config.url, role, options.warn);
}

/**
 * The workflow bundle always carries the tracing interceptors (the bundle is built once, before anyone knows
 * whether tracing will be on), so a worker without tracing still needs a place for their spans: nowhere.
 */
export const DISCARD_WORKFLOW_SPANS: InjectedSinks<OpenTelemetrySinks> = {
  exporter: { export: { fn: () => undefined } },
};
