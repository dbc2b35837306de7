// A question outlives its process (DESIGN §13, issue 17): two agents ask a person, then their `baton worker` is
// SIGKILLed while both wait. A new worker takes over. `early` is answered at once, while its dead attempt has not
// yet timed out: the next attempt continues its conversation with the answer. `late` is answered only after its
// next attempt found the question still open and the run held the task in `awaiting-answer`: the answer starts a
// new run of the task that continues the conversation that asked. The built CLI, a real Temporal dev server, the
// real claude binary and the scripted model; the latencies are printed as `[talk]` lines.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { RunStatus, TaskView } from '../../src/workflows/status.js';
import { describeResult, jsonOf, stopProcess, waitFor } from '../helpers/cli.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import { workerScene } from '../helpers/worker-scene.js';

const PLAN = `version: 1
name: talk-kill
tasks:
  - id: early
    prompt: |
      Pick the release name.
      ask: What should the release be called?
    expectedOutputs: [out/early.txt]
  - id: late
    prompt: |
      Pick the release date.
      ask: When should the release go out?
    expectedOutputs: [out/late.txt]
`;

const scene = forAllTests(
  () => workerScene('talk-kill', { rehearse: true }, { 'plan.yaml': PLAN }),
  (s) => s.close(),
);

async function status(runId: string): Promise<RunStatus> {
  const result = await scene.box.baton(['status', runId, '--json']);
  assert.equal(result.exitCode, 0, describeResult(result));
  return jsonOf<RunStatus>(result);
}

/** The session.json of every attempt of `taskId`: how each attempt chose its conversation. */
async function sessionsOf(taskId: string): Promise<string> {
  const files = (await readdir(scene.box.home, { recursive: true }))
    .filter((f) => f.endsWith('session.json') && f.includes(`${path.sep}${taskId}${path.sep}`))
    .sort();
  const texts = await Promise.all(
    files.map(async (f) => `${f}: ${await readFile(path.join(scene.box.home, f), 'utf8')}`),
  );
  return texts.join('\n');
}

const task = (s: RunStatus, id: string): TaskView => s.tasks.find((t) => t.id === id)!;

/** Sends `baton answer` and returns when it was sent. */
async function answer(runId: string, taskId: string, text: string): Promise<number> {
  const sentAt = Date.now();
  const answered = await scene.box.baton(['answer', runId, taskId, text]);
  assert.equal(answered.exitCode, 0, describeResult(answered));
  return sentAt;
}

void test('a question waits through a SIGKILLed worker: the answer reaches the conversation that asked', async () => {
  const { box, fake } = scene;
  const runId = `talk-kill-${Date.now().toString(36)}`;
  const started = await box.baton(['start', 'plan.yaml', '--id', runId]);
  assert.equal(started.exitCode, 0, describeResult(started));
  await waitFor(
    'both agents to wait on their questions',
    async () => {
      const s = await status(runId);
      return s.tasks.every((t) => t.state === 'awaiting-answer' && t.attempts === 1) ? s : undefined;
    },
    90_000,
  );
  const asked = (id: string) => fake.requestsFor(id).length;
  const askedBefore = { early: asked('early'), late: asked('late') };

  scene.worker.kill('SIGKILL');
  await scene.worker;
  const second = box.spawn(['worker']);
  let secondLog = '';
  second.all?.on('data', (chunk: Buffer) => (secondLog += chunk.toString()));
  try {
    // The questions are still there, and still ask for a person.
    const after = await status(runId);
    for (const id of ['early', 'late']) {
      assert.equal(task(after, id).state, 'awaiting-answer', JSON.stringify(task(after, id)));
      assert.ok(
        after.waitingOn.some((w) => w.includes(`baton answer <run> ${id}`)),
        after.waitingOn.join('\n'),
      );
    }

    const earlyAnswer = 'Call it Kestrel.';
    const earlySentAt = await answer(runId, 'early', earlyAnswer);
    // late's next attempt (after the dead one's heartbeat timeout) finds its question unanswered: the run holds it.
    const held = await waitFor(
      "late's question to be held by the run, early to be done",
      async () => {
        const s = await status(runId);
        const late = task(s, 'late');
        return task(s, 'early').state === 'succeeded' && late.state === 'awaiting-answer' && late.attempts >= 2
          ? s
          : undefined;
      },
      90_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n--- second worker\n${secondLog}`);
    });
    assert.equal(task(held, 'late').question?.text, 'When should the release go out?');
    assert.equal(asked('late'), askedBefore.late, 'an attempt that would only wait again asks the model nothing');

    const lateAnswer = 'Ship it on Tuesday.';
    const lateSentAt = await answer(runId, 'late', lateAnswer);
    const result = await box.baton(['result', runId, '--json']);
    assert.equal(result.exitCode, 0, `${describeResult(result)}\n--- second worker\n${secondLog}`);
    const final = jsonOf<RunStatus>(result);
    assert.deepEqual(
      final.tasks.map((t) => `${t.id}:${t.state}`),
      ['early:succeeded', 'late:succeeded'],
    );

    for (const [id, text, sentAt] of [
      ['early', earlyAnswer, earlySentAt],
      ['late', lateAnswer, lateSentAt],
    ] as const) {
      const requests = fake.requestsFor(id);
      const carrying = requests.find((r) => r.lastUserText.includes(text));
      assert.ok(carrying, `${id}: a request carries the answer: ${requests.map((r) => r.lastUserText).join(' | ')}`);
      // The same conversation: it still holds the turn that asked (the model does not ask again).
      assert.ok(carrying.assistantTurns >= 1, `${id}: the conversation that asked goes on\n${await sessionsOf(id)}`);
      assert.match(carrying.lastUserText, /## Answer to your question/);
      assert.ok(!requests.slice(askedBefore[id]).some((r) => r.assistantTurns === 0), `${id}: no new conversation`);
      assert.match(task(final, id).summary ?? '', new RegExp(`heard the answer to its question: ${text}`));
      console.log(
        `[talk] ${id}: baton answer → the model request carrying the answer: ${carrying.receivedAt - sentAt} ms`,
      );
    }
  } finally {
    await stopProcess(second, 10_000);
  }
});
