// An attempt that follows a dead one asks its run for the task's open question (run-talk.ts): a query that fails
// (the run's new worker busy replaying it) is asked again, not taken for "no question" — the attempt would then
// ask the model again what it had asked a person. A stand-in client whose query fails a given number of times.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { QUESTION_TRIES, RunTalk } from '../../src/activities/agent-talk/run-talk.js';
import type { QuestionView } from '../../src/contract/talk.js';

const QUESTION = { id: 1, question: 'When should the release go out?', answer: null } as unknown as QuestionView;

function clientFailing(failures: number) {
  const seen = { queries: 0, resets: 0 };
  const client = {
    options: { namespace: 'default' },
    workflowService: { resetStickyTaskQueue: () => (seen.resets++, Promise.resolve({})) },
    workflow: {
      getHandle: () => ({
        query: () =>
          ++seen.queries <= failures ? Promise.reject(new Error('query timed out')) : Promise.resolve(QUESTION),
      }),
    },
  };
  return { client: client as unknown as Client, seen };
}

void describe("an attempt asks its run for the task's question", () => {
  void it('a query that fails is asked again: the question is found', async () => {
    const { client, seen } = clientFailing(2);
    const warnings: string[] = [];
    const talk = new RunTalk(client, 'run-1', { taskId: 'late', generation: 1 }, (m) => warnings.push(m));
    assert.deepEqual(await talk.openQuestionOfAnyWorker(), QUESTION);
    assert.equal(seen.queries, 3);
    assert.equal(seen.resets, 1, 'the run is sent past its last worker once');
    assert.equal(warnings.length, 2, warnings.join('\n'));
    assert.match(warnings[0]!, /try 1 of 4\): query timed out; asking again in 500 ms/);
  });

  void it(`after ${QUESTION_TRIES} failed queries the failure stands`, async () => {
    const { client, seen } = clientFailing(QUESTION_TRIES);
    const talk = new RunTalk(client, 'run-1', { taskId: 'late', generation: 1 }, () => undefined);
    const signal = AbortSignal.timeout(60_000);
    const started = Date.now();
    await assert.rejects(talk.openQuestionOfAnyWorker(signal), /query timed out/);
    assert.equal(seen.queries, QUESTION_TRIES);
    assert.ok(Date.now() - started >= 3000, 'it waited 0.5, 1 and 2 s between the tries');
  });

  void it('a cancelled attempt does not wait to ask again', async () => {
    const { client, seen } = clientFailing(QUESTION_TRIES);
    const talk = new RunTalk(client, 'run-1', { taskId: 'late', generation: 1 }, () => undefined);
    const over = new AbortController();
    over.abort();
    await assert.rejects(talk.openQuestionOfAnyWorker(over.signal), /query timed out/);
    assert.equal(seen.queries, 1);
  });
});
