// Agent-level resume (DESIGN §5): a later attempt continues the conversation its predecessor heartbeated,
// with the real claude binary against the scripted FakeModel, when claude can find it here; else it starts
// afresh and says why. Also: prompts too big for argv, or holding NUL bytes, reach claude through stdin.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createActivities } from '../../src/activities/index.js';
import type { AgentHeartbeat, AttemptSession, RunAgentInput, RunAgentResult } from '../../src/contract/agent.js';
import { effectiveTask, TaskSchema } from '../../src/plan/schema.js';
import { FakeModel, type TaskScript } from '../../src/rehearsal/fake-model.js';
import { CLAUDE_BIN, claudeEnv } from '../helpers/claude-env.js';
import { testPolicy } from '../helpers/policy.js';
import { forAllTests, tempFolderForAllTests } from '../helpers/for-all-tests.js';

const root = tempFolderForAllTests('baton-resume-');
const fake = forAllTests(
  () => FakeModel.start(),
  (model) => model.stop(),
);

async function setup(id: string, script: TaskScript | null, prompt = 'Do the scripted thing.') {
  if (script) fake.setScript(id, script);
  const cwd = path.join(root, id, 'cwd');
  const configDir = path.join(root, id, 'config');
  await mkdir(cwd, { recursive: true });
  await mkdir(configDir, { recursive: true });
  const input: RunAgentInput = {
    runId: 'baton-resume-test',
    task: effectiveTask({}, TaskSchema.parse({ id, prompt })),
    generation: 1,
    cwd,
    dependencies: [],
    guidance: [],
    sessionId: randomUUID(),
  };
  const artifactsDir = path.join(root, id, 'artifacts');
  const { runAgent } = createActivities({
    artifactsDir,
    policy: testPolicy(),
    claudeBin: CLAUDE_BIN,
    env: claudeEnv(fake, configDir),
    killGraceMs: 500,
  });
  const run = (attempt: number, heartbeatDetails?: unknown) => {
    const env = new MockActivityEnvironment({ attempt, heartbeatDetails }, { logger: new DefaultLogger('ERROR') });
    const heartbeats: AgentHeartbeat[] = [];
    env.on('heartbeat', (details: AgentHeartbeat) => heartbeats.push(details));
    const promise: Promise<RunAgentResult> = env.run(runAgent, input);
    return { env, heartbeats, promise };
  };
  const sessionArtifact = async (attempt: number): Promise<AttemptSession> =>
    JSON.parse(
      await readFile(path.join(artifactsDir, 'baton-resume-test', id, 'g1', `attempt-${attempt}.session.json`), 'utf8'),
    ) as AttemptSession;
  return { input, cwd, configDir, run, sessionArtifact };
}

async function until(what: string, predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await sleep(50);
  }
}

void describe('runAgent resumes the previous attempt’s Claude session', () => {
  void it('continues an interrupted conversation with --resume: the model sees the earlier turns and the short prompt', async () => {
    const id = 'interrupted';
    // claude closes the interrupted turn with a placeholder answer of its own: how many turns the resumed
    // conversation holds depends on where the kill landed, so every later turn is the final text.
    const finished = { text: 'Finished after resuming.' };
    const script: TaskScript = { turns: [{ bash: 'echo one > step1.txt' }, finished, finished, finished] };
    // Slow answers: attempt 1 is cancelled while its second request (after the Bash turn) waits.
    const { input, cwd, run, sessionArtifact } = await setup(id, { ...script, delayMs: 1500 });
    const first = run(1);
    await until('the second request of attempt 1', () => fake.requestsFor(id).some((r) => r.assistantTurns >= 1));
    await until('a heartbeat that counts the Bash turn', () => first.heartbeats.some((h) => h.turns >= 1));
    first.env.cancel();
    await assert.rejects(first.promise, (error: unknown) => error instanceof CancelledFailure);
    assert.equal(await readFile(path.join(cwd, 'step1.txt'), 'utf8'), 'one\n');
    const last = first.heartbeats.at(-1);
    assert.ok(last);
    assert.equal(last.sessionId, input.sessionId);

    fake.setScript(id, script);
    const seenBefore = fake.requestsFor(id).length;
    const second = run(2, last);
    const result = await second.promise;
    const resumedRequests = fake.requestsFor(id).slice(seenBefore);
    assert.ok(resumedRequests.length >= 1);
    const firstResumed = resumedRequests[0]!;
    // The conversation carries attempt 1's turn and its original prompt, then the resume prompt.
    assert.ok(firstResumed.assistantTurns >= 1, `assistant turns seen: ${firstResumed.assistantTurns}`);
    assert.match(firstResumed.firstUserText, /Do the scripted thing\./);
    assert.match(firstResumed.lastUserText, /You were interrupted/);
    assert.equal(result.text, 'Finished after resuming.');
    assert.equal(result.sessionId, input.sessionId);
    assert.deepEqual(result.session, {
      mode: 'resumed',
      sessionId: input.sessionId,
      previousSessionId: input.sessionId,
    });
    assert.deepEqual(await sessionArtifact(2), result.session);
    assert.equal(second.heartbeats[0]?.session?.mode, 'resumed');

    // And once more: a third attempt resumes the same conversation again (no "already in use").
    const third = await run(3, second.heartbeats.at(-1)).promise;
    assert.equal(third.session?.mode, 'resumed');
    assert.equal(third.sessionId, input.sessionId);
  });

  void it('starts afresh, saying why, when the session is not stored on this worker', async () => {
    const id = 'elsewhere';
    const { input, run, sessionArtifact } = await setup(id, { turns: [{ text: 'Fresh start.' }] });
    const missing = randomUUID();
    const beat: AgentHeartbeat = { sessionId: missing, turns: 3, costUsd: 0, transcriptPath: '/elsewhere.jsonl' };
    const { promise } = run(2, beat);
    const result = await promise;
    assert.equal(result.text, 'Fresh start.');
    assert.equal(result.session?.mode, 'new');
    assert.equal(result.session?.previousSessionId, missing);
    assert.notEqual(result.sessionId, missing);
    assert.notEqual(result.sessionId, input.sessionId);
    assert.match(
      result.session?.notResumedBecause ?? '',
      /not available to this worker: this worker has no Claude sessions/,
    );
    assert.deepEqual(await sessionArtifact(2), result.session);
    // The model got the full prompt, not the resume prompt.
    const request = fake.requestsFor(id).at(-1);
    assert.match(request?.lastUserText ?? '', /Do the scripted thing\./);
    assert.equal(request?.assistantTurns, 0);
  });

  void it('starts afresh when the session was recorded in another folder (claude could not resume it there)', async () => {
    const first = await setup('folder-a', { turns: [{ text: 'A.' }] });
    const done = await first.run(1).promise;
    // Same CLAUDE_CONFIG_DIR, other cwd.
    const other = await setup('folder-b', { turns: [{ text: 'B.' }] });
    const otherCwd = path.join(root, 'folder-b', 'elsewhere');
    await mkdir(otherCwd);
    const { runAgent } = createActivities({
      artifactsDir: path.join(root, 'folder-b', 'artifacts'),
      policy: testPolicy(),
      claudeBin: CLAUDE_BIN,
      env: claudeEnv(fake, first.configDir),
    });
    const env = new MockActivityEnvironment(
      { attempt: 2, heartbeatDetails: { sessionId: done.sessionId, turns: 1, costUsd: 0, transcriptPath: '' } },
      { logger: new DefaultLogger('ERROR') },
    );
    const result: RunAgentResult = await env.run(runAgent, { ...other.input, cwd: otherCwd });
    assert.equal(result.session?.mode, 'new');
    assert.match(result.session?.notResumedBecause ?? '', /was recorded in .*folder-a.*, not in this task's folder/);
  });

  void it('starts afresh when the previous attempt never got an answer (a 429 is not a turn)', async () => {
    const id = 'no-answer';
    const { input, run } = await setup(id, { failFirst: [{ status: 429 }], turns: [{ text: 'Now.' }] });
    const first = run(1);
    await assert.rejects(first.promise);
    const last = first.heartbeats.at(-1);
    assert.equal(last?.turns, 0);
    const result = await run(2, last).promise;
    assert.equal(result.session?.mode, 'new');
    assert.equal(result.session?.previousSessionId, input.sessionId);
    assert.match(result.session?.notResumedBecause ?? '', /ended before the model answered/);
  });
});

void describe('runAgent passes prompts argv cannot carry on stdin', () => {
  /** The first user message claude recorded in its session file: what the model really received. */
  async function recordedPrompt(configDir: string, sessionId: string): Promise<string> {
    const projects = path.join(configDir, 'projects');
    for (const folder of await readdir(projects)) {
      const text = await readFile(path.join(projects, folder, `${sessionId}.jsonl`), 'utf8').catch(() => null);
      if (text === null) continue;
      for (const line of text.split('\n')) {
        if (!line.includes('"type":"user"')) continue;
        const content = (JSON.parse(line) as { message: { content: unknown } }).message.content;
        if (typeof content === 'string') return content;
      }
    }
    throw new Error(`no session ${sessionId} in ${projects}`);
  }

  void it('a 3 MB prompt (over the 128 KiB argv limit) reaches claude whole', async () => {
    const body = `${'0123456789abcdef'.repeat(3 * 65536)}\nEND OF THE BIG PROMPT`;
    const { input, configDir, run } = await setup('big-prompt', { turns: [{ text: 'Read it all.' }] }, body);
    const result = await run(1).promise;
    assert.equal(result.text, 'Read it all.');
    const received = await recordedPrompt(configDir, input.sessionId);
    assert.ok(received.includes(body), `claude received ${received.length} characters`);
  });

  void it('a prompt with NUL bytes and shell metacharacters reaches claude intact', async () => {
    const body = 'a\u0000b $(touch pwned) `touch pwned2` ; rm -rf / | cat && echo \'q\' "dq" \\ * ? ~ > < \n\t ünïcödé';
    const { input, cwd, configDir, run } = await setup('nul-prompt', { turns: [{ text: 'Intact.' }] }, body);
    const result = await run(1).promise;
    assert.equal(result.text, 'Intact.');
    assert.ok((await recordedPrompt(configDir, input.sessionId)).includes(body));
    assert.deepEqual(await readdir(cwd), [], 'nothing was run by a shell');
  });
});
