// A task's `verify` and `verifyRounds` (DESIGN.md §11) as the plan checks them — in a file (file:line:column), in
// a workflow's input (InvalidPlan), in the JSON Schema — and what the worker's policy, the scheduler and the status
// make of them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { errorKindOf } from '../../src/contract/failures.js';
import { planRefusal, workerPolicy } from '../../src/config/policy.js';
import { PlanError } from '../../src/plan/errors.js';
import { planJsonSchema } from '../../src/plan/json-schema.js';
import { parsePlanText, validatePlanObject } from '../../src/plan/load.js';
import { PlanSchema, VERIFY_LIMITS } from '../../src/plan/schema.js';
import { policyRefusal } from '../../src/policy/worker-policy.js';
import { checkInput } from '../../src/workflows/input-check.js';
import { Scheduler } from '../../src/workflows/scheduler/index.js';

const NOW = '2025-01-01T00:00:00.000Z';

function problemsOf(text: string): string[] {
  try {
    parsePlanText(text, 'v.yaml', 'yaml');
  } catch (error) {
    assert.ok(error instanceof PlanError, String(error));
    return error.issues.map((issue) => `${issue.line}:${issue.column} ${issue.path}: ${issue.message}`);
  }
  return assert.fail('the plan was accepted');
}

const plan = (task: Record<string, unknown>) => ({ version: 1, name: 'p', tasks: [{ id: 'a', prompt: 'x', ...task }] });

void test('verify takes argv lists and verifyRounds a count; both stay absent when not given', () => {
  const parsed = parsePlanText(
    [
      'version: 1',
      'name: p',
      'tasks:',
      '  - id: a',
      '    prompt: x',
      '    verify:',
      '      - [npm, test, --, test/login.test.js]',
      '      - [node, -e, "process.exit(0)"]',
      '    verifyRounds: 0',
      '  - id: b',
      '    prompt: y',
    ].join('\n'),
    'v.yaml',
    'yaml',
  );
  assert.deepEqual(parsed.tasks[0]?.verify, [
    ['npm', 'test', '--', 'test/login.test.js'],
    ['node', '-e', 'process.exit(0)'],
  ]);
  assert.equal(parsed.tasks[0]?.verifyRounds, 0);
  assert.equal('verify' in parsed.tasks[1]!, false);
  assert.equal('verifyRounds' in parsed.tasks[1]!, false);
});

void test('a verify written as a shell line, an empty command, an empty program and bad rounds are named with their place', () => {
  const problems = problemsOf(
    [
      'version: 1',
      'name: p',
      'tasks:',
      '  - id: a',
      '    prompt: x',
      '    verify:',
      '      - npm test && rm -rf /',
      '      - []',
      '      - ["", x]',
      '    verifyRounds: 11',
      '  - id: b',
      '    prompt: y',
      '    verify: npm test',
      '    verifyround: 1',
    ].join('\n'),
  );
  assert.deepEqual(problems, [
    '7:9 tasks[0].verify[0]: expected a list, found "npm test && rm -rf /" (write [npm test && rm -rf /] for a list of one)',
    '8:9 tasks[0].verify[1]: must name a program: a command is a list such as [npm, test]',
    '9:9 tasks[0].verify[2]: must start with a program, not an empty string (found a list)',
    '10:19 tasks[0].verifyRounds: must be at most 10 (found the number 11)',
    '13:13 tasks[1].verify: expected a list, found "npm test" (write [npm test] for a list of one)',
    '14:5 tasks[1].verifyround: unknown key "verifyround" (did you mean "verifyRounds"?)',
  ]);
});

void test('verify is bounded: commands, arguments, their length, NUL characters', () => {
  const many = Array.from({ length: VERIFY_LIMITS.commands + 1 }, () => ['true']);
  const long = ['node', ...Array.from({ length: VERIFY_LIMITS.args }, () => 'x')];
  const result = validatePlanObject(
    plan({ verify: [...many.slice(0, 1), long, ['echo', 'x'.repeat(VERIFY_LIMITS.argChars + 1)], ['a\u0000b']] }),
  );
  assert.equal(result.ok, false);
  const paths = !result.ok ? result.issues.map((issue) => `${issue.path}: ${issue.message.split(' (')[0]}`) : [];
  assert.deepEqual(paths, [
    `tasks[0].verify[1]: must have at most ${VERIFY_LIMITS.args} items`,
    `tasks[0].verify[2][1]: must have at most ${VERIFY_LIMITS.argChars} characters`,
    'tasks[0].verify[3][0]: must not hold a NUL character',
  ]);
  const tooMany = validatePlanObject(plan({ verify: many }));
  assert.equal(tooMany.ok, false);
  assert.match(JSON.stringify(tooMany), /tasks\[0\]\.verify.*must have at most 16 items/);
});

void test('a task with a sub-plan has no agent to verify: verify belongs on its sub-plan tasks', () => {
  const result = validatePlanObject(
    plan({ prompt: undefined, plan: { tasks: [{ id: 'b', prompt: 'y' }] }, verify: [['true']] }),
  );
  assert.equal(result.ok, false);
  assert.match(
    JSON.stringify(result),
    /tasks\[0\]\.verify.*has no agent of its own: put verify on the tasks of its sub-plan/,
  );
});

void test('the workflow refuses a bad verify in its input as an InvalidPlan, whoever started it', () => {
  const failure = (() => {
    try {
      checkInput({ plan: plan({ verify: ['npm test'] }) }, 'baton-p-1', NOW);
    } catch (err) {
      return err;
    }
    return undefined;
  })();
  assert.ok(failure instanceof ApplicationFailure, String(failure));
  assert.equal(failure.type, 'InvalidPlan');
  assert.match(failure.message, /plan\.tasks\[0\]\.verify\[0\]: expected a list/);
  assert.ok(checkInput({ plan: plan({ verify: [['npm', 'test']], verifyRounds: 3 }) }, 'baton-p-2', NOW).plan);
});

void test('the JSON Schema of the plan describes verify as a list of argv lists and bounds verifyRounds', () => {
  interface Property {
    description?: string;
    type?: string;
    maxItems?: number;
    minimum?: number;
    maximum?: number;
    items?: Property & { minItems?: number };
  }
  const schema = planJsonSchema() as { definitions: { task: { properties: Record<string, Property> } } };
  const { verify, verifyRounds } = schema.definitions.task.properties;
  assert.equal(verify?.type, 'array');
  assert.equal(verify?.maxItems, VERIFY_LIMITS.commands);
  assert.equal(verify?.items?.type, 'array');
  assert.equal(verify?.items?.minItems, 1);
  assert.equal(verify?.items?.items?.type, 'string');
  assert.match(verify?.description ?? '', /without a shell/);
  assert.equal(verifyRounds?.minimum, 0);
  assert.equal(verifyRounds?.maximum, VERIFY_LIMITS.rounds);
});

void test('a worker with --no-commands refuses a task with verify, naming the flag; others are left alone', () => {
  const settings = { allowBypassPermissions: false, workspaceRoots: undefined, agentEnv: [] };
  const strict = workerPolicy(settings, { defaultRoots: ['/'], noCommands: true });
  const open = workerPolicy(settings, { defaultRoots: ['/'] });
  const byEnv = workerPolicy({ ...settings, noCommands: true }, { defaultRoots: ['/'] });
  const request = { what: 'task a', permissionMode: 'acceptEdits' as const, workspace: '/tmp', commands: 1 };
  const refusal = policyRefusal(strict, request);
  assert.match(refusal ?? '', /task a has verify commands.*--no-commands \(or BATON_NO_COMMANDS=1\)/);
  assert.equal(policyRefusal(byEnv, request), refusal);
  assert.equal(policyRefusal(open, request), undefined);
  assert.equal(policyRefusal(strict, { ...request, commands: 0 }), undefined);
  const withVerify = PlanSchema.parse(plan({ verify: [['true']] }));
  assert.match(planRefusal(strict, withVerify) ?? '', /--no-commands/);
  assert.equal(planRefusal(strict, PlanSchema.parse(plan({}))), undefined);
});

void test('errorKind names the kind of every failure type; null without one', () => {
  assert.equal(errorKindOf(null), null);
  assert.equal(errorKindOf('VerificationFailed'), 'verification');
  assert.equal(errorKindOf('AgentTimedOut'), 'timeout');
  assert.equal(errorKindOf('PolicyRefused'), 'policy');
  assert.equal(errorKindOf('ExpectedOutputsMissing'), 'outputs');
  assert.equal(errorKindOf('AgentRateLimited'), 'agent');
  assert.equal(errorKindOf('Cancelled'), 'cancelled');
  assert.equal(errorKindOf('WorkspaceGitFailed'), 'workspace');
  assert.equal(errorKindOf('SubPlanFailed'), 'sub-plan');
});

void test('the scheduler shows verifying, a fix round as running, counts what goes back, keeps the last round', () => {
  const sched = Scheduler.fresh(PlanSchema.parse(plan({ verify: [['true']] })), NOW);
  sched.markRunning('a', NOW);
  sched.verifying('a', { step: 'start' });
  assert.equal(sched.view(sched.record('a')).state, 'verifying');
  assert.equal(sched.view(sched.record('a')).attempts, 1, 'the answer being checked is an attempt');
  assert.throws(() => sched.checkSkip('a'), /verifying/);
  sched.checkCancelTask('a'); // a person may stop verify commands as they stop an agent
  const first = { passed: false, rounds: 1, outputPath: '/o/verify-0.log' };
  sched.verifying('a', { step: 'fix', spent: { attempts: 1, costUsd: 0.5 }, verification: first });
  let view = sched.view(sched.record('a'));
  assert.equal(view.state, 'running');
  // The answer that went back counts at once; the fix in progress is the attempt after it.
  assert.equal(view.attempts, 2);
  assert.equal(view.costUsd, 0.5);
  assert.equal(sched.status('r', NOW, 1).costUsd, 0.5);
  assert.deepEqual(view.verification, first);
  sched.verifying('a', { step: 'start' });
  sched.verifying('a', { step: 'round', verification: { passed: false, rounds: 2, outputPath: '/o/verify-1.log' } });
  assert.equal(sched.view(sched.record('a')).state, 'verifying');
  sched.failed('a', { type: 'VerificationFailed', message: 'verification failed: …', attempts: 1, costUsd: 0.25 }, NOW);
  view = sched.view(sched.record('a'));
  assert.equal(view.state, 'failed');
  assert.equal(view.errorKind, 'verification');
  assert.equal(view.attempts, 2);
  assert.equal(view.costUsd, 0.75);
  assert.deepEqual(view.verification, { passed: false, rounds: 2, outputPath: '/o/verify-1.log' });
  // A person's retry starts a new run of the task: its verification starts over.
  sched.retry('a', undefined, undefined);
  sched.markRunning('a', NOW);
  assert.equal(sched.view(sched.record('a')).verification, null);
  assert.equal(sched.view(sched.record('a')).errorKind, null);
});
