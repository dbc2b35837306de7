// What tracing gives a process, apart from both its halves: ./tracing.ts (always loaded) and ./otel.ts (loaded
// only when tracing is on) each import it, and neither imports the other's types.
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';

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
