// A question goes to the run only once claude's conversation file holds the message that asks it
// (src/activities/agent-talk/kept-question.ts): claude writes that file in batches, and a kill before the batch
// lands leaves a conversation the next attempt could not continue.
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { asks, untilConversationAsks } from '../../src/activities/agent-talk/kept-question.js';

const QUESTION = 'When should the release go out?';

/** A conversation line as claude writes it: one per content block of the model's message. */
const assistantLine = (block: object): string =>
  JSON.stringify({ type: 'assistant', uuid: 'u1', message: { id: 'msg_1', model: 'm', content: [block] } });
const askBlock = (question: string) => ({
  type: 'tool_use',
  id: 'toolu_1',
  name: 'mcp__baton__ask',
  input: { question },
});
const USER_LINE = JSON.stringify({ type: 'user', message: { content: `Please ask: ${QUESTION} mcp__baton__ask` } });

test('asks: only a model message calling the ask tool with this very question counts', () => {
  assert.equal(asks(`${USER_LINE}\n${assistantLine(askBlock(QUESTION))}\n`, QUESTION), true);
  assert.equal(asks(`${USER_LINE}\n`, QUESTION), false, 'the prompt naming the tool is not the model asking');
  assert.equal(asks(assistantLine(askBlock('Another question?')), QUESTION), false);
  assert.equal(
    asks(assistantLine({ ...askBlock(QUESTION), name: 'mcp__other__ask' }), QUESTION),
    false,
    "another server's tool",
  );
  assert.equal(asks(assistantLine(askBlock(QUESTION)).slice(0, 60), QUESTION), false, 'a line cut short');
});

test('untilConversationAsks: returns once the file holds the question, false after its wait', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'baton-kept-question-'));
  try {
    const file = path.join(dir, 'conversation.jsonl');
    const never = new AbortController().signal;
    // No file yet, then a file without the message: the wait runs out.
    assert.equal(
      await untilConversationAsks(async () => file, QUESTION, never, { timeoutMs: 150, everyMs: 10 }),
      false,
    );
    await writeFile(file, `${USER_LINE}\n`);
    const waiting = untilConversationAsks(async () => file, QUESTION, never, { timeoutMs: 5000, everyMs: 10 });
    await sleep(100);
    await appendFile(file, `${assistantLine(askBlock(QUESTION))}\n`);
    const started = Date.now();
    assert.equal(await waiting, true);
    assert.ok(Date.now() - started < 4000, 'it returned when the message landed, not at the end of its wait');
    // An attempt that is over stops waiting at once.
    const over = new AbortController();
    const stopped = untilConversationAsks(async () => undefined, QUESTION, over.signal, { timeoutMs: 60_000 });
    over.abort();
    assert.equal(await stopped, false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
