// The run's side of its agents' notes and questions (DESIGN §13), on the pure Scheduler: the limits and who may
// call are refused with a reason and change nothing; a question outlives the attempt that asked it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TALK_LIMITS } from '../../src/contract/talk.js';
import { PlanSchema } from '../../src/plan/schema.js';
import { Refusal, Scheduler, type TaskFailure } from '../../src/workflows/scheduler/index.js';

const NOW = '2025-01-01T00:00:00.000Z';

function running(...ids: string[]): Scheduler {
  const tasks = ids.map((id) => ({ id, prompt: `Do ${id}.` }));
  const s = Scheduler.fresh(PlanSchema.parse({ version: 1, name: 'talk', tasks }), NOW);
  for (const id of ids) s.markRunning(id, NOW);
  return s;
}

const agent = (taskId: string, generation = 1) => ({ taskId, generation });
const refused = (pattern: RegExp) => (err: unknown) => err instanceof Refusal && pattern.test(err.message);
const diedWaiting: TaskFailure = { type: 'AgentTimedOut', message: 'heartbeat timeout', attempts: 1, costUsd: 0 };

void test('notes: a key written again replaces its note; the page is newest first and filters by key or text', () => {
  const s = running('a', 'b');
  assert.deepEqual(s.talk.note({ ...agent('a'), key: ' port ', text: '5433' }, NOW), { replaced: false, count: 1 });
  s.talk.note({ ...agent('b'), key: 'schema', text: 'users(id, email)' }, NOW);
  assert.deepEqual(s.talk.note({ ...agent('b'), key: 'port', text: '5434' }, NOW), { replaced: true, count: 2 });
  const page = s.talk.notes();
  assert.deepEqual(
    page.notes.map((n) => [n.key, n.taskId, n.text]),
    [
      ['port', 'b', '5434'],
      ['schema', 'b', 'users(id, email)'],
    ],
  );
  assert.equal(page.total, 2);
  assert.deepEqual(
    s.talk.notes({ query: 'EMAIL' }).notes.map((n) => n.key),
    ['schema'],
  );
  assert.deepEqual(
    s.status('r', NOW, 2).notes.map((n) => n.key),
    ['port', 'schema'],
  );
  assert.equal(s.status('r', NOW, 2).noteCount, 2);
});

void test('notes: bounds are refused with the limit named, and nothing is recorded', () => {
  const s = running('a');
  const big = 'x'.repeat(TALK_LIMITS.noteBytes + 1);
  assert.throws(() => s.talk.note({ ...agent('a'), key: 'big', text: big }, NOW), refused(/4097 bytes.*4096/));
  // Bytes, not characters: 1,366 three-byte characters are 4,098 bytes.
  assert.throws(() => s.talk.note({ ...agent('a'), key: 'wide', text: '€'.repeat(1366) }, NOW), refused(/4098/));
  assert.throws(() => s.talk.note({ ...agent('a'), key: '  ', text: 'x' }, NOW), refused(/key of 1 to 200/));
  assert.throws(() => s.talk.note({ ...agent('a'), key: 'k'.repeat(201), text: 'x' }, NOW), refused(/key/));
  assert.equal(s.talk.notes().total, 0);

  for (let i = 0; i < TALK_LIMITS.notesPerRun; i++) s.talk.note({ ...agent('a'), key: `k${i}`, text: 'x' }, NOW);
  assert.throws(() => s.talk.note({ ...agent('a'), key: 'one more', text: 'x' }, NOW), refused(/1000/));
  // A key already there may still be written again.
  assert.deepEqual(s.talk.note({ ...agent('a'), key: 'k7', text: 'y' }, NOW), { replaced: true, count: 1000 });
});

void test("only the task's current agent may call: another task's state or an earlier generation is refused", () => {
  const s = running('a');
  const waiting = Scheduler.fresh(
    PlanSchema.parse({
      version: 1,
      name: 't',
      tasks: [
        { id: 'a', prompt: 'x' },
        { id: 'b', prompt: 'y', dependsOn: ['a'] },
      ],
    }),
    NOW,
  );
  assert.throws(() => waiting.talk.note({ ...agent('b'), key: 'k', text: 'x' }, NOW), refused(/task b/));
  assert.throws(() => s.talk.note({ ...agent('a', 2), key: 'k', text: 'x' }, NOW), refused(/a/));
  assert.throws(() => s.talk.ask({ ...agent('a', 2), question: 'q?', sessionId: 's' }, NOW), refused(/a/));
});

void test('a question: the task waits, waitingOn names it; one at a time; the answer lets the agent go on', () => {
  const s = running('a');
  assert.throws(() => s.talk.ask({ ...agent('a'), question: '  ', sessionId: 's' }, NOW), refused(/question/));
  assert.throws(() => s.talk.checkAnswer('a', 'yes'), refused(/a/), 'no question to answer yet');
  assert.deepEqual(s.talk.ask({ ...agent('a'), question: 'Main or next?', sessionId: 's1' }, NOW), { questionId: 1 });
  assert.equal(s.record('a').state, 'awaiting-answer');
  assert.ok(s.waitingOn(1).some((w) => w.includes('Main or next?') && w.includes('baton answer')));
  assert.deepEqual(s.view(s.record('a')).question, { text: 'Main or next?', askedAt: NOW });
  assert.throws(() => s.talk.ask({ ...agent('a'), question: 'Again?', sessionId: 's1' }, NOW), refused(/already/));
  assert.throws(
    () => s.talk.checkAnswer('a', 'y'.repeat(TALK_LIMITS.answerBytes + 1)),
    refused(/16385 bytes/),
    'answers are bounded',
  );

  s.talk.answer('a', 'next', NOW);
  assert.equal(s.record('a').state, 'running', 'the agent that asked still runs: it takes the answer');
  assert.equal(s.talk.question('a')?.answer, 'next');
  s.talk.answerTaken({ ...agent('a'), questionId: 1 });
  assert.equal(s.talk.question('a'), null);
});

void test('a question outlives its attempt: held in awaiting-answer, then answered, its next run continues the conversation', () => {
  const s = running('a');
  s.talk.ask({ ...agent('a'), question: 'Which date?', sessionId: 'conversation-1' }, NOW);
  s.failed('a', diedWaiting, NOW);
  assert.equal(s.record('a').state, 'awaiting-answer', 'not failed: the question still waits');
  assert.equal(s.record('a').error, null);
  // The held question's agent is gone: it may not note, and the task is not started meanwhile.
  assert.throws(() => s.talk.note({ ...agent('a'), key: 'k', text: 'x' }, NOW), refused(/a/));
  assert.deepEqual(
    s.startable(0).map((r) => r.id),
    [],
  );

  s.talk.answer('a', 'Tuesday', NOW);
  assert.equal(s.record('a').state, 'ready');
  assert.deepEqual(
    s.startable(0).map((r) => r.id),
    ['a'],
  );
  const taken = s.talk.takeAnswer('a');
  assert.equal(taken?.sessionId, 'conversation-1');
  assert.equal(taken?.answer, 'Tuesday');
  assert.equal(s.talk.takeAnswer('a'), null, 'used once');
});

void test('a cancelled attempt drops its question; so does a run that ends', () => {
  const s = running('a', 'b');
  s.talk.ask({ ...agent('a'), question: 'A?', sessionId: 's' }, NOW);
  s.failed('a', { ...diedWaiting, type: 'Cancelled', cancelled: true }, NOW);
  assert.equal(s.record('a').state, 'cancelled');
  assert.equal(s.talk.question('a'), null);

  s.talk.ask({ ...agent('b'), question: 'B?', sessionId: 's' }, NOW);
  s.cancelUnsettled(NOW, 'aborted');
  assert.equal(s.record('b').state, 'cancelled');
  assert.equal(s.talk.question('b'), null);
});
