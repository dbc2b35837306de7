// The fake model's wire behaviour and helpers, checked over HTTP without claude (fast).
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { FakeModel, TASK_HEADER, expectedOutputsOf, taskKeyOf } from '../../src/rehearsal/fake-model.js';
import { ScriptFileError, loadScriptFile } from '../../src/rehearsal/script-file.js';
import { tempFolderForAllTests } from '../helpers/for-all-tests.js';

const REMINDER = '<system-reminder>\nToday is a day.\n</system-reminder>\n\n';
const SYSTEM = [{ type: 'text', text: 'You are…\n - Primary working directory: /work/agent\n - Platform: linux' }];

function userMessage(prompt: string): Record<string, unknown> {
  return {
    role: 'user',
    content: [
      { type: 'text', text: REMINDER },
      { type: 'text', text: prompt },
    ],
  };
}

async function post(fake: FakeModel, path: string, body: unknown): Promise<Response> {
  return fetch(fake.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((frame) => frame.trim() !== '')
    .map((frame) => {
      const [eventLine, dataLine] = frame.split('\n');
      return {
        event: eventLine?.replace(/^event: /, '') ?? '',
        data: JSON.parse(dataLine?.replace(/^data: /, '') ?? '{}') as Record<string, unknown>,
      };
    });
}

void describe('taskKeyOf and expectedOutputsOf', () => {
  void it('taskKeyOf finds the TASK_HEADER line after system-reminder text and rejects malformed ids', () => {
    assert.equal(taskKeyOf(`${REMINDER}Intro\n${TASK_HEADER('login.v2_x-1')}\nBody`), 'login.v2_x-1');
    assert.equal(taskKeyOf('# Task: Login\n'), null);
    assert.equal(taskKeyOf('# Task: -login\n'), null);
    assert.equal(taskKeyOf('text # Task: login\n'), null);
    assert.equal(taskKeyOf('nothing here'), null);
  });

  void it('expectedOutputsOf reads the list under its heading only, tolerating blank lines and backticks', () => {
    const text = `# Task: t\n\n- /not/this\n\n## Expected outputs\n\n- /a/b.txt\n- \`/c d.md\`\n- /a/b.txt\n\n## Context\n- /x\n`;
    assert.deepEqual(expectedOutputsOf(text), ['/a/b.txt', '/c d.md']);
    assert.deepEqual(expectedOutputsOf('## Expected outputs\n'), []);
    assert.deepEqual(expectedOutputsOf('no heading\n- /a'), []);
  });
});

void describe('FakeModel over HTTP', () => {
  let fake: FakeModel;

  before(async () => {
    fake = await FakeModel.start({ costPerRequestUsd: 0.03 });
  });

  after(async () => {
    await fake.stop();
  });

  void it('answers a non-streaming request with one JSON message; a relative write path uses the agent cwd', async () => {
    fake.setScript('json', { turns: [{ write: { path: 'src/x.ts', content: 'x' } }] });
    const response = await post(fake, '/v1/messages', {
      model: 'claude-sonnet-5',
      system: SYSTEM,
      messages: [userMessage(TASK_HEADER('json'))],
    });
    assert.equal(response.status, 200);
    const message = (await response.json()) as Record<string, unknown>;
    assert.equal(message['stop_reason'], 'tool_use');
    assert.deepEqual(message['usage'], {
      input_tokens: 10_000, // $0.03 at sonnet's $3/MTok
      output_tokens: 0,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    });
    const [block] = message['content'] as Array<Record<string, unknown>>;
    assert.equal(block?.['name'], 'Write');
    assert.deepEqual(block?.['input'], { file_path: '/work/agent/src/x.ts', content: 'x' });
  });

  void it('streams SSE in order, with the tool input split into input_json_delta chunks that rebuild it', async () => {
    const input = { command: 'echo ' + 'y'.repeat(200) };
    fake.setScript('sse', { turns: [{ text: 'first' }, { toolUse: { name: 'Bash', input } }] });
    const assistant = { role: 'assistant', content: [{ type: 'text', text: 'first' }] };
    const system = { role: 'system', content: 'mid-conversation system text' };
    const response = await post(fake, '/v1/messages?beta=true', {
      model: 'claude-opus-4-8',
      stream: true,
      messages: [userMessage(TASK_HEADER('sse')), system, assistant, userMessage('go on')],
    });
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    const events = parseSse(await response.text());
    const kinds = [...new Set(events.map((e) => e.event))];
    assert.deepEqual(kinds, [
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const json = events
      .filter((e) => e.event === 'content_block_delta')
      .map((e) => (e.data['delta'] as { partial_json: string }).partial_json)
      .join('');
    assert.ok(events.filter((e) => e.event === 'content_block_delta').length > 1);
    assert.deepEqual(JSON.parse(json), input);
    const delta = events.find((e) => e.event === 'message_delta')?.data['delta'] as Record<string, unknown>;
    assert.equal(delta['stop_reason'], 'tool_use');
    assert.equal(fake.requestsFor('sse')[0]?.assistantTurns, 1);
    assert.match(fake.requestsFor('sse')[0]?.lastUserText ?? '', /go on$/);
  });

  void it('failFirst answers Anthropic error bodies in order (retry-after on 429); setScript restarts the count', async () => {
    const failFirst = [{ status: 429 }, { status: 529, message: 'busy' }, { status: 500 }];
    fake.setScript('flaky', { failFirst });
    const body = { model: 'm', messages: [userMessage(TASK_HEADER('flaky'))] };
    const answers: Array<[number, string | null, unknown]> = [];
    for (let i = 0; i < 4; i++) {
      const response = await post(fake, '/v1/messages', body);
      answers.push([response.status, response.headers.get('retry-after'), await response.json()]);
    }
    assert.deepEqual(
      answers.map(([status, retryAfter]) => [status, retryAfter]),
      [
        [429, '1'],
        [529, null],
        [500, null],
        [200, null],
      ],
    );
    assert.deepEqual(answers[1]?.[2], { type: 'error', error: { type: 'overloaded_error', message: 'busy' } });
    assert.equal((answers[0]?.[2] as { error: { type: string } }).error.type, 'rate_limit_error');
    assert.equal((answers[2]?.[2] as { error: { type: string } }).error.type, 'api_error');

    fake.setScript('flaky', { failFirst: [{ status: 400 }] });
    assert.equal((await post(fake, '/v1/messages', body)).status, 400);
  });

  void it('count_tokens and keyless requests are side requests logged with key null, not counted for failFirst', async () => {
    fake.setScript('side', { failFirst: [{ status: 429 }] });
    const before = fake.log.length;
    const counted = await post(fake, '/v1/messages/count_tokens', {
      model: 'm',
      messages: [userMessage(TASK_HEADER('side'))],
    });
    assert.deepEqual(Object.keys((await counted.json()) as object), ['input_tokens']);
    const keyless = await post(fake, '/v1/messages', { model: 'm', messages: [userMessage('Write a title')] });
    assert.equal(keyless.status, 200);
    assert.deepEqual(
      fake.log.slice(before).map((entry) => entry.key),
      [null, null],
    );
    const keyed = await post(fake, '/v1/messages', { model: 'm', messages: [userMessage(TASK_HEADER('side'))] });
    assert.equal(keyed.status, 429);
  });

  void it('rejects a malformed body with 400 invalid_request_error and unknown routes with 404', async () => {
    const bad = await post(fake, '/v1/messages', '{"model": 1');
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { type: string } }).error.type, 'invalid_request_error');
    assert.equal((await post(fake, '/v1/other', {})).status, 404);
    assert.equal((await fetch(fake.url, { method: 'HEAD' })).status, 200);
  });

  void it('delayMs holds each answer of its key; stop() cuts off a hanging request', async () => {
    const own = await FakeModel.start({ script: { slow: { delayMs: 300 }, stuck: { hang: true } } });
    const started = Date.now();
    const slow = await post(own, '/v1/messages', { model: 'm', messages: [userMessage(TASK_HEADER('slow'))] });
    assert.equal(slow.status, 200);
    assert.ok(Date.now() - started >= 300);
    const stuck = post(own, '/v1/messages', { model: 'm', messages: [userMessage(TASK_HEADER('stuck'))] });
    while (own.requestsFor('stuck').length === 0) await new Promise((r) => setTimeout(r, 10));
    await own.stop();
    await assert.rejects(stuck);
    assert.deepEqual(
      own.requestsFor('stuck').map((e) => [e.status, e.answeredAt]),
      [[0, null]],
    );
  });
});

void describe('script files and the standalone entry', () => {
  const dir = tempFolderForAllTests('baton-fake-script-');

  void it('loadScriptFile accepts TaskScripts and names the bad field of a wrong one', async () => {
    const good = join(dir, 'good.json');
    await writeFile(
      good,
      JSON.stringify({ a: { turns: [{ bash: 'ls' }, { text: 'ok' }], failFirst: [{ status: 429 }] } }),
    );
    assert.deepEqual(await loadScriptFile(good), {
      a: { turns: [{ bash: 'ls' }, { text: 'ok' }], failFirst: [{ status: 429 }] },
    });
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ a: { turns: [{ txt: 'typo' }] } }));
    await assert.rejects(
      loadScriptFile(bad),
      (err: unknown) => err instanceof ScriptFileError && /a\.turns/.test(err.message),
    );
  });

  void it('main.js prints its URL as one line, serves the script, and exits 0 on SIGTERM', async () => {
    const script = join(dir, 'main.json');
    await writeFile(script, JSON.stringify({ m: { turns: [{ text: 'from file' }] } }));
    const mainJs = fileURLToPath(new URL('../../src/rehearsal/main.js', import.meta.url));
    const child = execa('node', [mainJs, '--script', script], { reject: false });
    const url = await new Promise<string>((done) => child.stdout.once('data', (chunk: Buffer) => done(String(chunk))));
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\n$/);
    const response = await fetch(url.trim() + '/v1/messages', {
      method: 'POST',
      body: JSON.stringify({ model: 'm', messages: [userMessage(TASK_HEADER('m'))] }),
    });
    const message = (await response.json()) as { content: Array<{ text: string }> };
    assert.equal(message.content[0]?.text, 'from file');
    child.kill('SIGTERM');
    assert.equal((await child).exitCode, 0);
  });
});
