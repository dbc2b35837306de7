// Plans within plans (DESIGN.md §10), the workflow's own logic on a real Temporal dev server with stub agents: a
// parent that continues as new keeps its running children; abort and cancellation reach every level; a failed
// grandchild is retried by its path id; a failed sub-plan fails its task, and a retry runs it again; what a
// sub-plan spends counts against the budget above it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import {
  abortUpdate,
  resumeUpdate,
  retryTaskSignal,
  retryTaskUpdate,
  statusQuery,
} from '../../src/workflows/messages.js';
import type { RunStatus } from '../../src/workflows/status.js';
import {
  finalFailure,
  finalOf,
  heartbeatUntil,
  statesOf,
  stubPlan,
  stubResult,
  untilCancelled,
  waitForStatus,
  withStubs,
} from '../helpers/stubbed-runs.js';
import { testTemporal, type TestTemporal } from '../helpers/temporal.js';

let temporal: TestTemporal;
before(async () => {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  temporal = await testTemporal();
});
after(async () => {
  await temporal.close();
});

/** The event types of a workflow's history (its latest run unless `runId`). */
async function eventTypes(workflowId: string, runId?: string): Promise<string[]> {
  const history = await temporal.client.workflow.getHandle(workflowId, runId).fetchHistory();
  return (history.events ?? []).map((e) => Object.keys(e).find((k) => k.endsWith('EventAttributes')) ?? '');
}

/** Three levels: a → b → leaf. */
const threeLevels = (leaf: string) =>
  stubPlan('tree', [{ id: 'a', plan: { tasks: [{ id: 'b', plan: { tasks: [{ id: leaf, prompt: 'Leaf.' }] } }] } }]);

void test('a parent that continues as new keeps its running child: the child runs once and completes, the parent after it', async () => {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  const ran = new Map<string, number>();
  await withStubs(
    temporal,
    async (input) => {
      ran.set(input.task.id, (ran.get(input.task.id) ?? 0) + 1);
      if (input.task.id === 'slow') await heartbeatUntil(released);
      return stubResult(input, `${input.task.id} done`);
    },
    async (start) => {
      const quick = Array.from({ length: 12 }, (_, i) => ({ id: `q${i}`, prompt: 'Quick.' }));
      const handle = await start(
        stubPlan('keeps', [{ id: 'sub', plan: { tasks: [{ id: 'slow', prompt: 'Slow.' }] } }, ...quick], {
          maxParallel: 2,
        }),
        { continueAsNewAfterEvents: 30 },
      );
      // The parent continues as new while its child's task runs.
      const deadline = Date.now() + 30_000;
      while ((await handle.describe()).runId === handle.firstExecutionRunId) {
        assert.ok(Date.now() < deadline, 'the parent continued as new');
        await new Promise((r) => setTimeout(r, 100));
      }
      const childId = `${handle.workflowId}/sub`;
      const during = await handle.query(statusQuery);
      assert.equal(statesOf(during)['sub/slow'], 'running', 'the next run shows the child it holds');
      release();
      const final = await finalOf(handle);
      assert.equal(final.phase, 'completed', JSON.stringify(statesOf(final)));
      assert.equal(statesOf(final).sub, 'succeeded');
      assert.equal(statesOf(final)['sub/slow'], 'succeeded');
      assert.equal(ran.get('slow'), 1, 'the child was not run again');
      assert.match(
        final.tasks.find((t) => t.id === 'sub')!.summary ?? '',
        /slow done/,
        "the task's result is its child's",
      );
      const child = await temporal.client.workflow.getHandle(childId).describe();
      assert.equal(child.status.name, 'COMPLETED');
      // Temporal did ask to cancel it when the first run closed (request-cancel): the child set that aside.
      const childEvents = await eventTypes(childId, child.runId);
      const firstOfChild = (await temporal.client.workflow.getHandle(childId).describe()).runId;
      assert.ok(
        childEvents.includes('workflowExecutionCancelRequestedEventAttributes') ||
          (await eventTypes(childId, firstOfChild)).includes('workflowExecutionCancelRequestedEventAttributes'),
        `the parent's close asked to cancel the child: ${childEvents.join(', ')}`,
      );
    },
  );
});

void test('abort of the root cancels the running sub-plans at every level, and every task gets its final state', async () => {
  let cancelled = 0;
  await withStubs(
    temporal,
    async () => {
      try {
        return await untilCancelled();
      } finally {
        cancelled++;
      }
    },
    async (start) => {
      const handle = await start(threeLevels('leaf'));
      await waitForStatus(handle, 'the leaf running', (s) => statesOf(s)['a/b/leaf'] === 'running');
      await handle.executeUpdate(abortUpdate, { args: [{ reason: 'enough' }] });
      const final = await endOf(handle);
      assert.equal(final.phase, 'cancelled');
      assert.deepEqual(statesOf(final), { a: 'cancelled', 'a/b': 'cancelled', 'a/b/leaf': 'cancelled' });
      assert.equal(cancelled, 1, "the leaf's agent was cancelled");
      // Each child sends its end before it closes: its run closes a moment after the run above has its end.
      await untilClosed([`${handle.workflowId}/a`, `${handle.workflowId}/a/b`]);
    },
  );
});

void test("Temporal's own cancellation of the root reaches every level too", async () => {
  await withStubs(
    temporal,
    () => untilCancelled(),
    async (start) => {
      const handle = await start(threeLevels('leaf'));
      await waitForStatus(handle, 'the leaf running', (s) => statesOf(s)['a/b/leaf'] === 'running');
      await handle.cancel();
      await untilClosed([handle.workflowId, `${handle.workflowId}/a`, `${handle.workflowId}/a/b`]);
      const last = await handle.query(statusQuery);
      assert.equal(statesOf(last)['a/b/leaf'], 'cancelled', JSON.stringify(statesOf(last)));
    },
  );
});

void test('a failed grandchild waits for a person in the root, is retried by its path id, and the run completes', async () => {
  let attempts = 0;
  await withStubs(
    temporal,
    async (input) => {
      if (input.task.id === 'leaf' && ++attempts === 1) throw finalFailure('bad request');
      return stubResult(input, `${input.task.id} done`);
    },
    async (start) => {
      const handle = await start(threeLevels('leaf'));
      const waiting = await waitForStatus(handle, 'the failure in view', (s) => s.waitingOn.length > 0);
      assert.deepEqual(waiting.waitingOn, [
        'task a/b/leaf: failed — baton retry|skip <run> a/b/leaf, or baton abort <run>',
      ]);
      assert.equal(statesOf(waiting).a, 'running', 'the task above is running while its sub-plan waits');
      // Refused with the child's words when the state does not allow it (checked against its report).
      await assert.rejects(handle.executeUpdate(retryTaskUpdate, { args: [{ taskId: 'a/b/nope' }] }), (err: Error) =>
        /no task "a\/b\/nope" in this run/.test(String((err.cause as Error | undefined)?.message)),
      );
      // The signal form (temporal workflow signal, the Web UI) reaches the grandchild through the tree.
      await handle.signal(retryTaskSignal, { taskId: 'a/b/leaf', note: 'try again' });
      const final = await finalOf(handle);
      assert.equal(final.phase, 'completed', JSON.stringify(statesOf(final)));
      assert.equal(attempts, 2);
      assert.equal(final.tasks.find((t) => t.id === 'a/b/leaf')?.attempts, 2);
    },
  );
});

void test('a sub-plan that fails fails its task; a retry of that task runs the sub-plan again as a new child run', async () => {
  let attempts = 0;
  await withStubs(
    temporal,
    async (input) => {
      if (input.task.id === 'x' && ++attempts === 1) throw finalFailure('bad request');
      return stubResult(input, `${input.task.id} done`);
    },
    async (start) => {
      const handle = await start(
        stubPlan('fails', [
          { id: 'sub', plan: { onFailure: 'fail', tasks: [{ id: 'x', prompt: 'X.' }] } },
          { id: 'after', prompt: 'After.', dependsOn: ['sub'] },
        ]),
      );
      const failed = await waitForStatus(handle, 'sub failed', (s) => statesOf(s).sub === 'failed');
      const sub = failed.tasks.find((t) => t.id === 'sub')!;
      assert.equal(sub.errorType, 'SubPlanFailed');
      assert.match(sub.error ?? '', /its sub-plan: 1 of 1 tasks did not succeed: x \(failed\)/);
      assert.equal(statesOf(failed).after, 'blocked');
      await waitForStatus(handle, 'the root waits', (s) => s.waitingOn.some((w) => w.startsWith('task sub: failed')));
      await handle.executeUpdate(retryTaskUpdate, { args: [{ taskId: 'sub' }] });
      const final = await finalOf(handle);
      assert.equal(final.phase, 'completed', JSON.stringify(statesOf(final)));
      assert.equal(final.tasks.find((t) => t.id === 'sub')?.child?.runId, `${handle.workflowId}/sub~2`);
    },
  );
});

void test("a sub-plan's budget is what the run above has left, its cost counts there, and a resume above goes on below", async () => {
  await withStubs(
    temporal,
    async (input) => stubResult(input, `${input.task.id} done`, 0.4),
    async (start) => {
      const tasks = ['t1', 't2', 't3', 't4'].map((id, i, all) => ({
        id,
        prompt: 'T.',
        dependsOn: i === 0 ? [] : [all[i - 1]!],
      }));
      const handle = await start(
        stubPlan(
          'budget',
          [
            { id: 'first', prompt: 'F.' },
            { id: 'sub', dependsOn: ['first'], plan: { tasks } },
          ],
          {
            budgetUsd: 1,
          },
        ),
      );
      const paused = await waitForStatus(handle, 'paused for budget', (s) => s.phase === 'paused');
      assert.ok(paused.costUsd > 1, `the sub-plan's cost counts in the root's: ${paused.costUsd}`);
      assert.ok(paused.costUsd < 1.7, `the sub-plan stopped at what was left: ${paused.costUsd}`);
      assert.ok(
        paused.waitingOn.some((w) => w.startsWith('budget: spent')),
        paused.waitingOn.join('\n'),
      );
      await handle.executeUpdate(resumeUpdate, { args: [{ budgetUsd: 10 }] });
      const final = await finalOf(handle);
      assert.equal(final.phase, 'completed', JSON.stringify(statesOf(final)));
      assert.ok(Math.abs(final.costUsd - 2) < 1e-9, `five tasks of $0.40: ${final.costUsd}`);
    },
  );
});

/** Waits until each of the workflows has closed. */
async function untilClosed(ids: string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (const id of ids) {
    for (;;) {
      const { status } = await temporal.client.workflow.getHandle(id).describe();
      if (status.name !== 'RUNNING') break;
      assert.ok(Date.now() < deadline, `${id} closed`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** A cancelled run's last status (a cancelled run has none of its own result). */
async function endOf(handle: WorkflowHandle): Promise<RunStatus> {
  const status = await finalOf(handle).catch(() => undefined);
  return status ?? (await handle.query(statusQuery));
}
