// The plan-level `verify` (DESIGN.md §11) as the plan checks it (worktree isolation only, the same bounds as a
// task's, in the workflow's input too, in the JSON Schema), what a worker with --no-commands makes of it, and what
// the scheduler does with a merge it failed on: verification-failed, dependents held, and approve, retry, skip.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { planRefusal, workerPolicy } from '../../src/config/policy.js';
import { planJsonSchema } from '../../src/plan/json-schema.js';
import { validatePlanObject } from '../../src/plan/load.js';
import { PlanSchema, VERIFY_LIMITS } from '../../src/plan/schema.js';
import { checkInput } from '../../src/workflows/input-check.js';
import { Scheduler } from '../../src/workflows/scheduler/index.js';
import { stateLabel } from '../../src/cli/format.js';
import { renderDetails } from '../../src/workflows/details.js';

const NOW = '2025-01-01T00:00:00.000Z';
const ISOLATED = { workspace: { isolation: 'worktree' } };

const plan = (rest: Record<string, unknown> = {}) => ({
  version: 1,
  name: 'p',
  tasks: [
    { id: 'a', prompt: 'x' },
    { id: 'b', prompt: 'y', dependsOn: ['a'] },
  ],
  ...rest,
});

void test('a plan-level verify needs worktree isolation: without it the plan is refused naming the field', () => {
  const result = validatePlanObject(plan({ verify: [['npm', 'test']] }));
  assert.equal(result.ok, false);
  const issues = !result.ok ? result.issues : [];
  assert.equal(issues.length, 1);
  assert.equal(issues[0]?.path, 'verify');
  assert.match(issues[0]?.message ?? '', /needs worktree isolation: set workspace\.isolation: worktree/);
  const none = validatePlanObject(plan({ verify: [['npm', 'test']], workspace: { isolation: 'none' } }));
  assert.equal(none.ok, false);
  const ok = validatePlanObject(plan({ verify: [['npm', 'test']], ...ISOLATED }));
  assert.ok(ok.ok);
  assert.deepEqual(ok.ok && ok.plan.verify, [['npm', 'test']]);
  // No verify, or an empty list: nothing to ask of the workspace.
  assert.ok(validatePlanObject(plan({ verify: [] })).ok);
  assert.equal('verify' in PlanSchema.parse(plan()), false);
});

void test("the plan's verify has the bounds of a task's: argv lists, commands, arguments, their length", () => {
  const many = Array.from({ length: VERIFY_LIMITS.commands + 1 }, () => ['true']);
  const long = ['node', ...Array.from({ length: VERIFY_LIMITS.args }, () => 'x')];
  const result = validatePlanObject(
    plan({ ...ISOLATED, verify: ['npm test', [], long, ['echo', 'x'.repeat(VERIFY_LIMITS.argChars + 1)]] }),
  );
  assert.equal(result.ok, false);
  const paths = !result.ok ? result.issues.map((issue) => `${issue.path}: ${issue.message.split(' (')[0]}`) : [];
  assert.deepEqual(paths, [
    'verify[0]: expected a list, found "npm test"',
    'verify[1]: must name a program: a command is a list such as [npm, test]',
    `verify[2]: must have at most ${VERIFY_LIMITS.args} items`,
    `verify[3][1]: must have at most ${VERIFY_LIMITS.argChars} characters`,
  ]);
  const tooMany = validatePlanObject(plan({ ...ISOLATED, verify: many }));
  assert.match(JSON.stringify(tooMany), /"path":"verify".*must have at most 16 items/);
});

void test('the workflow refuses a plan-level verify without isolation in its input as an InvalidPlan', () => {
  const failure = (() => {
    try {
      checkInput({ plan: plan({ verify: [['npm', 'test']] }) }, 'baton-p-1', NOW);
    } catch (err) {
      return err;
    }
    return undefined;
  })();
  assert.ok(failure instanceof ApplicationFailure, String(failure));
  assert.equal(failure.type, 'InvalidPlan');
  assert.match(failure.message, /plan\.verify: a plan-level verify runs on the integration branch/);
  assert.ok(checkInput({ plan: plan({ verify: [['npm', 'test']], ...ISOLATED }) }, 'baton-p-2', NOW).plan);
});

void test("the JSON Schema has the plan's verify as a list of argv lists, described", () => {
  interface Property {
    description?: string;
    type?: string;
    maxItems?: number;
    items?: { type?: string };
  }
  const schema = planJsonSchema() as { properties: Record<string, Property> };
  const verify = schema.properties.verify;
  assert.equal(verify?.type, 'array');
  assert.equal(verify?.maxItems, VERIFY_LIMITS.commands);
  assert.equal(verify?.items?.type, 'array');
  assert.match(verify?.description ?? '', /integration branch after each task's merge/);
});

void test('a worker with --no-commands refuses a plan whose own verify would run, even when no task has one', () => {
  const settings = { allowBypassPermissions: false, workspaceRoots: undefined, agentEnv: [] };
  const strict = workerPolicy(settings, { defaultRoots: ['/'], noCommands: true });
  const open = workerPolicy(settings, { defaultRoots: ['/'] });
  const withVerify = PlanSchema.parse(plan({ verify: [['true']], ...ISOLATED }));
  assert.match(
    planRefusal(strict, withVerify) ?? '',
    /task a has verify commands \(its own or its plan's\).*--no-commands/,
  );
  assert.equal(planRefusal(open, withVerify), undefined);
  assert.equal(planRefusal(strict, PlanSchema.parse(plan(ISOLATED))), undefined);
});

function failedVerify(): Scheduler {
  const sched = Scheduler.fresh(PlanSchema.parse(plan({ ...ISOLATED, verify: [['true']] })), NOW);
  sched.markRunning('a', NOW);
  sched.verifying('a', { step: 'start' });
  const verification = { passed: false, rounds: 1, outputPath: '/o/a/g1/plan-verify.log' };
  const result = {
    text: 'done',
    truncated: false,
    sessionId: 'session-a',
    costUsd: 0.5,
    usage: { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 },
    numTurns: 1,
    durationMs: 1,
    artifactPath: '/artifacts/a.md',
    transcriptPath: '/artifacts/t.jsonl',
    attempt: 1,
    permissionDenials: 0,
  };
  const message =
    "the plan's verify failed on baton/r/integration after the merge of this task (the merge is undone): …";
  sched.mergeFailed('a', { verifyFailed: { verification, message } }, NOW, result);
  return sched;
}

void test('a merge the plan verify failed on: verification-failed, the output kept, dependents held, the run waits naming the commands', () => {
  const sched = failedVerify();
  const view = sched.view(sched.record('a'));
  assert.equal(view.state, 'verification-failed');
  assert.equal(view.errorKind, 'verification');
  assert.equal(view.errorType, 'VerificationFailed');
  assert.deepEqual(view.verification, { passed: false, rounds: 1, outputPath: '/o/a/g1/plan-verify.log' });
  assert.equal(view.costUsd, 0.5);
  assert.equal(sched.record('b').state, 'pending');
  assert.deepEqual(sched.startable(0), []);
  assert.equal(sched.outcome(0), 'running');
  const waits = sched.waitingOn(0);
  assert.equal(waits.length, 1);
  assert.match(waits[0]!, /^task a: the plan's verify failed after its merge \(undone\) — baton approve <run> a/);
  assert.match(waits[0]!, /baton retry <run> a .*baton skip <run> a/);
  // The merge was undone: the integration branch is not held; an approval merges it again first.
  assert.equal(sched.state.integrationHold ?? null, null);
  assert.equal(sched.mergesOnApprove('a'), true);
  // The views for people: the CLI's table label, the Web UI's details line.
  assert.match(stateLabel('verification-failed'), /! verification-failed/);
  const details = renderDetails(sched.overview(0, 10), 'r');
  assert.match(
    details,
    /- a: the plan's verify failed after its merge \(undone\); approve, retry or skip it — output: `\/o\/a\/g1\/plan-verify\.log`/,
  );
});

void test('approve accepts the task as is: succeeded, its dependent ready', () => {
  const sched = failedVerify();
  sched.checkApprove('a');
  sched.approve('a', 'fine as it is');
  assert.equal(sched.record('a').state, 'succeeded');
  assert.equal(sched.record('a').error, null);
  assert.equal(sched.record('b').state, 'ready');
});

void test("retry runs the task again, continuing its agent's conversation with the failure, once", () => {
  const sched = failedVerify();
  sched.checkRetry('a');
  sched.retry('a', undefined, 'mind the tests');
  assert.equal(sched.record('a').state, 'ready');
  assert.equal(sched.record('b').state, 'pending');
  const flags = sched.takeWorkspaceFlags('a');
  assert.equal(flags.fix?.sessionId, 'session-a');
  assert.match(flags.fix?.message ?? '', /^the plan's verify failed/);
  assert.equal(sched.takeWorkspaceFlags('a').fix, null, 'used once');
  assert.deepEqual(sched.takeGuidance('a', NOW).guidance, ['mind the tests']);
});

void test('skip leaves the merge undone and lets the dependent go on', () => {
  const sched = failedVerify();
  sched.checkSkip('a');
  sched.skip('a', 'not needed', NOW);
  assert.equal(sched.record('a').state, 'skipped');
  assert.equal(sched.record('b').state, 'ready');
  assert.equal(sched.takeWorkspaceFlags('a').fix, null);
});
