// runPlanner against real fixture processes (test/fixtures/bin): the planner runs claude through the same attempt
// runner as runAgent, with a command line of its own (plan mode, --json-schema) and its answer in the result line.
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { ActivityDeps } from '../../src/activities/index.js';
import { runPlanner, type PlannerHeartbeat } from '../../src/activities/plan-goal.js';
import type { PlanGoalInput } from '../../src/contract/planner.js';
import { testPolicy } from '../helpers/policy.js';
import { failureOf } from '../helpers/failures.js';
import { tempFolderForAllTests } from '../helpers/for-all-tests.js';
import { pidsWith } from '../helpers/processes.js';

// Compiled, this file is dist/test/activity/…: the fixtures stay in the source tree.
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/bin/', import.meta.url));

const root = tempFolderForAllTests('baton-plan-goal-');
const cwd = path.join(root, 'project');
before(() => mkdir(cwd));

function deps(bin: string, env: Record<string, string> = {}): ActivityDeps {
  return {
    artifactsDir: path.join(root, 'artifacts'),
    policy: testPolicy(),
    claudeBin: path.join(FIXTURES, bin),
    env,
    heartbeatMs: 100,
    killGraceMs: 200,
  };
}

function input(overrides: Partial<PlanGoalInput> = {}): PlanGoalInput {
  return { runId: 'baton-goal-1a2b', goal: 'Greet the world', cwd, feedback: [], round: 1, ...overrides };
}

const PLAN = { version: 1, name: 'greeting', tasks: [{ id: 'write', title: 'Write it', prompt: 'Write hello.' }] };

void describe('runPlanner with fixture processes', () => {
  void it('asks in plan mode with --json-schema and no turn limit, and checks the structured_output it gets', async () => {
    const record = path.join(root, 'record-plan.json');
    const heartbeats: PlannerHeartbeat[] = [];
    const { result, raw } = await runPlanner(
      deps('fake-claude-ok', { FAKE_CLAUDE_RECORD: record, FAKE_STRUCTURED_OUTPUT: JSON.stringify(PLAN) }),
      input({ model: 'opus' }),
      { attempt: 1, heartbeat: (beat) => heartbeats.push(beat) },
    );
    assert.deepEqual(raw, PLAN);
    assert.ok(result.ok, `the plan was refused: ${JSON.stringify(result)}`);
    assert.equal(result.plan.tasks[0]?.id, 'write');
    assert.equal(result.costUsd, 0.0123);
    assert.deepEqual(JSON.parse(await readFile(result.rawPath ?? '', 'utf8')), PLAN);

    const seen = JSON.parse(await readFile(record, 'utf8')) as { argv: string[]; env: Record<string, string> };
    const after = (flag: string): string | undefined => seen.argv[seen.argv.indexOf(flag) + 1];
    assert.equal(seen.argv[0], '-p');
    assert.match(seen.argv[1] ?? '', /^# Task: planner\n/);
    assert.equal(after('--permission-mode'), 'plan');
    assert.equal(after('--model'), 'opus');
    assert.equal(after('--output-format'), 'stream-json');
    const schema = JSON.parse(after('--json-schema') ?? '') as Record<string, unknown>;
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.ok(!seen.argv.includes('--max-turns'));
    assert.deepEqual(seen.argv.slice(-2), ['--session-id', result.sessionId]);
    assert.equal(seen.env.CLAUDE_CODE_MAX_RETRIES, '0', 'the same agent environment as runAgent');
    assert.ok(heartbeats.length >= 1);
    assert.equal(heartbeats[0]?.transcriptPath, result.transcriptPath);
  });

  void it('an answer without structured_output goes back to the planner as a problem, quoting what it said', async () => {
    const { result, raw } = await runPlanner(deps('fake-claude-ok'), input({ round: 2 }), { attempt: 1 });
    assert.equal(raw, undefined);
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : (result.issues[0] ?? ''), /^no plan was given: .*"All done: wrote the thing\."/);
  });

  void it('fails with AgentBadArguments when the project folder does not exist, without starting claude', async () => {
    const record = path.join(root, 'record-nowhere.json');
    const error = await failureOf(
      runPlanner(deps('fake-claude-ok', { FAKE_CLAUDE_RECORD: record }), input({ cwd: path.join(root, 'nowhere') }), {
        attempt: 1,
      }),
      'AgentBadArguments',
      'the planner',
    );
    assert.match(error.message, /^planner: the project folder .*nowhere does not exist/);
    await assert.rejects(readFile(record), { code: 'ENOENT' });
  });

  void it('stops at its time limit with AgentTimedOut (retryable), killing the tree', async () => {
    const token = `baton-planner-timeout-${process.pid}-${Date.now()}`;
    const error = await failureOf(
      runPlanner(deps('fake-claude-hang', { FAKE_HANG_TOKEN: token }), input({ round: 3, timeoutMs: 1000 }), {
        attempt: 1,
      }),
      'AgentTimedOut',
      'the planner',
    );
    assert.equal(error.nonRetryable, false);
    assert.match(error.message, /^planner: the planner ran past its time limit/);
    assert.deepEqual(await pidsWith(token), []);
  });

  void it('on its signal (baton plan interrupted) kills the tree and rethrows the reason', async () => {
    const token = `baton-planner-cancel-${process.pid}-${Date.now()}`;
    const controller = new AbortController();
    const heartbeats: PlannerHeartbeat[] = [];
    const planning = runPlanner(deps('fake-claude-hang', { FAKE_HANG_TOKEN: token }), input({ round: 4 }), {
      attempt: 1,
      heartbeat: (beat) => heartbeats.push(beat),
      signal: controller.signal,
    });
    for (let waited = 0; !heartbeats.some((beat) => beat.lastTool === 'Bash'); waited += 50) {
      if (waited > 10_000) assert.fail('no heartbeat showed the Bash tool');
      await sleep(50);
    }
    const reason = new Error('interrupted');
    controller.abort(reason);
    await assert.rejects(planning, (error: unknown) => error === reason);
    assert.deepEqual(await pidsWith(token), []);
  });
});
