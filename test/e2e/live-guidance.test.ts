// `baton guide` on a running task reaches its agent within the attempt (DESIGN §11): the built CLI, a real
// Temporal dev server, one `baton worker`, the real claude against the scripted model. A three-turn agent is
// guided once its first request has reached the model; the model sees the note in a later request of the same
// conversation, and status records it as delivered. The test prints the latency from the command to that request.
// A task of a sub-plan (DESIGN §10) is guided by its path id: the note reaches the agent of the child run.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FakeModel } from '../../src/rehearsal/fake-model.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { describeResult, jsonOf, type Sandbox } from '../helpers/cli.js';
import type { TestTemporal } from '../helpers/temporal.js';
import { workerScene } from '../helpers/worker-scene.js';

const NOTE = 'Also mention the changelog in your answer.';
/** How long the model takes over each answer: the note comes while the agent is at work. */
const ANSWER_MS = 2000;

const PLAN = `version: 1
name: live
defaults:
  retries: 0
  timeout: 5m
tasks:
  - id: three
    prompt: Work in three turns.
`;

const NESTED = `version: 1
name: nested
defaults:
  retries: 0
  timeout: 5m
tasks:
  - id: outer
    plan:
      tasks:
        - id: deep
          prompt: Work in three turns.
`;

let temporal: TestTemporal;
let fake: FakeModel;
let box: Sandbox;
let close: () => Promise<void>;
before(async () => {
  // Three turns, each answered after a pause: the agent is at work when the note comes.
  const threeTurns = {
    delayMs: ANSWER_MS,
    turns: [{ bash: 'echo one > one.txt' }, { bash: 'echo two > two.txt' }, { text: 'Three turns done.' }],
  };
  const model = { rehearse: false, script: { three: threeTurns, deep: threeTurns } };
  ({ temporal, fake, box, close } = await workerScene('live', model, { 'live.yaml': PLAN, 'nested.yaml': NESTED }));
});
after(() => close());

void test('guide on a running three-turn agent reaches the model in that attempt, and status says it was delivered', async () => {
  const runId = `live-${Date.now().toString(36)}`;
  const started = await box.baton(['start', 'live.yaml', '--id', runId]);
  assert.equal(started.exitCode, 0, describeResult(started));
  try {
    const deadline = Date.now() + 60_000;
    while (fake.requestsFor('three').length === 0) {
      assert.ok(Date.now() < deadline, 'the agent never asked the model');
      await sleep(50);
    }
    const sentAt = Date.now();
    const guided = await box.baton(['guide', runId, 'three', NOTE]);
    assert.equal(guided.exitCode, 0, describeResult(guided));
    assert.match(guided.stdout, /^baton guide: task three is now \W*running/, describeResult(guided));

    const result = await box.baton(['result', runId, '--json']);
    assert.equal(result.exitCode, 0, describeResult(result));
    const final = jsonOf<RunStatus>(result);
    const task = final.tasks.find((t) => t.id === 'three')!;
    assert.equal(task.state, 'succeeded');
    assert.equal(task.attempts, 1, 'one attempt: the note did not wait for another');

    const requests = fake.requestsFor('three');
    const reached = requests.find((r) => r.latestText.includes(NOTE));
    assert.ok(reached, `a request carries the note:\n${requests.map((r) => r.latestText).join('\n---\n')}`);
    assert.ok(reached.assistantTurns >= 1, 'in the same conversation, after the agent has begun');
    // Mid-turn the note goes with the turn's next request (three requests, as scripted); one that comes while the
    // model writes its final answer is answered as one more turn (a fourth). Either way, in this attempt.
    const midTurn = reached.assistantTurns < 3;
    assert.equal(requests.length, midTurn ? 3 : 4, 'a mid-turn note adds no request; a late one, one turn');
    assert.ok(reached.receivedAt > sentAt);
    assert.ok(!requests[0]!.firstUserText.includes(NOTE), 'not in the prompt: it came while the agent worked');

    assert.equal(task.guidance.length, 1);
    const [note] = task.guidance;
    assert.equal(note!.message, NOTE);
    assert.equal(note!.delivered, true);
    assert.ok(Date.parse(note!.at) >= sentAt - 1000 && Date.parse(note!.deliveredAt!) >= Date.parse(note!.at));
    const { memo } = await temporal.client.workflow.getHandle(runId).describe();
    assert.equal(memo?.['guidance:three'], undefined, 'a delivered note leaves the memo the agent reads');
    console.log(
      `live guidance: \`baton guide\` to the model request that carried the note: ${reached.receivedAt - sentAt} ms ` +
        `(request ${requests.indexOf(reached) + 1} of ${requests.length}; the model answers each after ${ANSWER_MS} ms)`,
    );
  } finally {
    await temporal.client.workflow
      .getHandle(runId)
      .terminate('test over')
      .catch(() => undefined);
  }
});

void test('guide by a path id reaches the running agent of a sub-plan, and the run above it shows the note delivered', async () => {
  const runId = `nested-${Date.now().toString(36)}`;
  const started = await box.baton(['start', 'nested.yaml', '--id', runId]);
  assert.equal(started.exitCode, 0, describeResult(started));
  try {
    const deadline = Date.now() + 60_000;
    while (fake.requestsFor('deep').length === 0) {
      assert.ok(Date.now() < deadline, 'the agent never asked the model');
      await sleep(50);
    }
    const guided = await box.baton(['guide', runId, 'outer/deep', NOTE]);
    assert.equal(guided.exitCode, 0, describeResult(guided));

    const result = await box.baton(['result', runId, '--json']);
    assert.equal(result.exitCode, 0, describeResult(result));
    const task = jsonOf<RunStatus>(result).tasks.find((t) => t.id === 'outer/deep')!;
    assert.equal(task.state, 'succeeded');
    assert.equal(task.attempts, 1, 'one attempt: the note did not wait for another');
    const requests = fake.requestsFor('deep');
    const reached = requests.find((r) => r.latestText.includes(NOTE));
    assert.ok(reached, `a request carries the note:\n${requests.map((r) => r.latestText).join('\n---\n')}`);
    assert.ok(reached.assistantTurns >= 1, 'in the same conversation, after the agent has begun');
    assert.deepEqual(
      task.guidance.map((g) => [g.message, g.delivered]),
      [[NOTE, true]],
    );
  } finally {
    await temporal.client.workflow
      .getHandle(runId)
      .terminate('test over')
      .catch(() => undefined);
  }
});
