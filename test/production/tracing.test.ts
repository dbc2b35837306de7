// OpenTelemetry tracing, end to end: an OTLP/HTTP receiver in this process (a node http server taking
// `POST /v1/traces`) collects the spans of real two-task runs — the built CLI, the suite's Temporal dev
// server, the real `claude` binary against the scripted model — and the spans must form one trace: the
// client's start of the run, the workflow's run, the activities it schedules and their attempts. Tracing
// off (the default), a run loads no OpenTelemetry module at all and sends no trace context to Temporal.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, test } from 'node:test';
import { execa } from 'execa';
import { ConfigError } from '../../src/config/index.js';
import { FakeModel } from '../../src/rehearsal/fake-model.js';
import { loadTracingConfig } from '../../src/config/tracing.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { BATON_CLI, describeResult, freePort, jsonOf, stopProcess } from '../helpers/cli.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import { testTemporal } from '../helpers/temporal.js';
import { modelSandbox } from '../helpers/worker-scene.js';

describe('tracing configuration', () => {
  const url = (env: NodeJS.ProcessEnv) => loadTracingConfig(env).url;

  void test('off unless an endpoint is set; an empty BATON_OTEL_ENDPOINT (as Compose passes it) is unset', () => {
    assert.equal(url({}), undefined);
    assert.equal(url({ BATON_OTEL_ENDPOINT: '' }), undefined);
  });

  void test('a base URL gets /v1/traces; a URL that already ends with it is kept', () => {
    assert.equal(url({ BATON_OTEL_ENDPOINT: 'http://jaeger:4318' }), 'http://jaeger:4318/v1/traces');
    assert.equal(url({ BATON_OTEL_ENDPOINT: 'https://otel.example/base/' }), 'https://otel.example/base/v1/traces');
    assert.equal(url({ BATON_OTEL_ENDPOINT: 'http://jaeger:4318/v1/traces' }), 'http://jaeger:4318/v1/traces');
  });

  void test("OpenTelemetry's own variables turn it on too, with their rules; BATON_OTEL_ENDPOINT wins", () => {
    assert.equal(url({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), 'http://collector:4318/v1/traces');
    assert.equal(
      url({
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/custom',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x',
      }),
      'http://collector:4318/custom',
    );
    assert.equal(
      url({ BATON_OTEL_ENDPOINT: 'http://mine:4318', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }),
      'http://mine:4318/v1/traces',
    );
  });

  void test('OTEL_SDK_DISABLED=true turns it off whatever else is set', () => {
    assert.equal(url({ OTEL_SDK_DISABLED: 'true', BATON_OTEL_ENDPOINT: 'http://jaeger:4318' }), undefined);
    assert.equal(
      url({ OTEL_SDK_DISABLED: 'false', BATON_OTEL_ENDPOINT: 'http://jaeger:4318' }),
      'http://jaeger:4318/v1/traces',
    );
  });

  void test('a bad endpoint or the gRPC protocol is a ConfigError naming the variable', () => {
    const cases: Array<[NodeJS.ProcessEnv, RegExp]> = [
      [{ BATON_OTEL_ENDPOINT: 'jaeger:4318' }, /BATON_OTEL_ENDPOINT: "jaeger:4318" is not an http\(s\) URL/],
      [{ BATON_OTEL_ENDPOINT: 'not a url' }, /BATON_OTEL_ENDPOINT: "not a url" is not a URL/],
      [
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317' },
        /OTEL_EXPORTER_OTLP_ENDPOINT: .* not an http\(s\) URL/,
      ],
      [
        { BATON_OTEL_ENDPOINT: 'http://collector:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
        /OTEL_EXPORTER_OTLP_PROTOCOL=grpc: baton exports traces over OTLP\/HTTP only/,
      ],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => loadTracingConfig(env),
        (err: unknown) => err instanceof ConfigError && message.test(err.message),
        `${JSON.stringify(env)} → ${message}`,
      );
    }
  });
});

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  attributes: Record<string, unknown>;
  /** The resource's attributes: service.name, baton.role. */
  resource: Record<string, unknown>;
}

/** An OTLP/HTTP receiver: JSON (what @opentelemetry/exporter-trace-otlp-http sends) on POST /v1/traces. */
interface Receiver {
  endpoint: string;
  spans: ReceivedSpan[];
  /** Requests that were not a POST of JSON to /v1/traces. */
  rejected: string[];
  close(): Promise<void>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpKeyValue {
  key: string;
  value: OtlpValue;
}
interface OtlpTraces {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: Array<{
      spans?: Array<{
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        attributes?: OtlpKeyValue[];
      }>;
    }>;
  }>;
}

const attributesOf = (list: OtlpKeyValue[] | undefined): Record<string, unknown> =>
  Object.fromEntries(
    (list ?? []).map(({ key, value }) => [
      key,
      value.stringValue ?? value.intValue ?? value.boolValue ?? value.doubleValue,
    ]),
  );

async function startReceiver(): Promise<Receiver> {
  const spans: ReceivedSpan[] = [];
  const rejected: string[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const type = request.headers['content-type'] ?? '';
      if (request.method !== 'POST' || request.url !== '/v1/traces' || !type.startsWith('application/json')) {
        rejected.push(`${request.method} ${request.url} ${type}`);
        response.writeHead(404).end();
        return;
      }
      let body = Buffer.concat(chunks);
      if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const traces = JSON.parse(body.toString('utf8')) as OtlpTraces;
      for (const resourceSpans of traces.resourceSpans ?? []) {
        const resource = attributesOf(resourceSpans.resource?.attributes);
        for (const scope of resourceSpans.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            spans.push({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId ?? '',
              name: span.name,
              attributes: attributesOf(span.attributes),
              resource,
            });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    rejected,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const temporal = forAllTests(testTemporal);

/** Two tasks, the second after the first, each answered by the scripted model in one turn. */
async function setup(name: string, env: Record<string, string> = {}) {
  const marker = randomBytes(3).toString('hex');
  const taskIds = [`${name}-first-${marker}`, `${name}-second-${marker}`];
  const fake = await FakeModel.start({
    script: Object.fromEntries(taskIds.map((id) => [id, { turns: [{ text: `${id} done` }] }])),
  });
  const box = await modelSandbox(name, fake, { TEMPORAL_ADDRESS: temporal.address, ...env });
  const plan = [
    'version: 1',
    `name: traced-${name}`,
    'defaults: { retries: 0, timeout: 2m }',
    'tasks:',
    `  - { id: ${taskIds[0]}, prompt: Do the first thing. }`,
    `  - { id: ${taskIds[1]}, prompt: Do the second thing., dependsOn: [${taskIds[0]}] }`,
    '',
  ].join('\n');
  await writeFile(path.join(box.cwd, 'plan.yaml'), plan);
  const runId = `baton-traced-${name}-${marker}`;
  return { box, fake, taskIds, runId };
}

/** Whether the run's start in Temporal's history carries a trace context header (the client traced it). */
async function startHasTraceContext(runId: string): Promise<boolean> {
  const history = await temporal.client.workflow.getHandle(runId).fetchHistory();
  const fields = history.events?.[0]?.workflowExecutionStartedEventAttributes?.header?.fields ?? {};
  return '_tracer-data' in fields;
}

/**
 * The spans of one run form one trace: the client's StartWorkflow is the root; the workflow's RunWorkflow is
 * its child; each task's StartActivity (made in the workflow) is RunWorkflow's child; each RunActivity (the
 * attempt, in the worker) is the child of its StartActivity. Returns a line of figures for the log.
 */
function checkTrace(spans: ReceivedSpan[], runId: string, taskIds: string[]): string {
  const named = (name: string) => spans.filter((s) => s.name === name);
  const names = [...new Set(spans.map((s) => s.name))].sort();
  const [start, ...moreStarts] = named('StartWorkflow:orchestrate');
  assert.ok(start && moreStarts.length === 0, `one StartWorkflow:orchestrate span; spans: ${names.join(', ')}`);
  assert.equal(start.attributes.temporalWorkflowId, runId);
  assert.equal(start.parentSpanId, '', 'starting the run is the root of its trace');
  assert.equal(start.resource['service.name'], 'baton');
  assert.equal(start.resource['baton.role'], 'client');

  const [run, ...moreRuns] = named('RunWorkflow:orchestrate');
  assert.ok(run && moreRuns.length === 0, `one RunWorkflow:orchestrate span; spans: ${names.join(', ')}`);
  assert.equal(run.parentSpanId, start.spanId, 'the workflow run is a child of the client start');
  assert.equal(run.resource['baton.role'], 'worker');
  assert.equal(run.resource['service.name'], 'baton');

  const scheduled = named('StartActivity:runAgent');
  const attempts = named('RunActivity:runAgent');
  assert.equal(scheduled.length, 2, `two StartActivity:runAgent spans; spans: ${names.join(', ')}`);
  assert.equal(attempts.length, 2, `two RunActivity:runAgent spans; spans: ${names.join(', ')}`);
  for (const s of scheduled) assert.equal(s.parentSpanId, run.spanId, 'activities are scheduled by the workflow run');
  for (const a of attempts) {
    assert.ok(
      scheduled.some((s) => s.spanId === a.parentSpanId),
      'each agent attempt is a child of the span that scheduled it',
    );
    assert.equal(a.resource['baton.role'], 'worker');
  }
  assert.deepEqual(
    attempts.map((a) => String(a.attributes.temporalActivityId).replace(/\.\d+$/, '')).sort(),
    [...taskIds].sort(),
    'one attempt per task (activity ids are <task>.<generation>)',
  );

  const traceIds = new Set(spans.map((s) => s.traceId));
  assert.deepEqual([...traceIds], [start.traceId], `every span in one trace; spans: ${names.join(', ')}`);
  // Reads are not traced: the status was queried many times while the run went on.
  assert.deepEqual(
    names.filter((n) => /^(QueryWorkflow|HandleQuery|DescribeWorkflow)/.test(n)),
    [],
    'no spans for queries',
  );
  return `${spans.length} spans in trace ${start.traceId}: ${names.join(', ')}`;
}

void test('baton run with BATON_OTEL_ENDPOINT: starting the run, the workflow and each agent attempt are spans of one trace', async () => {
  const receiver = await startReceiver();
  const { box, fake, taskIds, runId } = await setup('run', { BATON_OTEL_ENDPOINT: receiver.endpoint });
  try {
    const run = await box.baton(['run', 'plan.yaml', '--id', runId, '--json']);
    assert.equal(run.exitCode, 0, describeResult(run));
    assert.equal(jsonOf<RunStatus>(run).phase, 'completed');
    // `baton run` exports what is left at its end, before it exits: nothing to wait for.
    assert.deepEqual(receiver.rejected, []);
    console.log(`baton run (${run.durationMs} ms): ${checkTrace(receiver.spans, runId, taskIds)}`);
    assert.ok(await startHasTraceContext(runId), "the run's start carries the trace context to the workflow");
  } finally {
    await receiver.close();
    await fake.stop();
    await box.cleanup();
  }
});

void test('baton start and baton worker, two processes: the trace crosses Temporal, and the worker exports its spans as it stops', async () => {
  const receiver = await startReceiver();
  const { box, fake, taskIds, runId } = await setup('split', { BATON_OTEL_ENDPOINT: receiver.endpoint });
  const worker = box.spawn(['worker']);
  try {
    const start = await box.baton(['start', 'plan.yaml', '--id', runId, '--json']);
    assert.equal(start.exitCode, 0, describeResult(start));
    // `baton start` exported its span before it exited.
    assert.deepEqual(
      receiver.spans.map((s) => s.name),
      ['StartWorkflow:orchestrate'],
    );
    const result = await box.baton(['result', runId, '--json']);
    assert.equal(result.exitCode, 0, `${describeResult(result)}\n--- worker\n${String(worker.all ?? '')}`);
    assert.equal(jsonOf<RunStatus>(result).phase, 'completed');
    const stopped = await stopProcess(worker);
    assert.equal(stopped.exitCode, 0, stopped.output);
    assert.deepEqual(receiver.rejected, []);
    console.log(`baton start + worker: ${checkTrace(receiver.spans, runId, taskIds)}`);
  } finally {
    if (worker.exitCode === null) await stopProcess(worker);
    await receiver.close();
    await fake.stop();
    await box.cleanup();
  }
});

const MODULE_RECORDER = fileURLToPath(new URL('../helpers/module-recorder.js', import.meta.url));

void test('a run started without tracing on a traced worker: no workflow spans and no trace headers, only its attempts as roots', async () => {
  const receiver = await startReceiver();
  const { box, fake, taskIds, runId } = await setup('untraced-start');
  const worker = box.spawn(['worker'], { env: { ...box.env, BATON_OTEL_ENDPOINT: receiver.endpoint } });
  try {
    const start = await box.baton(['start', 'plan.yaml', '--id', runId, '--json']);
    assert.equal(start.exitCode, 0, describeResult(start));
    const result = await box.baton(['result', runId, '--json']);
    assert.equal(result.exitCode, 0, `${describeResult(result)}\n--- worker\n${String(worker.all ?? '')}`);
    const stopped = await stopProcess(worker);
    assert.equal(stopped.exitCode, 0, stopped.output);
    assert.equal(await startHasTraceContext(runId), false);
    const history = await temporal.client.workflow.getHandle(runId).fetchHistory();
    const headers = (history.events ?? []).flatMap((e) =>
      Object.keys(e.activityTaskScheduledEventAttributes?.header?.fields ?? {}),
    );
    assert.deepEqual(headers, [], 'no activity carries a trace context');
    const names = receiver.spans.map((s) => s.name).sort();
    assert.deepEqual(names, ['RunActivity:runAgent', 'RunActivity:runAgent'], `spans: ${names.join(', ')}`);
    assert.ok(
      receiver.spans.every((s) => s.parentSpanId === ''),
      'each attempt is the root of its own trace',
    );
    assert.deepEqual(
      receiver.spans.map((s) => String(s.attributes.temporalActivityId)).sort(),
      taskIds.map((id) => `${id}.1`).sort(),
    );
  } finally {
    if (worker.exitCode === null) await stopProcess(worker);
    await receiver.close();
    await fake.stop();
    await box.cleanup();
  }
});

void test('tracing off (the default): baton run loads no OpenTelemetry module and sends no trace context', async () => {
  // BATON_OTEL_ENDPOINT empty, as Compose passes it when the shell does not set it.
  const { box, fake, runId } = await setup('off', { BATON_OTEL_ENDPOINT: '' });
  const modulesFile = path.join(box.root, 'modules.txt');
  try {
    const started = Date.now();
    const run = await execa(
      process.execPath,
      ['--import', MODULE_RECORDER, BATON_CLI, 'run', 'plan.yaml', '--id', runId, '--json'],
      {
        cwd: box.cwd,
        env: { ...box.env, BATON_TEST_MODULES_FILE: modulesFile },
        extendEnv: false,
        stdin: 'ignore',
        reject: false,
        timeout: 120_000,
      },
    );
    assert.equal(run.exitCode, 0, `${run.stdout}\n${run.stderr}`);
    assert.equal((JSON.parse(run.stdout) as RunStatus).phase, 'completed');
    const loaded = (await readFile(modulesFile, 'utf8')).split('\n').filter(Boolean);
    // The recorder works: it saw the worker's SDK load (baton's own modules and the client are in the CLI's
    // bundle, which requires the packages it leaves out, OpenTelemetry's among them, when first used).
    assert.ok(
      loaded.some((url) => url.includes('/node_modules/@temporalio/worker/')),
      'the recorder saw the worker SDK load',
    );
    const otel = loaded.filter((url) =>
      /@opentelemetry|interceptors-opentelemetry|\/dist\/src\/tracing\/otel\.js/.test(url),
    );
    assert.deepEqual(otel, [], 'no OpenTelemetry module is loaded');
    assert.equal(await startHasTraceContext(runId), false, 'no trace context in the start of the run');
    console.log(
      `tracing off: baton run (${Date.now() - started} ms) loaded ${new Set(loaded).size} modules, none of OpenTelemetry`,
    );
  } finally {
    await fake.stop();
    await box.cleanup();
  }
});

void test('a receiver that is down does not fail the command: baton start says once that spans could not be exported', async () => {
  const port = await freePort();
  const { box, fake, runId } = await setup('down', { BATON_OTEL_ENDPOINT: `http://127.0.0.1:${port}` });
  try {
    const start = await box.baton(['start', 'plan.yaml', '--id', runId, '--json']);
    assert.equal(start.exitCode, 0, describeResult(start));
    assert.equal(jsonOf<{ runId: string }>(start).runId, runId);
    const warnings = start.stderr.match(/tracing: could not export spans/g) ?? [];
    assert.equal(warnings.length, 1, describeResult(start));
    assert.match(start.stderr, new RegExp(`could not export spans to http://127\\.0\\.0\\.1:${port}/v1/traces`));
  } finally {
    // No worker serves this run's queue: end it so it does not wait for one.
    await temporal.client.workflow.getHandle(runId).terminate('test over');
    await fake.stop();
    await box.cleanup();
  }
});
