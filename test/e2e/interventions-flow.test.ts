// People steer one run to its end with the `baton` CLI (DESIGN.md §4), proved from the prompts the model
// receives: a task that fails for good is retried with a replacement prompt once the cause is fixed, and its
// blocked dependent then runs; an `approval: after` result is rejected once, the task runs again with the
// reviewer's reason in its prompt, and completes when approved; guidance reaches the guided task's next
// attempt; `baton add` adds tasks that run, and a bad tasks file exits 2 naming the problem.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FakeModel } from '../../src/rehearsal/fake-model.js';
import { statusQuery } from '../../src/workflows/messages.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { describeResult, jsonOf, type Sandbox } from '../helpers/cli.js';
import type { TestTemporal } from '../helpers/temporal.js';
import { workerScene } from '../helpers/worker-scene.js';

const ORIGINAL_PROMPT = 'Summarise the whole repository in one request.';
const REPLACEMENT_PROMPT = 'Summarise only README.md, in a short request.';
const REVIEW_REASON = 'Mention the breaking change in the first line.';
const GUIDANCE = 'Link the changelog at the end.';

const PLAN = `version: 1
name: flow
defaults:
  retries: 0
  timeout: 5m
tasks:
  - id: broken
    prompt: ${ORIGINAL_PROMPT}
  - id: child
    prompt: Build on broken.
    dependsOn: [broken]
  - id: notes
    prompt: Write the release notes.
    approval: after
`;

let temporal: TestTemporal;
let fake: FakeModel;
let box: Sandbox;
let close: () => Promise<void>;
before(async () => {
  const model = {
    rehearse: false,
    script: {
      // Fails for good (400 is not retried) until the test fixes the cause.
      broken: { failFirst: Array.from({ length: 10 }, () => ({ status: 400, message: 'prompt is too long' })) },
      child: { turns: [{ text: 'child built on broken' }] },
      notes: { turns: [{ text: 'release notes written' }] },
      extra: { turns: [{ text: 'extra done' }] },
    },
  };
  ({ temporal, fake, box, close } = await workerScene('flow', model, {
    'flow.yaml': PLAN,
    'extra.yaml': 'tasks:\n  - id: extra\n    prompt: Runs after child.\n    dependsOn: [child]\n',
    'bad-tasks.yaml': 'tasks:\n  - id: Extra Task\n    prompt: Bad id.\n',
    'unknown-dep.yaml': '- id: orphan\n  prompt: x\n  dependsOn: [nowhere]\n',
  }));
});
after(() => close());

const stateOf = (s: RunStatus, id: string) => s.tasks.find((t) => t.id === id)?.state;

async function until(runId: string, ok: (s: RunStatus) => boolean, what: string): Promise<RunStatus> {
  const handle = temporal.client.workflow.getHandle(runId);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const s = await handle.query(statusQuery);
    if (ok(s)) return s;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}: ${s.phase} ${s.tasks.map((t) => `${t.id}=${t.state}`).join(' ')}`,
      );
    }
    await sleep(100);
  }
}

async function baton(args: string[], exitCode = 0) {
  const result = await box.baton(args);
  assert.equal(result.exitCode, exitCode, describeResult(result));
  return result;
}

void test('retry with a replacement prompt after the cause is fixed un-blocks the dependent; a rejected review re-runs with the reason; guide and add reach the run', async () => {
  const runId = `flow-${Date.now().toString(36)}`;
  await baton(['start', 'flow.yaml', '--id', runId]);
  try {
    const stuck = await until(
      runId,
      (s) =>
        stateOf(s, 'broken') === 'failed' &&
        stateOf(s, 'child') === 'blocked' &&
        stateOf(s, 'notes') === 'awaiting-review',
      'broken to fail and notes to wait for review',
    );
    assert.equal(stuck.tasks.find((t) => t.id === 'broken')?.errorType, 'AgentBadRequest');
    assert.equal(fake.requestsFor('broken').length, 1, 'a 400 is not retried by Temporal');

    // guide: the blocked child is not finished, so its next (first) attempt gets the message.
    await baton(['guide', runId, 'child', GUIDANCE]);

    // add: a tasks file that breaks the plan rules exits 2, naming the file, the place and the problem.
    const bad = await baton(['add', runId, 'bad-tasks.yaml'], 2);
    assert.match(bad.stderr, /bad-tasks\.yaml/, describeResult(bad));
    assert.match(bad.stderr, /tasks\[0\]\.id: must be 1–63 characters/, describeResult(bad));
    const missing = await baton(['add', runId, 'no-such-file.yaml'], 2);
    assert.match(missing.stderr, /no-such-file\.yaml.*cannot read the file/s, describeResult(missing));
    const orphan = await baton(['add', runId, 'unknown-dep.yaml'], 2);
    assert.match(
      orphan.stderr,
      /^baton add refused: task "orphan" depends on unknown task "nowhere"/,
      describeResult(orphan),
    );
    assert.deepEqual(
      (await until(runId, () => true, 'status')).tasks.map((t) => t.id),
      ['broken', 'child', 'notes'],
      'refused adds add nothing',
    );
    const added = await baton(['add', runId, 'extra.yaml', '--json']);
    assert.equal(stateOf(jsonOf<RunStatus>(added), 'extra'), 'blocked', 'extra is blocked behind child, as child is');

    // reject: the after gate runs the task again with the reason as reviewer feedback.
    await baton(['reject', runId, 'notes', '--reason', REVIEW_REASON]);
    await until(
      runId,
      (s) => stateOf(s, 'notes') === 'awaiting-review' && fake.requestsFor('notes').length === 2,
      'the second attempt of notes to wait for review',
    );
    const [firstNotes, secondNotes] = fake.requestsFor('notes');
    assert.doesNotMatch(firstNotes!.firstUserText, /Reviewer feedback/);
    assert.ok(
      secondNotes!.firstUserText.includes(`Reviewer feedback: ${REVIEW_REASON}`),
      `the re-run's prompt carries the reason:\n${secondNotes!.firstUserText}`,
    );
    const approved = await baton(['approve', runId, 'notes']);
    assert.match(approved.stdout, /^baton approve: task notes is now \W*succeeded/, describeResult(approved));

    // retry: the cause is fixed, the task runs again with the replacement prompt, and child then runs.
    assert.equal(fake.requestsFor('child').length, 0, 'a blocked task never starts');
    fake.setScript('broken', { turns: [{ text: 'broken works now' }] });
    const retried = await baton(['retry', runId, 'broken', '--prompt', REPLACEMENT_PROMPT]);
    assert.match(retried.stdout, /^baton retry: task broken is now \W*(ready|running)/, describeResult(retried));

    const result = await box.baton(['result', runId, '--json']);
    assert.equal(result.exitCode, 0, describeResult(result));
    const final = jsonOf<RunStatus>(result);
    assert.equal(final.phase, 'completed');
    assert.deepEqual(
      final.tasks.map((t) => [t.id, t.state, t.attempts]),
      [
        ['broken', 'succeeded', 2],
        ['child', 'succeeded', 1],
        ['notes', 'succeeded', 2],
        ['extra', 'succeeded', 1],
      ],
    );
    const lastBroken = fake.requestsFor('broken').at(-1)!.firstUserText;
    assert.ok(lastBroken.includes(REPLACEMENT_PROMPT), `the retry's prompt is the replacement:\n${lastBroken}`);
    assert.ok(!lastBroken.includes(ORIGINAL_PROMPT), 'the original prompt is replaced, not appended to');
    const child = fake.requestsFor('child')[0]!;
    assert.ok(child.firstUserText.includes(GUIDANCE), `the guidance reached child:\n${child.firstUserText}`);
    assert.ok(child.firstUserText.includes('broken works now'), "child got broken's result");
    assert.ok(child.receivedAt > fake.requestsFor('broken').at(-1)!.answeredAt!, 'child ran after the retried broken');
    const extra = fake.requestsFor('extra')[0]!;
    assert.ok(extra.receivedAt > child.answeredAt!, 'the added task ran after the task it depends on');
  } finally {
    await temporal.client.workflow
      .getHandle(runId)
      .terminate('test over')
      .catch(() => undefined);
  }
});
