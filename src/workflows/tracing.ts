// Workflow interceptors for tracing, compiled into the prebuilt workflow bundles (scripts/bundle-workflows.js):
// the workflow's run, its activities, signals and updates become spans, children of the client's span (the
// context travels in Temporal headers). Spans leave the sandbox through the `exporter` sink, which a worker
// without tracing points nowhere (DISCARD_WORKFLOW_SPANS).
//
// Only a run started by a traced client is traced: its start carries the trace context header. Every other run
// goes straight through, because a span costs the workflow thread several promises, each of which the SDK's
// sandbox records a stack for — on a run of thousands of tasks, a visible share of its CPU. The decision is
// taken from the run's own history, so a replay takes the same one. OpenTelemetry's modules are loaded by a traced
// run only: evaluated in every run's sandbox, they cost each run's start ~6 ms of the workflow thread (issue 22).
// Not a workflow: it is listed in `workflowInterceptorModules`, not exported from ./index.ts.
import type {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow/index.js';
import type {
  ActivityInput,
  ContinueAsNewInput,
  DisposeInput,
  Next,
  SignalInput,
  SignalWorkflowInput,
  UpdateInput,
  WorkflowExecuteInput,
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptors,
  WorkflowInternalsInterceptor,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';

/** Where a traced client puts the trace context (@temporalio/interceptors-opentelemetry's TRACE_HEADER). */
const TRACE_HEADER = '_tracer-data';

/** One run's tracing, shared by its interceptors: off until its start shows a trace context. */
class RunTracing {
  #inbound: OpenTelemetryInboundInterceptor | undefined;
  #outbound: OpenTelemetryOutboundInterceptor | undefined;
  #internals: OpenTelemetryInternalsInterceptor | undefined;

  /** Whether the run's start carries a trace context: only then is it traced. */
  static traced(headers: WorkflowExecuteInput['headers']): boolean {
    return TRACE_HEADER in headers;
  }

  /** Loads OpenTelemetry into this run's sandbox (compiled into the bundle, not a chunk of its own). */
  async start(): Promise<void> {
    const otel = await import(
      /* webpackMode: "eager" */ '@temporalio/interceptors-opentelemetry/lib/workflow/index.js'
    );
    this.#inbound = new otel.OpenTelemetryInboundInterceptor();
    this.#outbound = new otel.OpenTelemetryOutboundInterceptor();
    this.#internals = new otel.OpenTelemetryInternalsInterceptor();
  }

  get inbound() {
    return this.#inbound;
  }
  get outbound() {
    return this.#outbound;
  }
  get internals() {
    return this.#internals;
  }
}

class InboundTracing implements WorkflowInboundCallsInterceptor {
  constructor(private readonly run: RunTracing) {}

  execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    if (!RunTracing.traced(input.headers)) return next(input);
    return this.run.start().then(() => this.run.inbound!.execute(input, next));
  }

  handleSignal(input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>): Promise<void> {
    return this.run.inbound ? this.run.inbound.handleSignal(input, next) : next(input);
  }

  handleUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>): Promise<unknown> {
    return this.run.inbound ? this.run.inbound.handleUpdate(input, next) : next(input);
  }

  validateUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'validateUpdate'>): void {
    if (this.run.inbound) this.run.inbound.validateUpdate(input, next);
    else next(input);
  }
  // Queries are not traced: they are reads, and `baton run` and `baton watch` ask for the status twice a second.
}

class OutboundTracing implements WorkflowOutboundCallsInterceptor {
  constructor(private readonly run: RunTracing) {}

  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>) {
    return this.run.outbound ? this.run.outbound.scheduleActivity(input, next) : next(input);
  }

  continueAsNew(input: ContinueAsNewInput, next: Next<WorkflowOutboundCallsInterceptor, 'continueAsNew'>) {
    return this.run.outbound ? this.run.outbound.continueAsNew(input, next) : next(input);
  }

  signalWorkflow(input: SignalWorkflowInput, next: Next<WorkflowOutboundCallsInterceptor, 'signalWorkflow'>) {
    return this.run.outbound ? this.run.outbound.signalWorkflow(input, next) : next(input);
  }

  getLogAttributes(
    input: Record<string, unknown>,
    next: Next<WorkflowOutboundCallsInterceptor, 'getLogAttributes'>,
  ): Record<string, unknown> {
    return this.run.outbound ? this.run.outbound.getLogAttributes(input, next) : next(input);
  }
}

class InternalsTracing implements WorkflowInternalsInterceptor {
  constructor(private readonly run: RunTracing) {}

  dispose(input: DisposeInput, next: Next<WorkflowInternalsInterceptor, 'dispose'>): void {
    if (this.run.internals) void this.run.internals.dispose(input, next);
    else next(input);
  }
}

export const interceptors = (): WorkflowInterceptors => {
  const run = new RunTracing();
  return {
    inbound: [new InboundTracing(run)],
    outbound: [new OutboundTracing(run)],
    internals: [new InternalsTracing(run)],
  };
};
