// The pure Scheduler: which task may start, what results and interventions do to the states.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunAgentResult } from '../../src/contract/agent.js';
import { PlanSchema, TaskSchema, type PlanInput, type TaskInput } from '../../src/plan/schema.js';
import { Refusal, Scheduler, type SchedulerState, type TaskFailure } from '../../src/workflows/scheduler/index.js';

const NOW = '2025-01-01T00:00:00.000Z';

function scheduler(tasks: TaskInput[], rest: Partial<PlanInput> = {}): Scheduler {
  return Scheduler.fresh(PlanSchema.parse({ version: 1, name: 'unit', ...rest, tasks }), NOW);
}

const t = (id: string, dependsOn: string[] = [], more: Partial<TaskInput> = {}): TaskInput => ({
  id,
  prompt: `Do ${id}.`,
  dependsOn,
  ...more,
});

function result(text: string, more: Partial<RunAgentResult> = {}): RunAgentResult {
  return {
    text,
    truncated: false,
    sessionId: 'session',
    costUsd: 0,
    usage: { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 },
    numTurns: 1,
    durationMs: 1,
    artifactPath: `/artifacts/${text}.md`,
    transcriptPath: '/artifacts/t.jsonl',
    attempt: 1,
    permissionDenials: 0,
    ...more,
  };
}

const badRequest: TaskFailure = {
  type: 'AgentBadRequest',
  message: 'the model API answered 400',
  attempts: 1,
  costUsd: 0,
};

const states = (s: Scheduler): Record<string, string> =>
  Object.fromEntries(s.state.records.map((r) => [r.id, r.state]));
const startable = (s: Scheduler, running = 0): string[] => s.startable(running).map((r) => r.id);

/** Start and finish a task successfully. */
function succeed(s: Scheduler, id: string, more: Partial<RunAgentResult> = {}): void {
  s.markRunning(id, NOW);
  s.succeeded(id, result(id, more), NOW);
}

function fail(s: Scheduler, id: string, failure: TaskFailure = badRequest): void {
  s.markRunning(id, NOW);
  s.failed(id, failure, NOW);
}

function refusal(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof Refusal, `expected a Refusal, got ${String(err)}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

void test('a task is ready only when every dependency succeeded or was skipped', () => {
  const s = scheduler([t('a'), t('b'), t('c', ['a', 'b'])]);
  assert.deepEqual(states(s), { a: 'ready', b: 'ready', c: 'pending' });
  succeed(s, 'a');
  assert.equal(states(s).c, 'pending');
  s.skip('b', 'not needed', NOW);
  assert.equal(states(s).c, 'ready');
});

void test('dependencies listed later in the plan than their dependents still resolve', () => {
  const s = scheduler([t('late', ['early']), t('early')]);
  succeed(s, 'early');
  assert.equal(states(s).late, 'ready');
});

void test('among ready tasks, higher priority starts first, then plan order', () => {
  const s = scheduler(
    [t('p0'), t('p5a', [], { priority: 5 }), t('n1', [], { priority: -1 }), t('p5b', [], { priority: 5 }), t('q0')],
    {
      maxParallel: 10,
    },
  );
  assert.deepEqual(startable(s), ['p5a', 'p5b', 'p0', 'q0', 'n1']);
});

void test('startable leaves room for running tasks: never more than maxParallel in all', () => {
  const s = scheduler([t('a'), t('b'), t('c'), t('d')], { maxParallel: 3 });
  assert.deepEqual(startable(s, 0), ['a', 'b', 'c']);
  assert.deepEqual(startable(s, 2), ['a']);
  assert.deepEqual(startable(s, 3), []);
  assert.deepEqual(startable(s, 5), []);
  s.markRunning('a', NOW);
  assert.deepEqual(startable(s, 1), ['b', 'c'], 'a running task is not startable again');
});

void test('a before gate holds the task until approved; approve without a gate is refused', () => {
  const s = scheduler([t('gated', [], { approval: 'before' }), t('after-it', ['gated'])]);
  assert.equal(states(s).gated, 'awaiting-approval');
  assert.deepEqual(startable(s), []);
  assert.deepEqual(s.waitingOn(0), ['task gated: approval to start — baton approve <run> gated']);
  refusal(() => s.approve('after-it', undefined), 'task after-it is pending, not waiting for approval');
  refusal(() => s.checkApprove(undefined), 'the plan is not waiting for approval');
  s.approve('gated', 'go');
  assert.deepEqual(startable(s), ['gated']);
  succeed(s, 'gated');
  assert.equal(states(s).gated, 'succeeded', 'the before gate is passed once, not again after the run');
  assert.equal(states(s)['after-it'], 'ready');
});

void test('rejecting a before gate skips the task, and its dependents may proceed', () => {
  const s = scheduler([t('gated', [], { approval: 'before' }), t('next', ['gated'])]);
  s.reject('gated', 'not now', NOW);
  assert.equal(states(s).gated, 'skipped');
  assert.equal(s.record('gated').error, 'rejected before start: not now');
  assert.equal(states(s).next, 'ready');
});

void test('an after gate holds the result for review; approve releases dependents, reject re-runs with feedback', () => {
  const s = scheduler([t('review-me', [], { approval: 'after' }), t('next', ['review-me'])]);
  succeed(s, 'review-me');
  assert.equal(states(s)['review-me'], 'awaiting-review');
  assert.equal(states(s).next, 'pending', 'dependents wait for the review');
  assert.deepEqual(s.waitingOn(0), ['task review-me: review of its result — baton approve|reject <run> review-me']);

  s.reject('review-me', 'use tabs', NOW);
  assert.equal(states(s)['review-me'], 'ready');
  s.markRunning('review-me', NOW);
  assert.deepEqual(s.takeGuidance('review-me', NOW).guidance, [
    'A reviewer rejected your previous result. Reviewer feedback: use tabs',
  ]);
  assert.deepEqual(s.takeGuidance('review-me', NOW).guidance, [], 'guidance is used by one attempt only');
  s.succeeded('review-me', result('review-me'), NOW);
  assert.equal(s.record('review-me').generation, 2);
  s.approve('review-me', undefined);
  assert.equal(states(s)['review-me'], 'succeeded');
  assert.equal(states(s).next, 'ready');
});

void test('onFailure wait: dependents are blocked, unrelated tasks go on, then the run waits on the failed task', () => {
  const s = scheduler([t('a'), t('b', ['a']), t('c', ['b']), t('other')]);
  fail(s, 'a');
  assert.deepEqual(states(s), { a: 'failed', b: 'blocked', c: 'blocked', other: 'ready' });
  assert.equal(s.record('a').errorType, 'AgentBadRequest');
  // Something else can still run: nobody is asked anything yet.
  assert.deepEqual(s.waitingOn(0), []);
  assert.equal(s.outcome(0), 'running');
  s.markRunning('other', NOW);
  assert.deepEqual(s.waitingOn(1), [], 'not while another task runs');
  s.succeeded('other', result('other'), NOW);
  assert.deepEqual(s.waitingOn(0), ['task a: failed — baton retry|skip <run> a, or baton abort <run>']);
  assert.equal(s.outcome(0), 'running', 'wait never ends the run by itself');
  assert.equal(s.phase(0), 'running');
  assert.equal(s.status('r', NOW, 0).waitingOn.length, 1);
});

void test('retry un-blocks dependents; a second failure blocks them again; success lets them run', () => {
  const s = scheduler([t('a'), t('b', ['a']), t('c', ['b'])]);
  fail(s, 'a');
  const view = s.retry('a', 'a better prompt', 'mind the tests');
  assert.equal(view.state, 'ready');
  assert.equal(view.error, null);
  assert.deepEqual(states(s), { a: 'ready', b: 'pending', c: 'pending' });
  s.markRunning('a', NOW);
  assert.deepEqual(s.takeGuidance('a', NOW), { guidance: ['mind the tests'], prompt: 'a better prompt' });
  s.failed('a', badRequest, NOW);
  assert.deepEqual(states(s), { a: 'failed', b: 'blocked', c: 'blocked' });
  s.retry('a', undefined, undefined);
  succeed(s, 'a');
  assert.deepEqual(states(s), { a: 'succeeded', b: 'ready', c: 'pending' });
  assert.equal(s.record('a').attempts, 3, 'attempts add up over a person’s retries');
  assert.equal(s.record('a').generation, 3);
});

void test('skipping a failed task lets its blocked dependents proceed', () => {
  const s = scheduler([t('a'), t('b', ['a'])]);
  fail(s, 'a');
  assert.equal(states(s).b, 'blocked');
  s.skip('a', 'done by hand', NOW);
  assert.deepEqual(states(s), { a: 'skipped', b: 'ready' });
  assert.equal(s.record('a').error, 'skipped: done by hand');
  succeed(s, 'b');
  assert.equal(s.outcome(0), 'completed', 'skipped counts as done');
});

void test('a cancelled task blocks its dependents and can be retried', () => {
  const s = scheduler([t('a'), t('b', ['a'])]);
  fail(s, 'a', { type: 'Cancelled', message: 'cancelled while running', attempts: 1, costUsd: 0, cancelled: true });
  assert.deepEqual(states(s), { a: 'cancelled', b: 'blocked' });
  assert.deepEqual(s.waitingOn(0), ['task a: cancelled — baton retry|skip <run> a, or baton abort <run>']);
  s.retry('a', undefined, undefined);
  assert.deepEqual(states(s), { a: 'ready', b: 'pending' });
});

void test('onFailure continue: everything reachable runs, then the run ends failed', () => {
  const s = scheduler([t('a'), t('b', ['a']), t('c'), t('d', ['c'])], { onFailure: 'continue' });
  fail(s, 'a');
  assert.equal(s.outcome(0), 'running', 'c and d can still run');
  succeed(s, 'c');
  assert.equal(s.outcome(0), 'running');
  s.markRunning('d', NOW);
  assert.equal(s.outcome(1), 'running');
  s.succeeded('d', result('d'), NOW);
  assert.equal(s.outcome(0), 'failed');
  assert.deepEqual(s.waitingOn(0), [], 'continue does not wait on a person for failures');
  assert.deepEqual(states(s), { a: 'failed', b: 'blocked', c: 'succeeded', d: 'succeeded' });
});

void test('onFailure continue still waits for open gates before ending', () => {
  const s = scheduler([t('a'), t('gated', [], { approval: 'before' })], { onFailure: 'continue' });
  fail(s, 'a');
  assert.equal(s.outcome(0), 'running');
  s.reject('gated', 'no', NOW);
  assert.equal(s.outcome(0), 'failed');
});

void test('onFailure fail: the first failure ends the run failed once nothing runs, and its phase says so once ended', () => {
  const s = scheduler([t('a'), t('b'), t('c')], { onFailure: 'fail' });
  assert.equal(s.firstFailure(), undefined);
  s.markRunning('a', NOW);
  fail(s, 'b');
  assert.equal(s.firstFailure()?.id, 'b');
  assert.equal(s.outcome(1), 'running', 'a running task is still being stopped');
  s.failed('a', { type: 'Cancelled', message: 'cancelled', attempts: 1, costUsd: 0, cancelled: true }, NOW);
  s.cancelUnsettled(NOW, 'cancelled: task b failed');
  assert.equal(s.outcome(0), 'failed');
  // The phase is final once the end is recorded (the workflow's finish), with endedAt: never before it.
  assert.equal(s.status('r', NOW, 0).phase, 'running');
  s.end(NOW, 'the run ended');
  assert.equal(s.status('r', NOW, 0).phase, 'failed');
  assert.equal(s.status('r', NOW, 0).endedAt, NOW);
});

void test('the run completes when every task succeeded or was skipped', () => {
  const s = scheduler([t('a'), t('b', ['a'])]);
  assert.equal(s.outcome(0), 'running');
  succeed(s, 'a');
  s.markRunning('b', NOW);
  assert.equal(s.outcome(1), 'running');
  s.succeeded('b', result('b'), NOW);
  assert.equal(s.outcome(0), 'completed');
  assert.equal(s.phase(0), 'running', 'not completed until the end is recorded');
  s.end(NOW, 'the run ended');
  assert.equal(s.phase(0), 'completed');
});

void test('an abort shows no final phase until the run has ended: then every task has settled', () => {
  const s = scheduler([t('a'), t('b', ['a']), t('c')]);
  s.markRunning('a', NOW);
  s.abort('enough');
  assert.equal(s.phase(1), 'running', 'a running task is still being stopped');
  s.failed('a', { type: 'Cancelled', message: 'cancelled', attempts: 1, costUsd: 0, cancelled: true }, NOW);
  assert.equal(s.outcome(0), 'cancelled');
  assert.equal(s.phase(0), 'running', 'b and c have not settled yet');
  s.end(NOW, 'the run ended before this task could run');
  const status = s.status('r', NOW, 0);
  assert.equal(status.phase, 'cancelled');
  assert.deepEqual(
    status.tasks.map((task) => [task.id, task.state]),
    [
      ['a', 'cancelled'],
      ['b', 'blocked'],
      ['c', 'cancelled'],
    ],
  );
});

void test('cancelUnsettled accounts for every task: unfinished become cancelled, settled ones stay', () => {
  const s = scheduler([t('a'), t('b', ['a']), t('c'), t('d'), t('e', ['d'])]);
  succeed(s, 'c');
  fail(s, 'd');
  s.markRunning('a', NOW);
  s.cancelUnsettled(NOW, 'the run was cancelled');
  assert.deepEqual(states(s), { a: 'cancelled', b: 'cancelled', c: 'succeeded', d: 'failed', e: 'blocked' });
  assert.equal(s.record('b').error, 'the run was cancelled');
  assert.equal(s.record('d').error, badRequest.message, 'a failure keeps its own error');
});

void test('cost over the budget pauses the run: nothing starts until resumed with a higher budget', () => {
  const s = scheduler([t('a'), t('b'), t('c')], { budgetUsd: 1, maxParallel: 1 });
  succeed(s, 'a', { costUsd: 0.6 });
  assert.equal(s.state.paused, false);
  succeed(s, 'b', { costUsd: 0.6 });
  assert.equal(s.state.paused, true);
  assert.equal(s.phase(0), 'paused');
  assert.deepEqual(startable(s), []);
  assert.deepEqual(s.waitingOn(0), ['budget: spent $1.20 of $1.00 — baton resume <run> --budget <usd>']);
  refusal(() => s.resume(undefined), 'the run has spent $1.20; resume with a budget above that (--budget <usd>)');
  refusal(() => s.resume(1.1), /spent \$1\.20/);
  s.resume(5);
  assert.equal(s.state.budgetUsd, 5);
  assert.deepEqual(startable(s), ['c']);
  assert.equal(s.status('r', NOW, 0).costUsd, 1.2);
});

void test('pause stops new starts; resume lets them go; double pause and resume without pause are refused', () => {
  const s = scheduler([t('a')]);
  refusal(() => s.resume(undefined), 'the run is not paused');
  s.pause();
  refusal(() => s.pause(), 'the run is already paused');
  assert.deepEqual(startable(s), []);
  assert.deepEqual(s.waitingOn(0), ['paused — baton resume <run>']);
  assert.equal(s.phase(0), 'paused');
  s.resume(undefined);
  assert.deepEqual(startable(s), ['a']);
});

void test('addTasks appends tasks that may depend on existing and on each other', () => {
  const s = scheduler([t('a')]);
  succeed(s, 'a');
  const views = s.addTasks([TaskSchema.parse(t('x', ['a', 'y'])), TaskSchema.parse(t('y', ['a']))]);
  assert.deepEqual(
    views.map((v) => [v.id, v.state]),
    [
      ['x', 'pending'],
      ['y', 'ready'],
    ],
  );
  assert.deepEqual(
    s.plan.tasks.map((task) => task.id),
    ['a', 'x', 'y'],
  );
  assert.equal(s.outcome(0), 'running', 'a completed run with new tasks is running again');
});

void test('addTasks refuses duplicates, unknown dependencies and cycles, naming each problem', () => {
  const s = scheduler([t('a')]);
  const add = (...tasks: TaskInput[]) => s.addTasks(tasks.map((task) => TaskSchema.parse(task)));
  refusal(() => add(t('a')), 'task id "a" is already in the run');
  refusal(() => add(t('n'), t('n')), 'task id "n" is already in the run');
  refusal(() => add(t('n', ['ghost'])), 'task "n" depends on unknown task "ghost"');
  refusal(() => add(t('p', ['q']), t('q', ['r']), t('r', ['p'])), 'the new tasks form a cycle: p → q → r → p');
  refusal(() => add(t('self', ['self'])), 'the new tasks form a cycle: self → self');
  refusal(() => s.addTasks([]), 'no tasks to add');
  refusal(
    () => add(t('a'), t('m', ['nope'])),
    'task id "a" is already in the run; task "m" depends on unknown task "nope"',
  );
  assert.deepEqual(
    s.plan.tasks.map((task) => task.id),
    ['a'],
    'a refused addition changes nothing',
  );
});

void test('interventions on tasks in the wrong state are refused with a message that says why', () => {
  const s = scheduler([t('x'), t('y'), t('z', ['y'])]);
  s.markRunning('x', NOW);
  succeed(s, 'y');
  refusal(() => s.retry('x', undefined, undefined), 'task x is running, not failed or cancelled');
  refusal(() => s.retry('y', undefined, undefined), 'task y is succeeded, not failed or cancelled');
  refusal(
    () => s.skip('x', undefined, NOW),
    'task x is running; only a task that is not running or done can be skipped',
  );
  refusal(
    () => s.skip('y', undefined, NOW),
    'task y is succeeded; only a task that is not running or done can be skipped',
  );
  refusal(() => s.checkCancelTask('z'), 'task z is ready, not running');
  refusal(() => s.guide('y', 'more', NOW), 'task y is succeeded, already finished');
  refusal(() => s.guide('x', '   ', NOW), 'the guidance message is empty');
  refusal(() => s.reject('x', 'bad', NOW), 'task x is running, not waiting for approval or review');
  refusal(() => s.retry('nope', undefined, undefined), 'no task "nope" in this run (tasks: x, y, z)');
});

void test('guidance reaches the next attempt of a task that has not run yet', () => {
  const s = scheduler([t('a')]);
  s.guide('a', 'use the v2 API', NOW);
  s.markRunning('a', NOW);
  assert.deepEqual(s.takeGuidance('a', NOW), { guidance: ['use the v2 API'], prompt: null });
  assert.deepEqual(
    s.status('r', NOW, 1).tasks[0]?.guidance,
    [{ message: 'use the v2 API', at: NOW, delivered: true, deliveredAt: NOW }],
    'a note joined the prompt is delivered with it',
  );
});

void test('guidance for a running task waits for its agent of that generation, then is recorded as delivered', () => {
  const s = scheduler([t('a')]);
  s.markRunning('a', NOW);
  assert.deepEqual(s.takeGuidance('a', NOW), { guidance: [], prompt: null });
  const generation = s.record('a').generation;
  const LATER = '2026-01-01T00:00:05.000Z';
  s.guide('a', 'check the edge case', LATER);
  s.guide('a', 'and the docs', LATER);
  assert.deepEqual(s.guidance.liveNotes('a'), {
    generation,
    notes: [
      { seq: 1, message: 'check the edge case' },
      { seq: 2, message: 'and the docs' },
    ],
  });
  s.guidance.notesDelivered('a', generation + 1, [1], LATER);
  assert.equal(s.guidance.liveNotes('a')?.notes.length, 2, 'an agent that is not the task’s now delivers nothing');
  s.guidance.notesDelivered('a', generation, [1], LATER);
  assert.deepEqual(s.guidance.liveNotes('a'), { generation, notes: [{ seq: 2, message: 'and the docs' }] });
  assert.deepEqual(
    s.status('r', NOW, 1).tasks[0]?.guidance.map((g) => [g.message, g.delivered]),
    [
      ['check the edge case', true],
      ['and the docs', false],
    ],
  );
  // The agent ended before the second note reached it: it joins the prompt of the task's next run.
  s.failed('a', badRequest, NOW);
  assert.equal(s.guidance.liveNotes('a'), null, 'nothing for an agent that has ended');
  s.retry('a', undefined, undefined);
  s.markRunning('a', NOW);
  assert.deepEqual(s.takeGuidance('a', NOW).guidance, ['and the docs']);
  assert.equal(s.guidance.liveNotes('a'), null, 'the note went with the prompt');
});

void test('guidance for a task with a sub-plan is refused, naming the path ids that reach its agents', () => {
  const s = scheduler([{ id: 'outer', plan: { tasks: [t('inner')] } }]);
  s.markRunning('outer', NOW);
  assert.throws(() => s.guide('outer', 'a note nobody of this run reads', NOW), /runs a sub-plan.*outer\/<task>/);
  assert.equal(s.guidance.liveNotes('outer'), null, 'no memo entry for an agent that does not exist');
  assert.deepEqual(s.status('r', NOW, 1).tasks[0]?.guidance, []);
});

void test('abort stops new starts and ends the run cancelled once nothing runs', () => {
  const s = scheduler([t('a'), t('b')]);
  s.markRunning('a', NOW);
  s.abort('wrong plan');
  refusal(() => s.abort(undefined), 'the run is already aborted');
  refusal(() => s.pause(), 'the run is aborted');
  refusal(() => s.addTasks([TaskSchema.parse(t('n'))]), 'the run is aborted');
  assert.deepEqual(startable(s, 1), []);
  assert.equal(s.outcome(1), 'running', 'waits for the running task to end');
  assert.equal(s.outcome(0), 'cancelled');
  assert.equal(s.state.reason, 'aborted: wrong plan');
});

void test('results are kept bounded, and attempts and cost add up per task and for the run', () => {
  const s = scheduler([t('a'), t('b')]);
  s.markRunning('a', NOW);
  s.succeeded('a', result('x'.repeat(5000), { attempt: 3, costUsd: 0.25 }), NOW);
  fail(s, 'b', { ...badRequest, attempts: 2, costUsd: 0.5 });
  const status = s.status('run-1', NOW, 0);
  const a = status.tasks[0]!;
  assert.equal(a.attempts, 3);
  assert.equal(a.costUsd, 0.25);
  assert.ok(a.summary !== null && a.summary.length <= 2001, `summary of ${a.summary?.length} chars`);
  assert.equal(status.tasks[1]!.attempts, 2);
  assert.equal(status.costUsd, 0.75);
  assert.equal(status.runId, 'run-1');
});

void test('the scheduler state survives a round trip through JSON (continue-as-new carries it)', () => {
  const s = scheduler([t('a'), t('b', ['a']), t('c', ['b'])]);
  succeed(s, 'a');
  fail(s, 'b');
  const copy = new Scheduler(JSON.parse(JSON.stringify(s.state)) as SchedulerState);
  assert.deepEqual(states(copy), states(s));
  copy.retry('b', undefined, undefined);
  assert.deepEqual(states(copy), { a: 'succeeded', b: 'ready', c: 'pending' });
  assert.equal(copy.record('b').generation, 1);
});
