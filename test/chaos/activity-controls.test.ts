// Temporal's own activity controls on baton's agents (issue 21, DESIGN.md §4): `temporal activity pause`, `unpause`
// and `update-options` — the calls the Web UI's activity actions make — on an agent in retry back-off and on a
// running one. The run completes each time, and `baton status` tells the truth at each step: a paused agent is
// `paused: true` with the unpause command in `waitingOn`, and nothing runs while it is paused. (`reset`:
// activity-reset.test.ts.) Real Temporal dev server, a baton worker process, the real claude, the scripted model.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { finalStatus, getStatus } from '../../src/client/runs.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { activitySceneForAllTests, temporalActivity } from './activity-cli.js';
import { report, startRun, until } from './chaos.js';

const scene = activitySceneForAllTests();

/** `temporal activity <command>` on the task's agent (generation 1), as an operator types it. */
function activity(command: string, handle: WorkflowHandle, taskId: string, ...extra: string[]): Promise<void> {
  return temporalActivity(scene.temporal.address, command, handle.workflowId, taskId, ...extra);
}

async function pending(handle: WorkflowHandle) {
  return (await handle.describe()).raw.pendingActivities?.[0] ?? undefined;
}

const plan = (name: string, id: string) => ({
  version: 1 as const,
  name,
  defaults: { timeout: '5m', retries: 5 },
  tasks: [{ id, prompt: `Work on ${id}.` }],
});

function assertPaused(status: RunStatus, id: string, handle: WorkflowHandle): void {
  const task = status.tasks.find((t) => t.id === id)!;
  assert.equal(task.state, 'running');
  assert.equal(task.paused, true, 'the task shows its paused agent');
  const line = status.waitingOn.find((w) => w.startsWith(`task ${id}:`));
  assert.ok(line, `waitingOn names the paused agent: ${JSON.stringify(status.waitingOn)}`);
  assert.match(line, new RegExp(`temporal activity unpause --workflow-id <run> --activity-id ${id}\\.1$`));
  assert.equal(status.runId, handle.workflowId);
}

function assertNotPaused(status: RunStatus, id: string): void {
  const task = status.tasks.find((t) => t.id === id)!;
  assert.equal(task.paused, undefined, `${id} is not shown paused once unpaused`);
  assert.ok(!status.waitingOn.some((w) => w.includes('activity unpause')), JSON.stringify(status.waitingOn));
}

void describe('chaos: temporal activity pause, unpause and update-options on baton agents', () => {
  void it('an agent in back-off, paused: status says so and nothing runs; unpaused: it runs and the run completes', async () => {
    const id = 'pause-backoff';
    scene.s.fake.setScript(id, {
      failFirst: [{ status: 529 }, { status: 529 }],
      turns: [{ text: 'done after unpause' }],
    });
    const handle = await startRun(scene.temporal.client, scene.s, plan('pause-backoff', id), {
      retryInitialInterval: '4s',
    });
    await until('two failed attempts', () => scene.s.fake.requestsFor(id).length >= 2, 120_000);
    await activity('pause', handle, id);
    await until('the server shows the agent paused', async () => (await pending(handle))?.paused === true);
    const paused = await getStatus(scene.temporal.client, handle.workflowId);
    assertPaused(paused, id, handle);
    // The back-off (4 s, then longer) passes: no attempt starts while paused.
    const requests = scene.s.fake.requestsFor(id).length;
    await sleep(10_000);
    assert.equal(scene.s.fake.requestsFor(id).length, requests, 'no request while paused');
    assertPaused(await getStatus(scene.temporal.client, handle.workflowId), id, handle);
    const unpausedAt = Date.now();
    await activity('unpause', handle, id);
    const final = await finalStatus(handle);
    assert.equal(final?.phase, 'completed', JSON.stringify(final?.tasks));
    assert.equal(final.tasks[0]?.summary, 'done after unpause');
    assertNotPaused(final, id);
    const next = scene.s.fake.requestsFor(id).find((r) => r.receivedAt > unpausedAt);
    assert.ok(next, 'the unpaused agent asked the model');
    report('activity pause, agent in back-off', { unpauseToRequestMs: next.receivedAt - unpausedAt });
  });

  void it('a running agent, paused: its attempt stops, status says so; unpaused: it continues its conversation', async () => {
    const id = 'pause-running';
    const turns = [{ bash: 'echo one > one.txt' }, { bash: 'echo two > two.txt' }, { text: 'done' }];
    scene.s.fake.setScript(id, { turns: [...turns, turns[2]!, turns[2]!], delayMs: 1500 });
    const handle = await startRun(scene.temporal.client, scene.s, plan('pause-running', id), {
      heartbeatTimeout: '3s',
    });
    await until('the agent’s second request (its conversation holds an answer)', () =>
      scene.s.fake.requestsFor(id).some((r) => r.assistantTurns >= 1),
    );
    await activity('pause', handle, id);
    await until('the server shows the agent paused', async () => (await pending(handle))?.paused === true);
    assertPaused(await getStatus(scene.temporal.client, handle.workflowId), id, handle);
    // The pause reaches the running attempt at its next heartbeat, as a cancellation; its claude may ask once more.
    await sleep(6_000);
    const settled = scene.s.fake.requestsFor(id).length;
    await sleep(6_000);
    assert.equal(scene.s.fake.requestsFor(id).length, settled, 'the paused agent stopped asking the model');
    assertPaused(await getStatus(scene.temporal.client, handle.workflowId), id, handle);
    const unpausedAt = Date.now();
    await activity('unpause', handle, id);
    const final = await finalStatus(handle);
    assert.equal(final?.phase, 'completed', JSON.stringify(final?.tasks));
    assertNotPaused(final, id);
    const next = scene.s.fake.requestsFor(id).find((r) => r.receivedAt > unpausedAt);
    assert.ok(next, 'the unpaused agent asked the model');
    assert.ok(next.assistantTurns >= 1, 'it continued its conversation: the model sees the earlier turns');
    report('activity pause, running agent', { unpauseToRequestMs: next.receivedAt - unpausedAt });
  });

  void it('update-options on an agent in back-off: a shorter retry interval takes effect on its next attempt', async () => {
    const id = 'options-backoff';
    scene.s.fake.setScript(id, { failFirst: [{ status: 529 }], turns: [{ text: 'done sooner' }] });
    // A back-off of 10 minutes: without the update the next attempt would come long after the test's end.
    const handle = await startRun(scene.temporal.client, scene.s, plan('options-backoff', id), {
      retryInitialInterval: '10m',
    });
    await until('one failed attempt', () => scene.s.fake.requestsFor(id).length >= 1);
    await until('the agent in back-off', async () => ((await pending(handle))?.attempt ?? 0) >= 2);
    const updatedAt = Date.now();
    await activity('update-options', handle, id, '--retry-initial-interval', '1s', '--retry-maximum-interval', '2s');
    const final = await finalStatus(handle);
    assert.equal(final?.phase, 'completed', JSON.stringify(final?.tasks));
    assert.equal(final.tasks[0]?.summary, 'done sooner');
    const next = scene.s.fake.requestsFor(id).find((r) => r.receivedAt > updatedAt);
    assert.ok(next, 'the next attempt asked the model');
    assert.ok(next.receivedAt - updatedAt < 60_000, 'long before the 10-minute back-off');
    report('activity update-options, agent in back-off', { updateToRequestMs: next.receivedAt - updatedAt });
  });

  void it('update-options on a running agent: the attempt goes on, the new options hold for the next', async () => {
    const id = 'options-running';
    const turns = [{ bash: 'echo one > one.txt' }, { text: 'done' }];
    scene.s.fake.setScript(id, { turns: [...turns, turns[1]!, turns[1]!], delayMs: 1500 });
    const handle = await startRun(scene.temporal.client, scene.s, plan('options-running', id), {
      heartbeatTimeout: '3s',
    });
    await until('the agent’s first request', () => scene.s.fake.requestsFor(id).length >= 1);
    await activity('update-options', handle, id, '--heartbeat-timeout', '20s', '--retry-maximum-attempts', '9');
    const options = await until('the server holds the new options', async () => {
      const activityInfo = await pending(handle);
      const seconds = Number(activityInfo?.activityOptions?.heartbeatTimeout?.seconds ?? 0);
      return seconds === 20 ? activityInfo!.activityOptions! : undefined;
    });
    assert.equal(options.retryPolicy?.maximumAttempts, 9);
    const during = await getStatus(scene.temporal.client, handle.workflowId);
    assert.equal(during.tasks[0]?.state, 'running');
    assert.equal(during.tasks[0]?.paused, undefined);
    const final = await finalStatus(handle);
    assert.equal(final?.phase, 'completed', JSON.stringify(final?.tasks));
    assert.equal(final.tasks[0]?.attempts, 1, 'the running attempt was not restarted by the update');
    assert.equal(
      scene.s.fake.requestsFor(id).filter((r) => r.assistantTurns === 0).length,
      1,
      'one conversation: the update did not start the agent again',
    );
  });
});
