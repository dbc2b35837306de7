// runAgent with the real claude binary, talking to the scripted FakeModel: offline, no API key.
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createActivities } from '../../src/activities/index.js';
import { buildPrompt } from '../../src/activities/prompt.js';
import type { AgentHeartbeat, RunAgentInput, RunAgentResult } from '../../src/contract/agent.js';
import { effectiveTask, TaskSchema } from '../../src/plan/schema.js';
import { expectedOutputsOf, FakeModel, taskKeyOf, type TaskScript } from '../../src/rehearsal/fake-model.js';
import type { AgentFailureDetails } from '../../src/contract/failures.js';
import { CLAUDE_BIN, claudeEnv } from '../helpers/claude-env.js';
import { testPolicy } from '../helpers/policy.js';
import { failureOf } from '../helpers/failures.js';
import { forAllTests, tempFolderForAllTests } from '../helpers/for-all-tests.js';
import { processesOf, processesWith } from '../helpers/processes.js';

const root = tempFolderForAllTests('baton-run-agent-claude-');
const fake = forAllTests(
  () => FakeModel.start({ costPerRequestUsd: 0.01 }),
  (model) => model.stop(),
);

const cwdOf = (id: string): string => path.join(root, id, 'cwd');

interface Run {
  env: MockActivityEnvironment;
  heartbeats: AgentHeartbeat[];
  promise: Promise<RunAgentResult>;
}

/** A task with its own cwd and CLAUDE_CONFIG_DIR, scripted in the fake under its id (null: rehearsal). */
async function setup(id: string, script: TaskScript | null, task: Record<string, unknown> = {}) {
  if (script) fake.setScript(id, script);
  const cwd = cwdOf(id);
  const configDir = path.join(root, id, 'config');
  await mkdir(cwd, { recursive: true });
  await mkdir(configDir, { recursive: true });
  const input: RunAgentInput = {
    runId: 'baton-claude-test',
    goal: `Test run ${id}`,
    task: effectiveTask({}, TaskSchema.parse({ id, prompt: 'Do the scripted thing.', ...task })),
    generation: 1,
    cwd,
    dependencies: [],
    guidance: [],
    sessionId: crypto.randomUUID(),
  };
  const { runAgent } = createActivities({
    artifactsDir: path.join(root, 'artifacts'),
    policy: testPolicy({ allowBypassPermissions: true }),
    claudeBin: CLAUDE_BIN,
    env: claudeEnv(fake, configDir),
    killGraceMs: 500,
    // Heartbeats from 0.1 s into the attempt (none before), then every 0.1 s: a quick attempt has some too.
    heartbeatMs: 100,
  });
  const run = (attempt = 1): Run => {
    const env = new MockActivityEnvironment({ attempt }, { logger: new DefaultLogger('ERROR') });
    const heartbeats: AgentHeartbeat[] = [];
    env.on('heartbeat', (details: AgentHeartbeat) => heartbeats.push(details));
    return { env, heartbeats, promise: env.run(runAgent, input) };
  };
  return { input, cwd, run };
}

void describe('runAgent with the real claude binary', () => {
  void it("writes the prompt the fake model reads: the task key and the '## Expected outputs' paths", () => {
    const task = effectiveTask(
      {},
      TaskSchema.parse({ id: 'contract', prompt: 'P', expectedOutputs: ['/abs/a.md', '/abs/dir/b.txt'] }),
    );
    const prompt = buildPrompt({
      runId: 'r',
      goal: 'G',
      task,
      generation: 1,
      cwd: '/abs',
      dependencies: [{ id: 'dep', title: 'Dep', state: 'succeeded', summary: '- not an output', artifactPath: '/x' }],
      guidance: ['- also not an output'],
      sessionId: 's',
    });
    assert.equal(taskKeyOf(prompt), 'contract');
    assert.deepEqual(expectedOutputsOf(prompt), ['/abs/a.md', '/abs/dir/b.txt']);
  });

  void it('succeeds when claude writes the expected file through a Write tool call, with session id and cost', async () => {
    const target = path.join(cwdOf('writer'), 'out', 'hello.md');
    const script = { turns: [{ write: { path: target, content: 'hello from claude\n' } }, { text: 'Wrote it.' }] };
    const { input, run } = await setup('writer', script, { expectedOutputs: [target] });
    const { promise, heartbeats } = run();
    const result = await promise;
    assert.equal(await readFile(target, 'utf8'), 'hello from claude\n');
    assert.equal(result.sessionId, input.sessionId);
    assert.equal(result.text, 'Wrote it.');
    assert.equal(result.numTurns, 2);
    assert.ok(Math.abs(result.costUsd - 0.02) < 1e-6, `cost ${result.costUsd}`);
    assert.ok(result.usage.inputTokens > 0);
    assert.equal(await readFile(result.artifactPath, 'utf8'), 'Wrote it.');
    const transcript = await readFile(result.transcriptPath, 'utf8');
    assert.match(transcript, /"name":"Write"/);
    assert.match(transcript, /"type":"result"/);
    assert.equal(heartbeats[0]?.sessionId, input.sessionId);
  });

  void it('runs unscripted tasks in rehearsal: the fake creates the expected outputs the prompt lists', async () => {
    const output = path.join(cwdOf('rehearsed'), 'docs', 'plan.md');
    const { run } = await setup('rehearsed', null, { expectedOutputs: [output] });
    const result = await run().promise;
    assert.ok(result.numTurns >= 2);
    await readFile(output, 'utf8');
  });

  void it('fails with AgentRateLimited (retryable) on a 429, and the next attempt succeeds in a fresh session', async () => {
    const { input, run } = await setup('limited', { failFirst: [{ status: 429 }], turns: [{ text: 'Fine now.' }] });
    const error = await failureOf(run(1).promise, 'AgentRateLimited');
    assert.equal(error.nonRetryable, false);
    assert.match(error.message, /answered 429 Too Many Requests/);
    const details = error.details?.[0] as AgentFailureDetails;
    assert.equal(details.apiErrorStatus, 429);
    assert.equal(details.sessionId, input.sessionId);

    // claude refuses `--session-id` of a session it already started ("already in use"): attempt 2 must not reuse it.
    const result = await run(2).promise;
    assert.equal(result.text, 'Fine now.');
    assert.equal(result.attempt, 2);
    assert.notEqual(result.sessionId, input.sessionId);
  });

  void it('fails with AgentBadRequest (not retryable) on a 400, quoting the API message', async () => {
    const { run } = await setup('bad-request', { failFirst: [{ status: 400, message: 'max_tokens: too large' }] });
    const error = await failureOf(run().promise, 'AgentBadRequest');
    assert.equal(error.nonRetryable, true);
    assert.equal(error.message, 'the model API answered 400 Bad Request: max_tokens: too large; retrying cannot help');
  });

  void it('fails with AgentBadArguments (not retryable) for an agent neither the plan nor claude defines', async () => {
    const { run } = await setup('no-agent', null, { agent: 'no-such-agent' });
    const error = await failureOf(run().promise, 'AgentBadArguments');
    assert.equal(error.nonRetryable, true);
    assert.match(error.message, /--agent 'no-such-agent' not found/);
  });

  void it('runs bypassPermissions as root (IS_SANDBOX=1 is set for it)', async () => {
    const { cwd, run } = await setup('bypass', null, { permissionMode: 'bypassPermissions' });
    fake.setScript('bypass', { turns: [{ bash: 'echo ran > bypass.txt' }, { text: 'Ran.' }] });
    const result = await run().promise;
    assert.equal(result.text, 'Ran.');
    assert.equal(await readFile(path.join(cwd, 'bypass.txt'), 'utf8'), 'ran\n');
  });

  void it('on cancellation mid-run leaves no claude process behind and rethrows the cancellation', async () => {
    const { run } = await setup('stuck', { hang: true });
    // claude runs in the task's folder with its own CLAUDE_CONFIG_DIR, both under this folder: /proc finds it.
    const marker = path.join(root, 'stuck');
    const { env, promise } = run();
    const deadline = Date.now() + 15_000;
    while (fake.requestsFor('stuck').length === 0) {
      assert.ok(Date.now() < deadline, 'claude never called the model');
      await sleep(50);
    }
    assert.notDeepEqual(await processesOf(marker), [], 'claude runs while the model hangs');
    env.cancel();
    await assert.rejects(promise, (error: unknown) => error instanceof CancelledFailure);
    assert.deepEqual(await processesOf(marker), []);
  });

  void it("stops claude and its Bash command at the task's timeout with AgentTimedOut", async () => {
    const seconds = `800.${process.pid}`;
    const { run } = await setup('timeout', { turns: [{ bash: `sleep ${seconds}` }] }, { timeout: '3s' });
    const error = await failureOf(run().promise, 'AgentTimedOut');
    assert.equal(error.nonRetryable, false);
    // On SIGINT claude exits 0, sometimes after a result line `error_during_execution`, sometimes without one.
    assert.deepEqual(await processesOf(path.join(root, 'timeout')), []);
    assert.deepEqual(await processesWith(seconds), []);
  });

  for (const usePidNamespace of [true, false]) {
    const how = usePidNamespace ? 'PID namespace' : '/proc walk';
    void it(`on cancellation kills a command claude's Bash tool is running (${how})`, async () => {
      const id = `bash-${usePidNamespace ? 'ns' : 'proc'}`;
      // A unique sleep length marks the command in /proc.
      const seconds = `900.${process.pid}${usePidNamespace ? 1 : 2}`;
      const { input } = await setup(id, { turns: [{ bash: `sleep ${seconds}` }, { text: 'Slept.' }] });
      const { runAgent } = createActivities({
        artifactsDir: path.join(root, 'artifacts'),
        policy: testPolicy(),
        claudeBin: CLAUDE_BIN,
        env: claudeEnv(fake, path.join(root, id, 'config')),
        usePidNamespace,
        killGraceMs: 500,
      });
      const env = new MockActivityEnvironment({ attempt: 1 }, { logger: new DefaultLogger('ERROR') });
      const promise = env.run(runAgent, input);
      const deadline = Date.now() + 15_000;
      while ((await processesWith(`sleep ${seconds}`)).length === 0) {
        assert.ok(Date.now() < deadline, 'the Bash tool never ran the command');
        await sleep(50);
      }
      env.cancel();
      await assert.rejects(promise, (error: unknown) => error instanceof CancelledFailure);
      assert.deepEqual(await processesWith(seconds), []);
      assert.deepEqual(await processesOf(path.join(root, id)), []);
    });
  }
});
