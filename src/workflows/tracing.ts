// Workflow interceptors for tracing, compiled into the prebuilt workflow bundles (scripts/bundle-workflows.js):
// the workflow's run, its activities, signals and updates become spans, children of the client's span when
// the run was started by a traced client (the context travels in Temporal headers). Spans leave the sandbox
// through the `exporter` sink, which a worker without tracing points nowhere (DISCARD_WORKFLOW_SPANS).
// Not a workflow: it is listed in `workflowInterceptorModules`, not exported from ./index.ts.
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow/index.js';
import type { Next, QueryInput, WorkflowInboundCallsInterceptor, WorkflowInterceptors } from '@temporalio/workflow';

/** Queries are reads: `baton run` and `baton watch` ask for the status twice a second. */
class InboundTracing extends OpenTelemetryInboundInterceptor {
  override async handleQuery(input: QueryInput, next: Next<WorkflowInboundCallsInterceptor, 'handleQuery'>) {
    return await next(input);
  }
}

export const interceptors = (): WorkflowInterceptors => ({
  inbound: [new InboundTracing()],
  outbound: [new OpenTelemetryOutboundInterceptor()],
  internals: [new OpenTelemetryInternalsInterceptor()],
});
