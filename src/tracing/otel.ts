// The OpenTelemetry side of tracing, loaded only when tracing is configured (see tracing.ts): an OTLP/HTTP
// exporter behind a batching processor, one tracer provider per side of the process, and Temporal's
// interceptors from @temporalio/interceptors-opentelemetry.
import { context, propagation, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode, W3CTraceContextPropagator, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import type { Next, WorkflowClientInterceptor, WorkflowDescribeInput, WorkflowQueryInput } from '@temporalio/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  type OpenTelemetrySinks,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { Tracing, TracingRole } from './types.js';

const SERVICE_NAME = 'baton';

/** How long one export may take: a receiver that does not answer must not hold `baton start` up for long. */
const EXPORT_TIMEOUT_MS = 5_000;

// Context and propagation are global in OpenTelemetry: set once per process. Without a context manager the
// active span is lost across `await`, and the trace context never reaches Temporal's headers.
let globalsInstalled = false;
function installGlobals(): void {
  if (globalsInstalled) return;
  globalsInstalled = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}

/** Reads are not traced: `baton run` and `baton watch` query the status twice a second. */
class ClientTracingInterceptor extends OpenTelemetryWorkflowClientInterceptor {
  override async query(input: WorkflowQueryInput, next: Next<WorkflowClientInterceptor, 'query'>): Promise<unknown> {
    return await next(input);
  }

  override async describe(input: WorkflowDescribeInput, next: Next<WorkflowClientInterceptor, 'describe'>) {
    return await next(input);
  }
}

/** Passes spans on, and tells `failed` when an export fails. */
class ReportingExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly failed: (reason: string) => void,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code !== ExportResultCode.SUCCESS) this.failed(result.error?.message ?? 'unknown error');
      done(result);
    });
  }

  async shutdown(): Promise<void> {
    await this.inner.shutdown();
  }

  async forceFlush(): Promise<void> {
    await this.inner.forceFlush?.();
  }
}

export class OtlpTracing implements Tracing {
  readonly resource: Resource;
  readonly #processor: BatchSpanProcessor;
  readonly #provider: BasicTracerProvider;
  readonly #tracer: Tracer;
  readonly #failed: (reason: string) => void;

  constructor(
    url: string,
    readonly role: TracingRole,
    warn: (message: string) => void = () => {},
  ) {
    installGlobals();
    this.resource = new Resource({ 'service.name': SERVICE_NAME, 'baton.role': role });
    // Said once: a receiver that is down would otherwise be reported every few seconds.
    let warned = false;
    this.#failed = (reason) => {
      if (warned) return;
      warned = true;
      warn(`tracing: could not export spans to ${url} (${reason}); later failures are not reported`);
    };
    const exporter = new ReportingExporter(
      new OTLPTraceExporter({ url, timeoutMillis: EXPORT_TIMEOUT_MS }),
      this.#failed,
    );
    this.#processor = new BatchSpanProcessor(exporter, { exportTimeoutMillis: EXPORT_TIMEOUT_MS });
    // Not registered as the global provider: a `baton run` process has a client side and a worker side, each
    // with its own resource, and hands its tracer to the interceptors explicitly.
    this.#provider = new BasicTracerProvider({ resource: this.resource, spanProcessors: [this.#processor] });
    this.#tracer = this.#provider.getTracer('baton');
  }

  clientInterceptors(): WorkflowClientInterceptor[] {
    return [new ClientTracingInterceptor({ tracer: this.#tracer })];
  }

  activityInterceptors(): ActivityInterceptorsFactory[] {
    const tracer = this.#tracer;
    return [
      (ctx) => ({
        inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer }),
        outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
      }),
    ];
  }

  workflowSinks(): InjectedSinks<OpenTelemetrySinks> {
    return { exporter: makeWorkflowExporter(this.#processor, this.resource) };
  }

  /** Never throws: spans that cannot be exported must not fail the run or the command that made them. */
  async shutdown(): Promise<void> {
    try {
      await this.#provider.shutdown();
    } catch (err) {
      this.#failed(err instanceof Error ? err.message : String(err));
    }
  }
}
