// Chaos (issue 21, its session part): an operator's `temporal activity reset` (the Web UI's "Reset" of an activity)
// never destroys a task. Reset sets the attempt back to 1 — attempt numbers are not a conversation's identity:
// - a running agent whose conversation holds an answer: the attempt after the reset continues that conversation
//   (the reset reaches a running activity at its next heartbeat, as a cancellation);
// - an agent in retry back-off whose conversation holds no answer (529s): the reset attempt starts one under a fresh
//   id, where claude used to answer "Session ID … is already in use" and the task failed for good.
// Through the `temporal` CLI (the calls the Web UI makes), real Temporal dev server, real claude, the scripted model.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { finalStatus } from '../../src/client/runs.js';
import { activitySceneForAllTests, temporalActivity } from './activity-cli.js';
import { report, startRun, until } from './chaos.js';
import { nextRequest } from './conversations.js';

const scene = activitySceneForAllTests();

async function resetActivity(workflowId: string, taskId: string): Promise<void> {
  await temporalActivity(scene.temporal.address, 'reset', workflowId, taskId, '--clear-heartbeat-details');
}

async function pendingAttempt(workflowId: string): Promise<number | undefined> {
  const description = await scene.temporal.client.workflow.getHandle(workflowId).describe();
  return description.raw.pendingActivities?.[0]?.attempt ?? undefined;
}

const plan = (name: string, id: string) => ({
  version: 1 as const,
  name,
  defaults: { timeout: '5m', retries: 5 },
  tasks: [{ id, prompt: `Work on ${id}.` }],
});

void describe('chaos: temporal activity reset on a running agent and on one in back-off', () => {
  void it('a running agent reset mid-conversation continues its conversation', async () => {
    const id = 'reset-running';
    const turns = [{ bash: 'echo one > one.txt' }, { bash: 'echo two > two.txt' }, { text: 'done' }];
    scene.s.fake.setScript(id, { turns: [...turns, turns[2]!, turns[2]!], delayMs: 2000 });
    const handle = await startRun(scene.temporal.client, scene.s, plan('reset-running', id), {
      heartbeatTimeout: '10s',
    });
    await until('the agent’s second request (its conversation holds an answer)', () =>
      scene.s.fake.requestsFor(id).some((r) => r.assistantTurns >= 1),
    );
    const resetAt = Date.now();
    await resetActivity(handle.workflowId, id);
    const final = await finalStatus(handle);
    assert.equal(final?.phase, 'completed', JSON.stringify(final?.tasks));
    // The reset reaches the running attempt at its next heartbeat; its dying claude may still ask once.
    const next = scene.s.fake
      .requestsFor(id)
      .find((r) => r.receivedAt > resetAt && /You were interrupted/.test(r.lastUserText));
    assert.ok(next, `the reset attempt continued the conversation: ${JSON.stringify(scene.s.fake.requestsFor(id))}`);
    assert.ok(next.assistantTurns >= 1, 'the model sees the earlier turns');
    report('activity reset, running agent', {
      resetToResumedRequestMs: next.receivedAt - resetAt,
      attempts: final.tasks[0]?.attempts,
    });
  });

  void it('an agent in back-off after 529s, reset, starts a conversation under a fresh id and succeeds', async () => {
    const id = 'reset-backoff';
    scene.s.fake.setScript(id, {
      failFirst: [{ status: 529 }, { status: 529 }],
      turns: [{ text: 'done after reset' }],
    });
    // Long back-off: the activity waits for its third attempt when the operator resets it.
    const handle = await startRun(scene.temporal.client, scene.s, plan('reset-backoff', id), {
      retryInitialInterval: '30s',
    });
    await until('two failed attempts', () => scene.s.fake.requestsFor(id).length >= 2 && true, 120_000);
    await until('the activity in back-off', async () => ((await pendingAttempt(handle.workflowId)) ?? 0) >= 2);
    const resetAt = Date.now();
    await resetActivity(handle.workflowId, id);
    const final = await finalStatus(handle);
    assert.equal(final?.phase, 'completed', JSON.stringify(final?.tasks));
    const task = final.tasks[0]!;
    assert.equal(task.summary, 'done after reset');
    const next = nextRequest(scene.s.fake, id, resetAt);
    assert.ok(next, 'the reset attempt asked the model');
    assert.equal(next.request.assistantTurns, 0, 'a new conversation: the first held no answer');
    assert.notEqual(task.sessionId, null);
    // The reset's attempt number is Temporal's (1 when it lands in back-off, 2 again when attempt 2 was already
    // dispatched); its files lie beside those of the earlier run of that number, which keeps its own.
    const files = await readdir(path.join(scene.s.artifactsDir, handle.workflowId, id, 'g1'));
    for (const file of ['attempt-1.jsonl', 'attempt-2.jsonl']) {
      assert.ok(files.includes(file), `${file} in ${files.join(' ')}`);
    }
    assert.ok(
      files.some((file) => /^attempt-[12]\.2\.jsonl$/.test(file)),
      `a second run of attempt 1 or 2 in ${files.join(' ')}`,
    );
    report('activity reset, agent in back-off', {
      resetToFirstRequestMs: next.request.receivedAt - resetAt,
      attempts: task.attempts,
    });
  });
});
