// Agent-level resume (DESIGN §5, §12; issues 18, 21), with the real claude binary against the scripted FakeModel:
// an attempt — a retry, a reset one (attempt 1 again), one on another host — continues the task's conversation
// whenever it holds a model answer, whatever the heartbeat said; else it starts one under an id no file carries,
// and says why. A completed attempt's kept answer is given again rather than paid twice. Also: prompts too big
// for argv, or holding NUL bytes, reach claude through stdin.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
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

interface Host {
  /** claude's config folder on this host. */
  configDir: string;
  /** The task's folder on this host (its checkout). */
  cwd: string;
}

async function setup(id: string, script: TaskScript | null, prompt = 'Do the scripted thing.') {
  if (script) fake.setScript(id, script);
  const hostA: Host = { cwd: path.join(root, id, 'cwd'), configDir: path.join(root, id, 'config') };
  await mkdir(hostA.cwd, { recursive: true });
  await mkdir(hostA.configDir, { recursive: true });
  const input: RunAgentInput = {
    runId: 'baton-resume-test',
    task: effectiveTask({}, TaskSchema.parse({ id, prompt })),
    generation: 1,
    cwd: hostA.cwd,
    dependencies: [],
    guidance: [],
    sessionId: randomUUID(),
  };
  // Shared by every host of a test: the artifact store (a folder here; S3 in test/production/artifacts-s3).
  const artifactsDir = path.join(root, id, 'artifacts');
  const run = (attempt: number, options: { heartbeatDetails?: unknown; host?: Host } = {}) => {
    const host = options.host ?? hostA;
    const { runAgent } = createActivities({
      artifactsDir,
      policy: testPolicy(),
      claudeBin: CLAUDE_BIN,
      env: claudeEnv(fake, host.configDir),
      killGraceMs: 500,
      conversationSyncMs: 200,
      // Heartbeats from 0.1 s into the attempt (none before), then every 0.1 s: a quick attempt has some too.
      heartbeatMs: 100,
    });
    const env = new MockActivityEnvironment(
      { attempt, heartbeatDetails: options.heartbeatDetails },
      { logger: new DefaultLogger('ERROR') },
    );
    const heartbeats: AgentHeartbeat[] = [];
    env.on('heartbeat', (details: AgentHeartbeat) => heartbeats.push(details));
    const promise: Promise<RunAgentResult> = env.run(runAgent, { ...input, cwd: host.cwd });
    return { env, heartbeats, promise };
  };
  const generationDir = path.join(artifactsDir, 'baton-resume-test', id, 'g1');
  const sessionArtifact = async (attempt: number): Promise<AttemptSession> =>
    JSON.parse(await readFile(path.join(generationDir, `attempt-${attempt}.session.json`), 'utf8')) as AttemptSession;
  /** Another host: a config folder and a checkout of its own; only the store is shared. */
  const otherHost = async (name: string): Promise<Host> => {
    const host = { cwd: path.join(root, id, name, 'checkout'), configDir: path.join(root, id, name, 'config') };
    await mkdir(host.cwd, { recursive: true });
    await mkdir(host.configDir, { recursive: true });
    return host;
  };
  return { input, cwd: hostA.cwd, configDir: hostA.configDir, run, sessionArtifact, otherHost, generationDir };
}

async function until(what: string, predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The first request of the conversation's next attempt, and its place among the task's requests. */
function requestsSince(id: string, seen: number) {
  return fake.requestsFor(id).slice(seen);
}

// claude closes an interrupted turn with a placeholder answer of its own: how many turns the resumed conversation
// holds depends on where the kill landed, so every later turn is the final text.
const finished = { text: 'Finished after resuming.' };
const bashThenDone: TaskScript = { turns: [{ bash: 'echo one > step1.txt' }, finished, finished, finished] };

/** Attempt 1 killed (cancelled) while its second request waits: its conversation holds one model answer. */
async function interruptedFirstAttempt(id: string) {
  // Slow answers: attempt 1 is cancelled while its second request (after the Bash turn) waits.
  const task = await setup(id, { ...bashThenDone, delayMs: 1500 });
  const first = task.run(1);
  await until('the second request of attempt 1', () => fake.requestsFor(id).some((r) => r.assistantTurns >= 1));
  first.env.cancel();
  await assert.rejects(first.promise, (error: unknown) => error instanceof CancelledFailure);
  assert.equal(await readFile(path.join(task.cwd, 'step1.txt'), 'utf8'), 'one\n');
  fake.setScript(id, bashThenDone);
  return { ...task, first };
}

function assertResumed(id: string, seen: number): void {
  const resumed = requestsSince(id, seen);
  assert.ok(resumed.length >= 1, 'the next attempt asked the model');
  // The conversation carries attempt 1's turn and its original prompt, then the resume prompt.
  assert.ok(resumed[0]!.assistantTurns >= 1, `assistant turns seen: ${resumed[0]!.assistantTurns}`);
  assert.match(resumed[0]!.firstUserText, /Do the scripted thing\./);
  assert.match(resumed[0]!.lastUserText, /You were interrupted/);
}

void describe('runAgent continues the task’s Claude conversation, decided from the conversation itself', () => {
  void it('resumes whenever the conversation holds a model answer, whatever the heartbeat said (stale: 0 turns, or none)', async () => {
    const id = 'interrupted';
    const { input, run, first, sessionArtifact } = await interruptedFirstAttempt(id);
    // What a throttled heartbeat may still say seconds later: no turn yet.
    const stale: AgentHeartbeat = { sessionId: input.sessionId, turns: 0, costUsd: 0, transcriptPath: '' };
    assert.ok(first.heartbeats.length > 0);
    const seen = fake.requestsFor(id).length;
    const second = run(2, { heartbeatDetails: stale });
    const result = await second.promise;
    assertResumed(id, seen);
    assert.equal(result.text, 'Finished after resuming.');
    assert.equal(result.sessionId, input.sessionId);
    assert.deepEqual(result.session, {
      mode: 'resumed',
      sessionId: input.sessionId,
      previousSessionId: input.sessionId,
    });
    assert.deepEqual(await sessionArtifact(2), result.session);
    assert.equal(second.heartbeats[0]?.session?.mode, 'resumed');
    assert.ok((second.heartbeats[0]?.turns ?? 0) >= 1, 'the heartbeat counts the earlier answers');
  });

  void it('a reset attempt (attempt 1 again) continues the conversation that exists: never "already in use"', async () => {
    const id = 'reset';
    const { input, run, generationDir } = await interruptedFirstAttempt(id);
    const seen = fake.requestsFor(id).length;
    // `temporal activity reset`: the attempt number starts again at 1, without heartbeat details.
    const again = await run(1).promise;
    assertResumed(id, seen);
    assert.equal(again.session?.mode, 'resumed');
    assert.equal(again.sessionId, input.sessionId);
    // Its files are its own: the first attempt numbered 1 keeps its transcript.
    assert.match(again.transcriptPath, /g1\/attempt-1\.2\.jsonl$/);
    const firstTranscript = await readFile(path.join(generationDir, 'attempt-1.jsonl'), 'utf8');
    assert.match(firstTranscript, /echo one > step1\.txt/, 'the first attempt numbered 1 kept its transcript');
  });

  void it('a reset attempt whose conversation holds no answer starts one under a fresh id, saying why', async () => {
    const id = 'reset-no-answer';
    const { input, run } = await setup(id, { failFirst: [{ status: 429 }], turns: [{ text: 'Now.' }] });
    await assert.rejects(run(1).promise);
    const again = await run(1).promise;
    assert.equal(again.text, 'Now.');
    assert.equal(again.session?.mode, 'new');
    assert.notEqual(again.sessionId, input.sessionId, 'claude refuses the id of a conversation it has');
    assert.equal(again.session?.previousSessionId, input.sessionId);
    assert.match(again.session?.notResumedBecause ?? '', /holds no model answer: nothing to continue/);
    // The model got the full prompt, not the resume prompt.
    const request = fake.requestsFor(id).at(-1);
    assert.match(request?.lastUserText ?? '', /Do the scripted thing\./);
    assert.equal(request?.assistantTurns, 0);
  });

  void it('another host (own CLAUDE_CONFIG_DIR, another checkout path) continues the conversation from the store', async () => {
    const id = 'two-hosts';
    const { input, run, otherHost, generationDir } = await interruptedFirstAttempt(id);
    const kept = await readFile(path.join(generationDir, 'conversations', `${input.sessionId}.jsonl`), 'utf8');
    assert.match(kept, /"type":"assistant"/, 'the store holds the conversation with its answer');
    const hostB = await otherHost('host-b');
    // Host B's attempt is interrupted too, after a turn of its own: then host A (attempt 3) has the older copy.
    const step2 = { bash: 'echo two > step2.txt' };
    fake.setScript(id, { turns: [bashThenDone.turns![0]!, step2, step2, finished, finished, finished], delayMs: 1000 });
    const seen = fake.requestsFor(id).length;
    const second = run(2, { host: hostB });
    await until('host B’s turn after the resumed one', () => {
      const since = requestsSince(id, seen);
      return since.length >= 2 && since.at(-1)!.assistantTurns > since[0]!.assistantTurns;
    });
    second.env.cancel();
    await assert.rejects(second.promise, (error: unknown) => error instanceof CancelledFailure);
    assertResumed(id, seen);
    assert.equal(await readFile(path.join(hostB.cwd, 'step2.txt'), 'utf8'), 'two\n', 'host B worked in its checkout');
    const bTurns = requestsSince(id, seen).at(-1)!.assistantTurns;

    fake.setScript(id, bashThenDone);
    const again = fake.requestsFor(id).length;
    const third = await run(3).promise;
    assert.equal(third.session?.mode, 'resumed');
    assert.equal(third.sessionId, input.sessionId);
    const back = requestsSince(id, again)[0]!;
    assert.ok(back.assistantTurns >= bTurns, `host A sees host B's turns (${back.assistantTurns} >= ${bTurns})`);
  });

  void it('starts afresh, saying why, when the recorded conversation is neither on this worker nor in the store', async () => {
    const id = 'lost';
    const { input, run, configDir, generationDir } = await interruptedFirstAttempt(id);
    await rm(path.join(configDir, 'projects'), { recursive: true, force: true });
    await rm(path.join(generationDir, 'conversations'), { recursive: true, force: true });
    const result = await run(2).promise;
    assert.equal(result.session?.mode, 'new');
    assert.equal(result.session?.previousSessionId, input.sessionId);
    assert.notEqual(result.sessionId, input.sessionId);
    assert.match(result.session?.notResumedBecause ?? '', /neither on this worker nor in /);
  });

  void it('returns the result a completed attempt kept instead of running the agent again (Temporal refused it)', async () => {
    const id = 'completed';
    const { run } = await setup(id, { turns: [{ text: 'Paid once.' }] });
    const done = await run(1).promise;
    const asked = fake.requestsFor(id).length;
    const again = await run(2).promise;
    assert.deepEqual(again, { ...done, attempt: 2 });
    assert.equal(fake.requestsFor(id).length, asked, 'the model was not asked again');
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
