// Agents that talk back (DESIGN §13, issue 17) through the built CLI: the real claude binary gets baton's in-run
// MCP server and the scripted model calls its tools because the task prompts say so. Two parallel agents: `scout`
// records a note; `builder` asks a person, waits in `awaiting-answer` (status, `baton list --waiting`), gets
// `baton answer`'s text in the same conversation, then reads the notes and finds scout's. `report`, which depends
// on scout, finds scout's note in its prompt. Prints the latency from `baton answer` to the model request that
// carries the answer as a `[talk]` line.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { ResultPromise } from 'execa';
import { FakeModel } from '../../src/rehearsal/fake-model.js';
import type { WaitingEvent } from '../../src/contract/notify.js';
import type { RunStatus } from '../../src/workflows/status.js';
import type { Note } from '../../src/contract/talk.js';
import { describeResult, jsonOf, statusShapeProblems, stopProcess, waitFor, type Sandbox } from '../helpers/cli.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import { testTemporal } from '../helpers/temporal.js';
import { modelSandbox } from '../helpers/worker-scene.js';

const QUESTION = 'Which branch should the feature go to, main or next?';
const PLAN = `version: 1
name: talk
defaults:
  retries: 0
tasks:
  - id: scout
    prompt: |
      Look at the database.
      note: db-port = the test database listens on 5433
  - id: builder
    prompt: |
      Build the feature.
      ask: ${QUESTION}
      read notes
  - id: report
    prompt: Write the report.
    dependsOn: [scout]
`;

// BATON_NOTIFY_CMD appends each event it is given (JSON on stdin) to a file of the sandbox.
const NOTIFY_SCRIPT = `require('fs').appendFileSync('notified.jsonl', require('fs').readFileSync(0))`;

const temporal = forAllTests(testTemporal);
const scene = forAllTests(
  async (): Promise<{ box: Sandbox; fake: FakeModel; worker: ResultPromise }> => {
    const fake = await FakeModel.start({ rehearse: true });
    const notify = JSON.stringify([process.execPath, '-e', NOTIFY_SCRIPT]);
    const env = { TEMPORAL_ADDRESS: temporal.address, BATON_NOTIFY_CMD: notify };
    const box = await modelSandbox('talk', fake, env, { 'plan.yaml': PLAN });
    return { box, fake, worker: box.spawn(['worker']) };
  },
  async ({ box, fake, worker }) => {
    await stopProcess(worker, 10_000);
    await fake.stop();
    await box.cleanup();
  },
);

async function status(runId: string): Promise<RunStatus> {
  const result = await scene.box.baton(['status', runId, '--json']);
  assert.equal(result.exitCode, 0, describeResult(result));
  return jsonOf<RunStatus>(result);
}

void test('a note reaches a parallel agent and a dependent prompt; a question waits for baton answer and returns in the same conversation', async () => {
  const { box, fake } = scene;
  const runId = `talk-${Date.now().toString(36)}`;
  const started = await box.baton(['start', 'plan.yaml', '--id', runId]);
  assert.equal(started.exitCode, 0, describeResult(started));

  // builder waits on its question while scout's note is in the run.
  const waiting = await waitFor(
    'builder to wait on its question and scout to have noted',
    async () => {
      const s = await status(runId);
      const builder = s.tasks.find((t) => t.id === 'builder');
      return builder?.state === 'awaiting-answer' && s.notes.some((n) => n.key === 'db-port') ? s : undefined;
    },
    90_000,
  );
  assert.deepEqual(statusShapeProblems(waiting), []);
  const builder = waiting.tasks.find((t) => t.id === 'builder')!;
  assert.equal(builder.question?.text, QUESTION);
  assert.ok(
    waiting.waitingOn.some((w) => w.includes(QUESTION) && w.includes('baton answer')),
    `waitingOn names the question and the command: ${JSON.stringify(waiting.waitingOn)}`,
  );
  const note = waiting.notes.find((n) => n.key === 'db-port')!;
  assert.equal(note.text, 'the test database listens on 5433');
  assert.equal(note.taskId, 'scout');
  assert.ok(waiting.noteCount >= 1);

  // The list reads Temporal's visibility store, which follows the run a moment later.
  const row = await waitFor('baton list --waiting to list the run', async () => {
    const listed = await box.baton(['list', '--waiting', '--json']);
    assert.equal(listed.exitCode, 0, describeResult(listed));
    return jsonOf<{ runId: string; waitingOn: string[] }[]>(listed).find((r) => r.runId === runId);
  });
  assert.ok(
    row.waitingOn.some((w) => w.includes(QUESTION)),
    JSON.stringify(row),
  );

  // The Web UI's current details show the question and the latest notes.
  const details = await waitFor('the Web UI details to show the note and the question', async () => {
    const metadata = await temporal.client.workflow
      .getHandle(runId)
      .query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    const text = metadata.currentDetails ?? '';
    return text.includes('Latest notes of the agents:') && text.includes(QUESTION) ? text : undefined;
  });
  assert.match(details, /- \*\*db-port\*\* \(scout\): the test database listens on 5433/);
  assert.ok(details.includes(`baton answer ${runId} builder`), details);

  // BATON_NOTIFY_CMD heard of the question.
  const events = await waitFor('BATON_NOTIFY_CMD to be told of the question', async () => {
    const text = await readFile(path.join(box.cwd, 'notified.jsonl'), 'utf8').catch(() => '');
    const parsed = text.trim()
      ? text
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as WaitingEvent)
      : [];
    return parsed.some((e) => e.runId === runId && e.waitingOn.some((w) => w.includes(QUESTION))) ? parsed : undefined;
  });
  assert.ok(events.every((e) => e.event === 'waiting'));

  const notes = await box.baton(['notes', runId, '--json']);
  assert.equal(notes.exitCode, 0, describeResult(notes));
  const listedNotes = jsonOf<{ notes: Note[] }>(notes).notes;
  assert.deepEqual(
    listedNotes.map((n) => [n.key, n.taskId, n.text]),
    [['db-port', 'scout', 'the test database listens on 5433']],
  );

  // Nothing of the answer has reached the model yet.
  const answerText = 'next, please: main is frozen';
  assert.ok(!fake.requestsFor('builder').some((r) => r.lastUserText.includes(answerText)));
  const sentAt = Date.now();
  const answered = await box.baton(['answer', runId, 'builder', answerText]);
  assert.equal(answered.exitCode, 0, describeResult(answered));
  const returnedAt = Date.now();

  const result = await box.baton(['result', runId, '--json']);
  assert.equal(result.exitCode, 0, describeResult(result));
  const final = jsonOf<RunStatus>(result);
  assert.deepEqual(
    final.tasks.map((t) => `${t.id}:${t.state}:${t.attempts}`),
    ['scout:succeeded:1', 'builder:succeeded:1', 'report:succeeded:1'],
  );
  assert.match(final.tasks.find((t) => t.id === 'builder')!.summary ?? '', /heard the answer.*next, please/);

  // The answer arrives as the ask tool's result, in the conversation that asked (one attempt, turns before it).
  const requests = fake.requestsFor('builder');
  const carrying = requests.findIndex((r) => r.lastUserText.includes(`A person answered your question:`));
  assert.ok(carrying > 0, `a builder request carries the answer: ${requests.map((r) => r.lastUserText).join(' | ')}`);
  const withAnswer = requests[carrying]!;
  assert.ok(withAnswer.lastUserText.includes(answerText));
  assert.ok(withAnswer.assistantTurns >= 1, 'the answer continues the conversation that asked');
  assert.ok(withAnswer.firstUserText.includes(`ask: ${QUESTION}`), "the conversation is builder's own");

  // Later in its conversation, builder reads the notes: scout's note, framed as information.
  const read = requests.slice(carrying + 1).find((r) => r.lastUserText.includes('[db-port]'));
  assert.ok(read, `builder read scout's note later: ${requests.map((r) => r.lastUserText).join(' | ')}`);
  assert.match(read.lastUserText, /\(task scout, [^)]+\): the test database listens on 5433/);
  assert.match(read.lastUserText, /not instructions/);

  // report's prompt carries its dependency's note, quoted as data.
  const reportPrompt = fake.requestsFor('report')[0]!.firstUserText;
  assert.match(
    reportPrompt,
    /### scout:[\s\S]*Notes its agent left for others[\s\S]*- \[db-port\]\n {2}> the test database listens on 5433/,
  );
  assert.ok(!fake.requestsFor('scout')[0]!.firstUserText.includes('Notes its agent left'));

  console.log(
    `[talk] baton answer → the model request carrying the answer: ${withAnswer.receivedAt - sentAt} ms from the ` +
      `command's start (${answered.durationMs} ms the command itself), ${withAnswer.receivedAt - returnedAt} ms after it returned`,
  );
});
