// OpenTelemetry tracing of runs, off by default. When on, a client's calls that change a run (start, signal,
// update, cancel, terminate) open spans whose context travels in Temporal headers to the workflow and on to
// its activities, so one trace shows `baton start` → the orchestrate workflow → every agent attempt.
//
// The OpenTelemetry packages are loaded only when tracing is configured (./otel.js, imported on demand):
// a laptop's `baton run` does not pay for them at start.
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import type { InjectedSinks } from '@temporalio/worker';
import type { TracingConfig } from '../config/tracing.js';
import type { Tracing, TracingRole } from './types.js';

export type { Tracing, TracingRole } from './types.js';

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
