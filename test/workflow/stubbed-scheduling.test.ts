// The orchestrate workflow's scheduling on a real Temporal dev server, with its activities replaced by small
// functions: priorities, maxParallel, Temporal's retries under the workflow's retry policy, a person's retry,
// the budget, onFailure: fail and continue-as-new — in seconds, beside the tests that run the real claude.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { Context } from '@temporalio/activity';
import {
  WorkflowUpdateFailedError,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
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
import { resumeUpdate, retryTaskUpdate, statusQuery } from '../../src/workflows/messages.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import { uniqueQueue } from '../helpers/temporal.js';
import { workflowTemporal } from '../helpers/workflow-harness.js';

type RunAgent = (input: RunAgentInput) => Promise<RunAgentResult>;

const temporal = forAllTests(workflowTemporal);

/** A stub agent's result for the attempt it is in. */
function result(input: RunAgentInput, text: string, costUsd = 0): RunAgentResult {
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

/** A failure as runAgent reports it; `nonRetryable` stays false: the workflow's retry policy must decide. */
function agentFailure(type: string, message: string): ApplicationFailure {
  const details: AgentFailureDetails = { attempt: Context.current().info.attempt, costUsd: 0 };
  return ApplicationFailure.create({ type, message, nonRetryable: false, details: [details] });
}

/** Heartbeats until the workflow cancels the activity (then throws its CancelledFailure). */
async function untilCancelled(): Promise<never> {
  const ctx = Context.current();
  for (;;) {
    ctx.heartbeat();
    await ctx.sleep(100);
  }
}

const plan = (name: string, tasks: TaskInput[], more: Partial<PlanInput> = {}) =>
  PlanSchema.parse({ version: 1, name, ...more, tasks });

/** Runs `body` with a worker whose only agent is `runAgent`, on a queue of its own. */
async function withStubs<T>(
  runAgent: RunAgent,
  body: (
    start: (p: ReturnType<typeof plan>, options?: OrchestrateOptions) => Promise<WorkflowHandleWithFirstExecutionRunId>,
  ) => Promise<T>,
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
  const start = (p: ReturnType<typeof plan>, options: OrchestrateOptions = {}) =>
    temporal.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue,
      workflowId: `stubbed-${p.name}-${randomBytes(3).toString('hex')}`,
      args: [{ plan: p, options: { cwd: '/tmp', retryInitialInterval: '50ms', ...options } }],
    });
  return await worker.runUntil(body(start));
}

async function final(handle: WorkflowHandle): Promise<RunStatus> {
  const status = await finalStatus(handle);
  assert.ok(status, 'the run ended with a status');
  return status;
}

async function waitFor(handle: WorkflowHandle, what: string, predicate: (s: RunStatus) => boolean): Promise<RunStatus> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const status = await handle.query(statusQuery);
    if (predicate(status)) return status;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}: ${JSON.stringify(status, null, 1)}`);
    await sleep(100);
  }
}

const states = (s: RunStatus) => Object.fromEntries(s.tasks.map((t) => [t.id, t.state]));

void test('one at a time, ready tasks start by priority then plan order, and a dependent gets its dependency’s result', async () => {
  const started: string[] = [];
  const inputs = new Map<string, RunAgentInput>();
  const runAgent: RunAgent = async (input) => {
    started.push(input.task.id);
    inputs.set(input.task.id, input);
    return result(input, `${input.task.id} done`);
  };
  await withStubs(runAgent, async (start) => {
    const handle = await start(
      plan(
        'priority',
        [
          { id: 'low', prompt: 'L' },
          { id: 'high', prompt: 'H', priority: 5 },
          { id: 'high-too', prompt: 'H2', priority: 5 },
          { id: 'after-high', prompt: 'A', dependsOn: ['high'], priority: 9 },
        ],
        { maxParallel: 1 },
      ),
    );
    const status = await final(handle);
    assert.equal(status.phase, 'completed');
    // after-high becomes ready once high is done and outranks everything still waiting.
    assert.deepEqual(started, ['high', 'after-high', 'high-too', 'low']);
    const dependency = inputs.get('after-high')?.dependencies[0];
    assert.deepEqual(
      { id: dependency?.id, state: dependency?.state, summary: dependency?.summary },
      { id: 'high', state: 'succeeded', summary: 'high done' },
    );
  });
});

void test('maxParallel 2 keeps exactly two stub agents in flight over a fan-out of eight', async () => {
  let inFlight = 0;
  let most = 0;
  const runAgent: RunAgent = async (input) => {
    most = Math.max(most, ++inFlight);
    // Long enough for the second agent of each pair to start while the first still runs, even under load.
    await sleep(800);
    inFlight--;
    return result(input, 'ok');
  };
  await withStubs(runAgent, async (start) => {
    const ids = Array.from({ length: 8 }, (_, i) => `t${i}`);
    const handle = await start(
      plan(
        'fan',
        ids.map((id) => ({ id, prompt: id })),
        { maxParallel: 2 },
      ),
    );
    const status = await final(handle);
    assert.equal(status.phase, 'completed');
    assert.equal(status.tasks.filter((t) => t.state === 'succeeded').length, 8);
    assert.equal(most, 2, `agents in flight at most: ${most}`);
  });
});

void test('Temporal retries a retryable failure; the retry policy stops a final one at once, and a person’s retry runs it again', async () => {
  let fixed = false;
  const runAgent: RunAgent = async (input) => {
    const attempt = Context.current().info.attempt;
    if (input.task.id === 'flaky' && attempt === 1)
      throw agentFailure('AgentRateLimited', 'the model API answered 429');
    if (input.task.id === 'bad' && !fixed) throw agentFailure('AgentBadRequest', 'the model API answered 400');
    return result(input, `${input.task.id} done`);
  };
  await withStubs(runAgent, async (start) => {
    const handle = await start(
      plan('retries', [
        { id: 'flaky', prompt: 'F', retries: 3 },
        { id: 'bad', prompt: 'B', retries: 3 },
        { id: 'after-bad', prompt: 'A', dependsOn: ['bad'] },
      ]),
    );
    const stuck = await waitFor(handle, 'the run to wait on a person', (s) => s.waitingOn.length > 0);
    assert.deepEqual(states(stuck), { flaky: 'succeeded', bad: 'failed', 'after-bad': 'blocked' });
    assert.equal(stuck.tasks.find((t) => t.id === 'flaky')?.attempts, 2, 'a 429 is retried');
    assert.equal(stuck.tasks.find((t) => t.id === 'bad')?.attempts, 1, 'a 400 is not');
    assert.deepEqual(stuck.waitingOn, ['task bad: failed — baton retry|skip <run> bad, or baton abort <run>']);
    fixed = true;
    await handle.executeUpdate(retryTaskUpdate, { args: [{ taskId: 'bad' }] });
    const status = await final(handle);
    assert.equal(status.phase, 'completed');
    assert.equal(status.tasks.find((t) => t.id === 'bad')?.attempts, 2);
  });
});

void test('past its budget the run pauses, and resuming with a higher budget finishes it', async () => {
  const runAgent: RunAgent = async (input) => result(input, 'ok', 1);
  await withStubs(runAgent, async (start) => {
    const tasks = ['a', 'b', 'c'].map((id) => ({ id, prompt: id }));
    const handle = await start(plan('budget', tasks, { maxParallel: 1, budgetUsd: 1.5 }));
    const paused = await waitFor(handle, 'the budget pause', (s) => s.phase === 'paused');
    assert.deepEqual(states(paused), { a: 'succeeded', b: 'succeeded', c: 'ready' });
    assert.deepEqual(paused.waitingOn, ['budget: spent $2.00 of $1.50 — baton resume <run> --budget <usd>']);
    await assert.rejects(
      handle.executeUpdate(resumeUpdate, { args: [{ budgetUsd: 2 }] }),
      (err: unknown) =>
        err instanceof WorkflowUpdateFailedError && /resume with a budget above that/.test(err.cause?.message ?? ''),
    );
    await handle.executeUpdate(resumeUpdate, { args: [{ budgetUsd: 10 }] });
    const status = await final(handle);
    assert.equal(status.phase, 'completed');
    assert.equal(status.costUsd, 3);
  });
});

void test('onFailure fail cancels the agents still running and fails the run, every task accounted for', async () => {
  let cancelled = false;
  const runAgent: RunAgent = async (input) => {
    if (input.task.id === 'boom') throw agentFailure('AgentBadRequest', 'bad request');
    try {
      return await untilCancelled();
    } catch (err) {
      cancelled = true;
      throw err;
    }
  };
  await withStubs(runAgent, async (start) => {
    const handle = await start(
      plan(
        'fail-fast',
        [
          { id: 'slow', prompt: 'S' },
          { id: 'boom', prompt: 'B' },
          { id: 'later', prompt: 'L', dependsOn: ['slow'] },
        ],
        { onFailure: 'fail' },
      ),
    );
    const status = await final(handle);
    assert.equal(status.phase, 'failed');
    // later's dependency was cancelled: it is blocked, not cancelled itself.
    assert.deepEqual(states(status), { slow: 'cancelled', boom: 'failed', later: 'blocked' });
    assert.ok(cancelled, 'the running agent saw its cancellation');
  });
});

void test('continue-as-new carries the state: a long chain finishes in later runs with every task succeeded', async () => {
  const runAgent: RunAgent = async (input) => result(input, `${input.task.id} done`);
  await withStubs(runAgent, async (start) => {
    const ids = Array.from({ length: 12 }, (_, i) => `step-${i}`);
    const tasks = ids.map((id, i) => ({ id, prompt: id, dependsOn: i === 0 ? [] : [ids[i - 1]!] }));
    const handle = await start(plan('chain', tasks), { continueAsNewAfterEvents: 30 });
    const status = await final(handle);
    assert.equal(status.phase, 'completed');
    assert.deepEqual(
      status.tasks.map((t) => [t.id, t.state, t.attempts]),
      ids.map((id) => [id, 'succeeded', 1]),
    );
    const latest = await temporal.client.workflow.getHandle(handle.workflowId).describe();
    assert.notEqual(latest.runId, handle.firstExecutionRunId, 'the run continued as new');
  });
});
