// A person's guidance reaches a running agent (DESIGN §11): one claude attempt with stream-json input, the real
// claude binary against the scripted model, and a channel the test feeds as the run's memo would.
// What claude does with a note written while the model works on a request, and with one written too late, is
// read here from the requests the model receives (docs/INTERVENTIONS.md has the summary).
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runClaudeAttempt, type ClaudeAttempt } from '../../src/activities/claude-attempt.js';
import { guidanceText, type LiveChannel, type LiveNote } from '../../src/activities/live-input.js';
import { FakeModel, TASK_HEADER, type TaskScript } from '../../src/rehearsal/fake-model.js';
import { CLAUDE_BIN, claudeEnv } from '../helpers/claude-env.js';
import { forAllTests, tempFolderForAllTests } from '../helpers/for-all-tests.js';
import { testPolicy } from '../helpers/policy.js';

const root = tempFolderForAllTests('baton-live-guidance-');
const fake = forAllTests(
  () => FakeModel.start({ rehearse: false }),
  (model) => model.stop(),
);

/** A channel holding the notes the test releases; it records what the attempt says was delivered, and when. */
class TestChannel implements LiveChannel {
  readonly released: LiveNote[] = [];
  readonly deliveredAt = new Map<number, number>();
  watch(notes: (pending: LiveNote[]) => void): () => void {
    const look = () => notes(this.released.filter((note) => !this.deliveredAt.has(note.seq)));
    look();
    const timer = setInterval(look, 100);
    return () => clearInterval(timer);
  }
  delivered(notes: LiveNote[]): void {
    for (const note of notes) this.deliveredAt.set(note.seq, Date.now());
  }
}

async function attempt(key: string, script: TaskScript, channel: LiveChannel): Promise<ClaudeAttempt> {
  fake.setScript(key, script);
  const dir = path.join(root, key);
  const cwd = path.join(dir, 'cwd');
  await mkdir(cwd, { recursive: true });
  return runClaudeAttempt(
    { claudeBin: CLAUDE_BIN, env: claudeEnv(fake, path.join(dir, 'config')), policy: testPolicy(), killGraceMs: 500 },
    {
      command: { task: { permissionMode: 'acceptEdits' }, session: { kind: 'new', sessionId: crypto.randomUUID() } },
      prompt: {
        text: `${TASK_HEADER(key)}\n\nDo the scripted thing.`,
        file: path.join(dir, 'prompt.md'),
        written: false,
      },
      cwd,
      transcriptFile: path.join(dir, 'transcript.jsonl'),
      stderrFile: path.join(dir, 'stderr.log'),
      timeout: { ms: 60_000, message: 'too long' },
      live: { channel },
    },
  );
}

async function untilRequests(key: string, count: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (fake.requestsFor(key).length < count) {
    assert.ok(Date.now() < deadline, `the model never got request ${count} of ${key}`);
    await sleep(20);
  }
}

void describe('live guidance in one claude attempt', () => {
  void it('a note written while the model works on a request goes with the next request of the same turn', async () => {
    const channel = new TestChannel();
    const script: TaskScript = {
      delayMs: 800,
      turns: [{ bash: 'echo one > one.txt' }, { bash: 'echo two > two.txt' }, { text: 'All three turns done.' }],
    };
    const running = attempt('mid-turn', script, channel);
    await untilRequests('mid-turn', 1);
    const sentAt = Date.now();
    channel.released.push({ seq: 1, message: 'Mention the changelog.' });
    const done = await running;

    assert.equal(done.verdict, null, `the attempt succeeds: ${JSON.stringify(done.verdict)}`);
    assert.equal(done.result?.text, 'All three turns done.');
    const requests = fake.requestsFor('mid-turn');
    const guided = requests.findIndex((r) => r.latestText.includes('Mention the changelog.'));
    assert.equal(guided, 1, `the second request carries the note: ${requests.map((r) => r.latestText).join(' | ')}`);
    assert.equal(requests[guided]!.assistantTurns, 1, 'after the first tool result, in the same conversation');
    // claude passes it on as a system message after the tool results, with the text baton wrote.
    assert.ok(requests[guided]!.latestText.includes('The user sent a new message while you were working'));
    assert.ok(requests[guided]!.latestText.includes(guidanceText('Mention the changelog.')));
    assert.equal(requests.length, 3, 'the note adds no turn: three requests, as scripted');
    assert.deepEqual(
      done.delivered.map((n) => n.seq),
      [1],
    );
    assert.ok(channel.deliveredAt.has(1), 'the channel is told');
    console.log(`live guidance: note to model request ${requests[guided]!.receivedAt - sentAt} ms`);
  });

  void it('a note written while the model works on its final answer is answered as one more turn', async () => {
    const channel = new TestChannel();
    const script: TaskScript = { delayMs: 800, turns: [{ text: 'First answer.' }, { text: 'Answered the note.' }] };
    const running = attempt('final', script, channel);
    await untilRequests('final', 1);
    channel.released.push({ seq: 1, message: 'One more thing.' });
    const done = await running;

    assert.equal(done.verdict, null, `the attempt succeeds: ${JSON.stringify(done.verdict)}`);
    const requests = fake.requestsFor('final');
    assert.equal(requests.length, 2, 'claude asks the model again, for the note');
    assert.ok(requests[1]!.lastUserText.includes('One more thing.'));
    assert.equal(done.result?.text, 'Answered the note.', 'the attempt ends with the answer to the note');
    assert.deepEqual(
      done.delivered.map((n) => n.seq),
      [1],
    );
  });

  void it('a note that comes after the last turn is not written: it waits for the next run', async () => {
    const channel = new TestChannel();
    const done = await attempt('late', { turns: [{ text: 'Quick answer.' }] }, channel);
    channel.released.push({ seq: 1, message: 'Too late.' });
    await sleep(300);
    assert.equal(done.verdict, null);
    assert.deepEqual(done.delivered, []);
    assert.equal(fake.requestsFor('late').length, 1);
    assert.equal(channel.deliveredAt.size, 0);
  });
});
