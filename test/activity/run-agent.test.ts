// runAgent against real fixture processes (test/fixtures/bin), in Temporal's MockActivityEnvironment.
import assert from 'node:assert/strict';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../src/activities/index.js';
import { detectPidNamespace } from '../../src/activities/pid-namespace.js';
import type { AgentHeartbeat, RunAgentInput } from '../../src/contract/agent.js';
import { effectiveTask, TaskSchema } from '../../src/plan/schema.js';
import type { AgentFailureDetails } from '../../src/contract/failures.js';
import { testPolicy } from '../helpers/policy.js';
import { failureOf } from '../helpers/failures.js';
import { tempFolderForAllTests } from '../helpers/for-all-tests.js';
import { pidsWith } from '../helpers/processes.js';

// Compiled, this file is dist/test/activity/…: the fixtures stay in the source tree.
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/bin/', import.meta.url));
const fixture = (name: string): string => path.join(FIXTURES, name);
const SESSION_ID = '11111111-2222-4333-8444-555555555555';

const root = tempFolderForAllTests('baton-run-agent-');
const cwd = path.join(root, 'work');
const artifactsDir = path.join(root, 'artifacts');
before(() => mkdir(cwd));

let runs = 0;
/** A task of a run of its own: an attempt that completed leaves its answer for the attempts of its generation. */
function makeInput(task: Record<string, unknown> = {}, overrides: Partial<RunAgentInput> = {}): RunAgentInput {
  return {
    runId: `baton-demo-${++runs}`,
    goal: 'Prove runAgent works',
    task: effectiveTask({}, TaskSchema.parse({ id: 'login', prompt: 'Do the thing', ...task })),
    generation: 1,
    cwd,
    dependencies: [],
    guidance: [],
    sessionId: SESSION_ID,
    ...overrides,
  };
}

interface Run {
  env: MockActivityEnvironment;
  heartbeats: AgentHeartbeat[];
  promise: ReturnType<ReturnType<typeof createActivities>['runAgent']>;
}

function start(bin: string, input: RunAgentInput, deps: Partial<ActivityDeps> = {}, attempt = 1): Run {
  const env = new MockActivityEnvironment({ attempt }, { logger: new DefaultLogger('ERROR') });
  const heartbeats: AgentHeartbeat[] = [];
  env.on('heartbeat', (details: AgentHeartbeat) => heartbeats.push(details));
  const { runAgent } = createActivities({
    artifactsDir,
    claudeBin: fixture(bin),
    heartbeatMs: 100,
    policy: testPolicy({ allowBypassPermissions: true }),
    ...deps,
  });
  return { env, heartbeats, promise: env.run(runAgent, input) };
}

async function recorded(file: string): Promise<{ argv: string[]; cwd: string; env: Record<string, string> }> {
  return JSON.parse(await readFile(file, 'utf8')) as { argv: string[]; cwd: string; env: Record<string, string> };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

void describe('runAgent with fixture processes', () => {
  void it('returns the result line fields, writes the transcript and result.md, and heartbeats', async () => {
    const run = start('fake-claude-ok', makeInput({}, { runId: 'baton-demo-1a2b' }));
    const result = await run.promise;
    const dir = path.join(artifactsDir, 'baton-demo-1a2b', 'login', 'g1');
    assert.deepEqual(result, {
      text: 'All done: wrote the thing.',
      truncated: false,
      sessionId: SESSION_ID,
      costUsd: 0.0123,
      usage: { inputTokens: 100, outputTokens: 20, cacheReadInputTokens: 5, cacheCreationInputTokens: 7 },
      numTurns: 2,
      durationMs: 1234,
      artifactPath: path.join(dir, 'result.md'),
      transcriptPath: path.join(dir, 'attempt-1.jsonl'),
      attempt: 1,
      permissionDenials: 1,
      session: { mode: 'new', sessionId: SESSION_ID },
    });
    assert.equal(await readFile(result.artifactPath, 'utf8'), 'All done: wrote the thing.');
    const transcript = await readFile(result.transcriptPath, 'utf8');
    assert.match(transcript, /^\{"type":"system","subtype":"init"/);
    assert.match(transcript, /this line is not JSON/, 'the transcript keeps the stream as it came');
    assert.match(transcript, /"type":"result"/);
    assert.match(await readFile(path.join(dir, 'prompt.md'), 'utf8'), /^# Task: login\n/);
    assert.ok(run.heartbeats.length >= 1);
    // The first heartbeat comes a beat (0.1 s) into the attempt: before or after the fixture's stream, by the machine.
    const { turns, lastTool, costUsd, ...first } = run.heartbeats[0]!;
    assert.deepEqual(first, {
      sessionId: SESSION_ID,
      transcriptPath: result.transcriptPath,
      session: { mode: 'new', sessionId: SESSION_ID },
    });
    // What the stream said so far, whatever part of it that was.
    assert.ok(turns >= 0 && turns <= 2, `turns ${turns}`);
    assert.ok([undefined, 'Read'].includes(lastTool), `lastTool ${lastTool}`);
    assert.ok([0, 0.0123].includes(costUsd), `costUsd ${costUsd}`);
  });

  void it('starts claude with stream-json input (the prompt on stdin), the right flags, cwd and environment', async () => {
    const record = path.join(root, 'record-env.json');
    const input = makeInput({ permissionMode: 'bypassPermissions', allowedTools: ['Read', 'Grep'] });
    await start('fake-claude-ok', input, {
      env: { FAKE_CLAUDE_RECORD: record, BATON_TEST_MARK: 'yes', CLAUDE_CODE_MAX_RETRIES: '5' },
    }).promise;
    const seen = await recorded(record);
    // The prompt is the first user message on claude's stdin, held open for a person's guidance (live-input.ts).
    assert.deepEqual(seen.argv.slice(0, 4), ['-p', '--input-format', 'stream-json', '--replay-user-messages']);
    assert.ok(!seen.argv.some((arg) => arg.includes('# Task: login')), 'the prompt is not in argv');
    assert.ok(seen.argv.includes('--allowedTools=Read,Grep'));
    assert.deepEqual(seen.argv.slice(-2), ['--session-id', SESSION_ID]);
    assert.equal(seen.cwd, cwd);
    assert.equal(seen.env.BATON_TEST_MARK, 'yes', 'deps.env is passed');
    assert.equal(seen.env.PATH, process.env.PATH, "the worker's environment is inherited");
    assert.equal(seen.env.CLAUDE_CODE_MAX_RETRIES, '0', 'Temporal owns retries, whatever deps.env says');
    assert.equal(seen.env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC, '1');
    assert.equal(seen.env.DISABLE_AUTOUPDATER, '1');
    if (process.getuid?.() === 0) assert.equal(seen.env.IS_SANDBOX, '1');
  });

  void it('a later attempt with no conversation to continue starts the workflow’s id while no file carries it, else a fresh one', async () => {
    const configDir = path.join(root, 'claude-config-later');
    const record = path.join(root, 'record-attempt.json');
    const env = { FAKE_CLAUDE_RECORD: record, CLAUDE_CONFIG_DIR: configDir };
    const sessionOf = async () => {
      const seen = await recorded(record);
      return seen.argv[seen.argv.indexOf('--session-id') + 1];
    };
    const first = await start('fake-claude-ok', makeInput(), { env }, 3).promise;
    assert.equal(await sessionOf(), SESSION_ID);
    assert.equal(first.attempt, 3);
    assert.match(first.transcriptPath, /g1\/attempt-3\.jsonl$/);
    assert.equal(first.session?.notResumedBecause, 'no earlier attempt recorded a Claude conversation');

    // claude refuses `--session-id` of a conversation it has ("already in use"), even one without an answer.
    const folder = path.join(configDir, 'projects', 'elsewhere');
    await mkdir(folder, { recursive: true });
    await writeFile(
      path.join(folder, `${SESSION_ID}.jsonl`),
      '{"type":"user","message":{"role":"user","content":"hi"}}\n',
    );
    const second = await start('fake-claude-ok', makeInput(), { env }, 2).promise;
    const fresh = await sessionOf();
    assert.match(fresh ?? '', /^[0-9a-f-]{36}$/);
    assert.notEqual(fresh, SESSION_ID);
    assert.equal(second.sessionId, fresh);
    assert.match(second.session?.notResumedBecause ?? '', /holds no model answer/);
  });

  void it('bounds the returned text to 4,000 characters and keeps the full text in result.md', async () => {
    const long = 'x'.repeat(10_000);
    const input = makeInput({ id: 'long' });
    const result = await start('fake-claude-ok', input, { env: { FAKE_RESULT_TEXT: long } }).promise;
    assert.equal(result.text.length, 4000);
    assert.equal(result.truncated, true);
    assert.equal(await readFile(result.artifactPath, 'utf8'), long);
  });

  void it('fails with AgentCrashed (retryable) and the last stderr lines when claude exits without a result', async () => {
    const error = await failureOf(start('fake-claude-crash', makeInput({ id: 'crash' })).promise, 'AgentCrashed');
    assert.equal(error.nonRetryable, false);
    assert.match(error.message, /exited with code 1/);
    assert.match(error.message, /FATAL: something broke inside claude/);
    const details = error.details?.[0] as AgentFailureDetails;
    assert.equal(details.attempt, 1);
    assert.equal(details.sessionId, SESSION_ID);
    assert.match(await readFile(details.transcriptPath ?? '', 'utf8'), /"subtype":"init"/);
  });

  void it('fails with AgentRateLimited (retryable) on a 429 and AgentBadRequest (not retryable) on a 400', async () => {
    const limited = await failureOf(
      start('fake-claude-api-error', makeInput({ id: 'limited' }), { env: { FAKE_API_STATUS: '429' } }).promise,
      'AgentRateLimited',
    );
    assert.equal(limited.nonRetryable, false);
    assert.equal((limited.details?.[0] as AgentFailureDetails).apiErrorStatus, 429);

    const bad = await failureOf(
      start('fake-claude-api-error', makeInput({ id: 'bad' }), { env: { FAKE_API_STATUS: '400' } }).promise,
      'AgentBadRequest',
    );
    assert.equal(bad.nonRetryable, true);
    assert.equal(bad.message, 'the model API answered 400 Bad Request: fake message 400; retrying cannot help');
  });

  void it('fails with AgentBadArguments (not retryable) when claude rejects a flag', async () => {
    const error = await failureOf(start('fake-claude-bad-flag', makeInput()).promise, 'AgentBadArguments');
    assert.equal(error.nonRetryable, true);
    assert.match(error.message, /unknown option '--bogus'/);
  });

  void it('fails with AgentBadArguments when the working directory does not exist, without starting claude', async () => {
    const record = path.join(root, 'record-nocwd.json');
    const input = makeInput({}, { cwd: path.join(root, 'nowhere') });
    const error = await failureOf(
      start('fake-claude-ok', input, { env: { FAKE_CLAUDE_RECORD: record } }).promise,
      'AgentBadArguments',
    );
    assert.match(error.message, /nowhere does not exist/);
    await assert.rejects(readFile(record), { code: 'ENOENT' });
  });

  void it('fails with ClaudeNotFound (not retryable) naming the path and the fix when the binary is missing', async () => {
    for (const claudeBin of [path.join(root, 'no-such-claude'), 'baton-no-such-claude-on-path']) {
      const error = await failureOf(start('x', makeInput(), { claudeBin }).promise, 'ClaudeNotFound');
      assert.equal(error.nonRetryable, true);
      assert.match(error.message, new RegExp(`"${claudeBin}" was not found`));
      assert.match(error.message, /@anthropic-ai\/claude-code/);
      assert.match(error.message, /BATON_CLAUDE_BIN/);
    }
  });

  void it('fails with ClaudeNotFound when the binary is not executable', async () => {
    const claudeBin = path.join(root, 'not-executable-claude');
    await writeFile(claudeBin, '#!/bin/sh\n');
    await chmod(claudeBin, 0o644);
    const error = await failureOf(start('x', makeInput(), { claudeBin }).promise, 'ClaudeNotFound');
    assert.match(error.message, /is not executable/);
  });

  void it('fails with ExpectedOutputsMissing (retryable) listing the outputs the agent did not create', async () => {
    const present = path.join(cwd, 'present.txt');
    await writeFile(present, 'here');
    const missing = [path.join(cwd, 'missing-a.txt'), path.join(cwd, 'missing-b.txt')];
    const input = makeInput({ id: 'outputs', expectedOutputs: [present, ...missing] });
    const error = await failureOf(start('fake-claude-ok', input).promise, 'ExpectedOutputsMissing');
    assert.equal(error.nonRetryable, false);
    // Named first, relative to the task's folder, as the plan names them (the status table shows the start).
    assert.match(error.message, /^expected outputs missing: missing-a\.txt, missing-b\.txt \(/);
    assert.doesNotMatch(error.message, /present\.txt/);

    const ok = await start('fake-claude-ok', makeInput({ id: 'outputs', expectedOutputs: [present] })).promise;
    assert.equal(ok.sessionId, SESSION_ID);
    assert.equal(ok.missingOutputs, undefined);
  });

  void it('with reportMissingOutputs, names the missing outputs in its result instead (the workflow gives them back)', async () => {
    const present = path.join(cwd, 'present.txt');
    await writeFile(present, 'here');
    const missing = path.join(cwd, 'missing-c.txt');
    const input = makeInput({ id: 'outputs', expectedOutputs: [present, missing] }, { reportMissingOutputs: true });
    const result = await start('fake-claude-ok', input).promise;
    assert.deepEqual(result.missingOutputs, ['missing-c.txt']);
    assert.ok(result.artifactPath.endsWith('result.md'));
  });

  for (const usePidNamespace of [true, false]) {
    const how = usePidNamespace ? 'in a PID namespace' : 'by walking /proc';
    void it(`on cancellation kills claude and its setsid grandchild (${how}), then rethrows the cancellation`, async (t) => {
      if (usePidNamespace && !(await detectPidNamespace())) return t.skip('unshare cannot create a PID namespace here');
      const token = `baton-hang-${usePidNamespace ? 'ns' : 'proc'}-${process.pid}-${Date.now()}`;
      const run = start('fake-claude-hang', makeInput({ id: 'hang' }), {
        env: { FAKE_HANG_TOKEN: token },
        usePidNamespace,
        killGraceMs: 300,
      });
      const [grandchild] = await waitFor('the grandchild', async () => {
        const pids = await pidsWith(token);
        return pids.length > 0 ? pids : undefined;
      });
      await waitFor('a heartbeat showing the Bash tool', async () =>
        run.heartbeats.some((beat) => beat.lastTool === 'Bash') ? true : undefined,
      );
      run.env.cancel();
      await assert.rejects(run.promise, (error: unknown) => error instanceof CancelledFailure);
      assert.deepEqual(await pidsWith(token), [], `grandchild ${grandchild} survived`);
    });
  }

  void it("stops the attempt at the task's timeout with AgentTimedOut (retryable), killing the tree", async () => {
    const token = `baton-timeout-${process.pid}-${Date.now()}`;
    const input = makeInput({ id: 'slow', timeout: '1500ms' });
    const run = start('fake-claude-hang', input, { env: { FAKE_HANG_TOKEN: token }, killGraceMs: 200 });
    const error = await failureOf(run.promise, 'AgentTimedOut');
    assert.equal(error.nonRetryable, false);
    assert.match(error.message, /1500ms/);
    assert.deepEqual(await pidsWith(token), []);
  });

  void it('reports AgentTimedOut, not the error claude writes when interrupted by the timeout', async () => {
    const input = makeInput({ id: 'slow-result', timeout: '1s' });
    const run = start('fake-claude-hang', input, { env: { FAKE_RESULT_ON_SIGINT: '1' }, killGraceMs: 2000 });
    const error = await failureOf(run.promise, 'AgentTimedOut');
    const transcript = await readFile((error.details?.[0] as AgentFailureDetails).transcriptPath ?? '', 'utf8');
    assert.match(transcript, /"subtype":"error_during_execution"/);
  });
});

/** Parent pid and command line of a live process. */
async function processInfo(pid: number): Promise<{ ppid: number; cmdline: string[] }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
  return { ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]), cmdline };
}

void describe('agents start from the launcher process', () => {
  /** The launcher that started `pid`: its nearest ancestor running launcher/main.js, a child of this process. */
  async function launcherOf(pid: number): Promise<number | undefined> {
    for (let at = pid; at > 1;) {
      const info = await processInfo(at).catch(() => undefined);
      if (!info) return undefined;
      if (info.cmdline.some((arg) => arg.endsWith('launcher/main.js'))) {
        return info.ppid === process.pid ? at : undefined;
      }
      at = info.ppid;
    }
    return undefined;
  }

  void it("claude's parent is the launcher, a child of the worker — not the worker itself", async () => {
    const token = `baton-launcher-${process.pid}-${Date.now()}`;
    const run = start('fake-claude-hang', makeInput({ id: 'who-starts' }), {
      env: { FAKE_HANG_TOKEN: token },
      usePidNamespace: false,
      killGraceMs: 200,
    });
    const [grandchild] = await waitFor('the grandchild', async () => {
      const pids = await pidsWith(token);
      return pids.length > 0 ? pids : undefined;
    });
    const launcher = await launcherOf(grandchild!);
    assert.ok(launcher, 'the agent descends from a launcher, a child of this process');
    const children: number[] = [];
    for (const name of await readdir('/proc')) {
      if (/^\d+$/.test(name) && (await processInfo(Number(name)).catch(() => undefined))?.ppid === launcher) {
        children.push(Number(name));
      }
    }
    const claude = await Promise.all(children.map(async (pid) => (await processInfo(pid)).cmdline));
    assert.ok(
      claude.some((argv) => argv.some((arg) => arg.endsWith('fake-claude-hang'))),
      `the launcher's children run fake-claude-hang: ${JSON.stringify(claude)}`,
    );
    run.env.cancel();
    await assert.rejects(run.promise, (error: unknown) => error instanceof CancelledFailure);
    assert.deepEqual(await pidsWith(token), []);
  });

  void it('an attempt whose launcher dies fails as a retryable crash; the next attempt runs from a live launcher, the dead one replaced', async (t) => {
    if (!(await detectPidNamespace())) return t.skip('unshare cannot create a PID namespace here');
    const token = `baton-launcher-dies-${process.pid}-${Date.now()}`;
    const run = start('fake-claude-hang', makeInput({ id: 'orphaned' }), { env: { FAKE_HANG_TOKEN: token } });
    const [grandchild] = await waitFor('the grandchild', async () => {
      const pids = await pidsWith(token);
      return pids.length > 0 ? pids : undefined;
    });
    const launcher = await launcherOf(grandchild!);
    assert.ok(launcher, 'the agent descends from a launcher');
    process.kill(launcher, 'SIGKILL');
    const error = await failureOf(run.promise, 'AgentCrashed');
    assert.equal(error.nonRetryable, false);
    assert.match(error.message, /launcher process exited/);
    // Its agents die with it: the PID namespace's parent-death signal is tied to the launcher.
    await waitFor('the dead launcher’s agent tree to be gone', async () =>
      (await pidsWith(token)).length === 0 ? true : undefined,
    );
    const next = start('fake-claude-hang', makeInput({ id: 'after' }), { env: { FAKE_HANG_TOKEN: `${token}-after` } });
    const [after] = await waitFor('the next agent', async () => {
      const pids = await pidsWith(`${token}-after`);
      return pids.length > 0 ? pids : undefined;
    });
    const replacement = await launcherOf(after!);
    assert.ok(replacement !== undefined && replacement !== launcher, 'the next attempt runs from a live launcher');
    const launchers: number[] = [];
    for (const name of await readdir('/proc')) {
      const info = /^\d+$/.test(name) ? await processInfo(Number(name)).catch(() => undefined) : undefined;
      if (info?.ppid === process.pid && info.cmdline.some((arg) => arg.endsWith('launcher/main.js'))) {
        launchers.push(Number(name));
      }
    }
    assert.equal(launchers.length, 2, `the pool is whole again: ${launchers.join(', ')}`);
    assert.ok(!launchers.includes(launcher), 'without the dead one');
    next.env.cancel();
    await assert.rejects(next.promise, (error: unknown) => error instanceof CancelledFailure);
  });
});
