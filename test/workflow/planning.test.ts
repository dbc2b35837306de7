// A goal becomes a running plan in one workflow (issue 4): the planGoal activity asks a planner agent (the real
// claude with --json-schema, answering through the StructuredOutput tool of a scripted model); invalid plans go
// back with their problems; after too many the run waits on a person; with approvePlan nothing runs until a
// person approves, and a rejection's reason reaches the next planner prompt. The accepted plan is in history
// before any task starts: a worker killed there does not plan again.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { WORKFLOW_TYPE } from '../../src/client/runs.js';
import type { PlanInput } from '../../src/plan/schema.js';
import type { TaskScript } from '../../src/rehearsal/fake-model.js';
import { abortUpdate, approveUpdate, planQuery, rejectUpdate, retryTaskUpdate } from '../../src/workflows/messages.js';
import type { OrchestrateInput, OrchestrateOptions } from '../../src/workflows/orchestrate.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { scene, startWorker, until } from '../chaos/chaos.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import { describeStatus, FAST, statesOf, withHarness, workflowTemporal } from '../helpers/workflow-harness.js';

const temporal = forAllTests(workflowTemporal);

const PLANNER = 'planner';

/** The planner's answer: the plan through the StructuredOutput tool that --json-schema adds. */
function answers(plan: PlanInput, delayMs?: number): TaskScript {
  return { turns: [{ toolUse: { name: 'StructuredOutput', input: plan as Record<string, unknown> } }], delayMs };
}

const GOOD: PlanInput = {
  version: 1,
  name: 'greeting',
  tasks: [
    { id: 'write', title: 'Write it', prompt: 'Write the greeting.' },
    { id: 'check', title: 'Check it', prompt: 'Check the greeting.', dependsOn: ['write'] },
  ],
};

async function startGoal(
  client: Client,
  taskQueue: string,
  cwd: string,
  goal: string,
  options: OrchestrateOptions = {},
) {
  const input: OrchestrateInput = { goal, options: { cwd, ...FAST, ...options } };
  return await client.workflow.start(WORKFLOW_TYPE, {
    taskQueue,
    workflowId: `baton-goal-${randomBytes(3).toString('hex')}`,
    args: [input],
  });
}

/** Activity types in the order the run scheduled them (notifications of waits left out). */
async function scheduledActivities(client: Client, workflowId: string): Promise<string[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
    return name && name !== 'notify' ? [name] : [];
  });
}

void test('a goal becomes a plan that runs to completion: planning answers status, and history holds planGoal before the tasks', async () => {
  const script = { [PLANNER]: answers(GOOD, 1500), write: { turns: [{ text: 'written' }] }, check: {} };
  await withHarness(temporal, { script }, async (h) => {
    const handle = await startGoal(h.client, h.taskQueue, h.cwd, 'Greet the world');
    const planning = await h.waitFor(handle, (s) => s.phase === 'planning', 'the planning phase');
    assert.equal(planning.goal, 'Greet the world');
    assert.deepEqual(planning.tasks, []);
    assert.deepEqual(planning.waitingOn, []);
    assert.equal(planning.name, 'greet-the-world');
    assert.equal(await handle.query(planQuery), null, 'no plan while planning');
    // Interventions on tasks are refused while there are none.
    await assert.rejects(handle.executeUpdate(retryTaskUpdate, { args: [{ taskId: 'write' }] }), (err: unknown) => {
      assert.ok(err instanceof WorkflowUpdateFailedError);
      assert.match(err.cause?.message ?? '', /the run has no tasks yet \(it is planning\)/);
      return true;
    });

    const final = await h.result(handle);
    assert.equal(final.phase, 'completed', describeStatus(final));
    assert.deepEqual(statesOf(final), { write: 'succeeded', check: 'succeeded' });
    assert.equal(final.name, 'greeting');
    assert.equal(final.goal, 'Greet the world', 'the run goal fills in the goal the planner left out');
    // Three answered requests at $0.01: the planner's, and one per task.
    assert.ok(Math.abs(final.costUsd - 0.03) < 1e-6, `cost ${final.costUsd} includes planning`);
    assert.equal(h.fake.requestsFor(PLANNER).length, 1);
    const request = h.fake.requestsFor(PLANNER)[0]!;
    assert.match(request.firstUserText, /# Task: planner\s+## Goal\s+Greet the world/);

    const plan = await handle.query(planQuery);
    assert.equal(plan?.name, 'greeting');
    assert.equal(plan?.workspace?.repo, h.cwd, 'paths resolved against the run folder');
    assert.deepEqual(await scheduledActivities(h.client, handle.workflowId), ['planGoal', 'runAgent', 'runAgent']);
  });
});

void test('a worker killed after planning, before the first task: a new worker runs the plan from history without planning again', async () => {
  const gated: PlanInput = {
    ...GOOD,
    tasks: GOOD.tasks.map((t, i) => (i === 0 ? { ...t, approval: 'before' as const } : t)),
  };
  const s = await scene({ [PLANNER]: answers(gated), write: { turns: [{ text: 'written' }] }, check: {} });
  const workers = [startWorker(s, temporal.address)];
  try {
    await workers[0]!.ready;
    const handle = await startGoal(temporal.client, s.taskQueue, s.cwd, 'Greet the world', { heartbeatTimeout: '3s' });
    // Planned, accepted, and the first task waits at its gate: nothing else is in flight.
    const held = await until('the first task to wait at its gate', async () => {
      const status = (await handle.query('status')) as RunStatus;
      return status.tasks.some((t) => t.state === 'awaiting-approval') ? status : undefined;
    });
    assert.equal(held.phase, 'running', describeStatus(held));
    workers[0]!.child.kill('SIGKILL');
    await workers[0]!.exited;

    workers.push(startWorker(s, temporal.address));
    await workers[1]!.ready;
    await handle.executeUpdate(approveUpdate, { args: [{ taskId: 'write' }] });
    const final = (await until('the run to end', async () => {
      const status = (await handle.query('status')) as RunStatus;
      return status.phase === 'completed' || status.phase === 'failed' ? status : undefined;
    })) as RunStatus;
    assert.equal(final.phase, 'completed', describeStatus(final));
    assert.equal(s.fake.requestsFor(PLANNER).length, 1, 'the plan was asked for once');
    assert.deepEqual(await scheduledActivities(temporal.client, handle.workflowId), [
      'planGoal',
      'runAgent',
      'runAgent',
    ]);
  } finally {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await s.cleanup();
  }
});

void test('an invalid plan (a cycle, an unknown agent) goes back to the planner with its problems; the next one runs', async () => {
  const invalid: PlanInput = {
    version: 1,
    name: 'loop',
    tasks: [
      { id: 'a', prompt: 'A.', dependsOn: ['b'], agent: 'coder' },
      { id: 'b', prompt: 'B.', dependsOn: ['a'] },
    ],
  };
  const script = { [PLANNER]: answers(invalid, 800), write: {}, check: {} };
  await withHarness(temporal, { script }, async (h) => {
    const handle = await startGoal(h.client, h.taskQueue, h.cwd, 'Greet the world');
    await until('the first planner request', () => h.fake.requestsFor(PLANNER).length >= 1);
    h.fake.setScript(PLANNER, answers(GOOD));

    const final = await h.result(handle);
    assert.equal(final.phase, 'completed', describeStatus(final));
    assert.deepEqual(statesOf(final), { write: 'succeeded', check: 'succeeded' });
    const requests = h.fake.requestsFor(PLANNER);
    assert.equal(requests.length, 2);
    assert.doesNotMatch(requests[0]!.firstUserText, /not accepted/);
    const second = requests[1]!.firstUserText;
    assert.match(second, /Your previous plan was not accepted/);
    assert.match(second, /dependency cycle: a → b → a/);
    assert.match(second, /tasks\[0\]\.agent: unknown agent "coder"/);
    assert.deepEqual(await scheduledActivities(h.client, handle.workflowId), [
      'planGoal',
      'planGoal',
      'runAgent',
      'runAgent',
    ]);
  });
});

void test('a planner that keeps giving invalid plans leaves the run waiting with the errors in status; abort ends it', async () => {
  const invalid: PlanInput = { version: 1, name: 'bad', tasks: [{ id: 'a', prompt: 'A.', agent: 'ghost' }] };
  await withHarness(temporal, { script: { [PLANNER]: answers(invalid) } }, async (h) => {
    const handle = await startGoal(h.client, h.taskQueue, h.cwd, 'Haunt the house', { planningRounds: 2 });
    const stuck = await h.waitFor(handle, (s) => s.waitingOn.length > 0, 'the run to wait on a person', 60_000);
    assert.equal(stuck.phase, 'planning');
    assert.deepEqual(stuck.tasks, []);
    assert.match(stuck.waitingOn[0]!, /^plan: the planner gave no valid plan in 2 rounds — baton reject/);
    assert.ok(
      stuck.waitingOn.some((w) => /^plan error: tasks\[0\]\.agent: unknown agent "ghost"/.test(w)),
      stuck.waitingOn.join('\n'),
    );
    assert.equal(h.fake.requestsFor(PLANNER).length, 2, 'bounded: two rounds, then a person');
    // Nothing to approve.
    await assert.rejects(handle.executeUpdate(approveUpdate, { args: [{}] }), (err: unknown) => {
      assert.match((err as Error).cause?.toString() ?? '', /there is no valid plan to approve/);
      return true;
    });

    const aborted = await handle.executeUpdate(abortUpdate, { args: [{ reason: 'no plan' }] });
    assert.equal(aborted.phase, 'cancelled');
    const final = await h.result(handle);
    assert.equal(final.phase, 'cancelled');
    assert.equal(final.reason, 'aborted: no plan');
    assert.deepEqual(final.tasks, []);
  });
});

void test('approvePlan holds execution until approve; reject --reason plans again with the reason in the prompt', async () => {
  const first: PlanInput = { version: 1, name: 'one-step', tasks: [{ id: 'all', prompt: 'Do everything.' }] };
  await withHarness(temporal, { script: { [PLANNER]: answers(first), write: {}, check: {} } }, async (h) => {
    const handle = await startGoal(h.client, h.taskQueue, h.cwd, 'Greet the world', { approvePlan: true });
    const proposed = await h.waitFor(handle, (s) => s.phase === 'awaiting-plan-approval', 'the plan to await approval');
    assert.deepEqual(
      proposed.tasks.map((t) => t.id),
      ['all'],
    );
    assert.match(proposed.waitingOn[0] ?? '', /^plan: approve the proposed plan \(1 task\)/);
    assert.equal((await handle.query(planQuery))?.name, 'one-step', 'the plan query shows the proposed plan');
    await assert.rejects(handle.executeUpdate(approveUpdate, { args: [{ taskId: 'all' }] }), (err: unknown) => {
      assert.match((err as Error).cause?.toString() ?? '', /the run has no tasks yet/);
      return true;
    });

    h.fake.setScript(PLANNER, answers(GOOD));
    const replanning = await handle.executeUpdate(rejectUpdate, {
      args: [{ reason: 'split it into writing and checking' }],
    });
    assert.equal(replanning.phase, 'planning');
    const again = await h.waitFor(
      handle,
      (s) => s.phase === 'awaiting-plan-approval' && s.name === 'greeting',
      'the second plan to await approval',
    );
    assert.deepEqual(
      again.tasks.map((t) => t.id),
      ['write', 'check'],
    );
    const second = h.fake.requestsFor(PLANNER)[1]?.firstUserText ?? '';
    assert.match(second, /A person rejected your plan\. Their reason: split it into writing and checking/);
    assert.match(second, /"name":"one-step"/, 'the rejected plan is shown to the planner');
    // Still nothing ran.
    assert.equal(h.fake.requestsFor('all').length + h.fake.requestsFor('write').length, 0);

    const approved = await handle.executeUpdate(approveUpdate, { args: [{}] });
    assert.ok(['running', 'completed'].includes(approved.phase), describeStatus(approved));
    const final = await h.result(handle);
    assert.equal(final.phase, 'completed', describeStatus(final));
    assert.deepEqual(statesOf(final), { write: 'succeeded', check: 'succeeded' });
    assert.equal(h.fake.requestsFor('all').length, 0, 'the rejected plan never ran');
  });
});
