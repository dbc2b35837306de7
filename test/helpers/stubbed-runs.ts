// The orchestrate workflow on a real Temporal dev server with its agent replaced by a small function (the real
// activities are the claude tests' business): for the tests of the workflow's own logic that need many runs, long
// runs or exact timing — sub-plans handed over continue-as-new, abort reaching every level, retries by path id.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { batonDataConverter } from '../../src/codec/data-converter.js';
import { finalStatus, WORKFLOW_TYPE } from '../../src/client/runs.js';
import type { RunAgentInput, RunAgentResult } from '../../src/contract/agent.js';
import type { AgentFailureDetails } from '../../src/contract/failures.js';
import { PlanSchema, type PlanInput, type TaskInput } from '../../src/plan/schema.js';
import { DISCARD_WORKFLOW_SPANS } from '../../src/tracing/tracing.js';
import { PREBUILT_BUNDLES } from '../../src/workers/workflow-code.js';
import type { OrchestrateOptions } from '../../src/workflows/orchestrate.js';
import { statusQuery } from '../../src/workflows/messages.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { uniqueQueue, type TestTemporal } from './temporal.js';

export type RunAgent = (input: RunAgentInput) => Promise<RunAgentResult>;
export type StartRun = (
  plan: ReturnType<typeof stubPlan>,
  options?: OrchestrateOptions,
) => Promise<WorkflowHandleWithFirstExecutionRunId>;

/** A stub agent's result for the attempt it is in. */
export function stubResult(input: RunAgentInput, text: string, costUsd = 0): RunAgentResult {
  return {
    text,
    truncated: false,
    sessionId: input.sessionId,
    costUsd,
    usage: { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 },
    numTurns: 1,
    durationMs: 1,
    artifactPath: `/stub/${input.task.id}.md`,
    transcriptPath: `/stub/${input.task.id}.jsonl`,
    attempt: Context.current().info.attempt,
    permissionDenials: 0,
  };
}

/** A failure no retry fixes (a bad request): the task fails at once and waits for a person. */
export function finalFailure(message: string): ApplicationFailure {
  const details: AgentFailureDetails = { attempt: Context.current().info.attempt, costUsd: 0 };
  return ApplicationFailure.create({ type: 'AgentBadRequest', message, nonRetryable: true, details: [details] });
}

/** Heartbeats until `released` settles; a cancellation of the activity throws its CancelledFailure first. */
export async function heartbeatUntil(released: Promise<unknown>): Promise<void> {
  const ctx = Context.current();
  let done = false;
  void released.finally(() => (done = true));
  while (!done) {
    ctx.heartbeat();
    await ctx.sleep(100);
  }
}

/** Heartbeats until the workflow cancels the activity (then throws its CancelledFailure). */
export async function untilCancelled(): Promise<never> {
  const ctx = Context.current();
  for (;;) {
    ctx.heartbeat();
    await ctx.sleep(100);
  }
}

export const stubPlan = (name: string, tasks: TaskInput[], more: Partial<PlanInput> = {}) =>
  PlanSchema.parse({ version: 1, name, ...more, tasks });

/** Runs `body` with a worker whose only agent is `runAgent`, on a queue of its own. */
export async function withStubs<T>(
  temporal: TestTemporal,
  runAgent: RunAgent,
  body: (start: StartRun) => Promise<T>,
): Promise<T> {
  const taskQueue = uniqueQueue('stubbed');
  const worker = await Worker.create({
    connection: temporal.nativeConnection,
    namespace: 'default',
    taskQueue,
    workflowBundle: { codePath: PREBUILT_BUNDLES[0]!.codePath },
    activities: { runAgent, notify: async () => undefined },
    dataConverter: batonDataConverter(undefined),
    sinks: { ...DISCARD_WORKFLOW_SPANS, statusSnapshot: { publish: { fn: () => undefined } } },
    // Cancellation reaches a stub through its heartbeats: let them through at once.
    maxHeartbeatThrottleInterval: '100ms',
    defaultHeartbeatThrottleInterval: '100ms',
  });
  const started: WorkflowHandle[] = [];
  const start: StartRun = async (p, options = {}) => {
    const handle = await temporal.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue,
      workflowId: `stubbed-${p.name}-${randomBytes(3).toString('hex')}`,
      args: [{ plan: p, options: { cwd: '/tmp', retryInitialInterval: '50ms', ...options } }],
    });
    started.push(handle);
    return handle;
  };
  try {
    return await worker.runUntil(body(start));
  } finally {
    await Promise.all(started.map((h) => h.terminate('test over').catch(() => undefined)));
  }
}

export async function finalOf(handle: WorkflowHandle): Promise<RunStatus> {
  const status = await finalStatus(handle);
  assert.ok(status, 'the run ended with a status');
  return status;
}

export async function waitForStatus(
  handle: WorkflowHandle,
  what: string,
  predicate: (s: RunStatus) => boolean,
  timeoutMs = 30_000,
): Promise<RunStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await handle.query(statusQuery);
    if (predicate(status)) return status;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}: ${JSON.stringify(status, null, 1)}`);
    await sleep(100);
  }
}

export const statesOf = (s: RunStatus) => Object.fromEntries(s.tasks.map((t) => [t.id, t.state]));
