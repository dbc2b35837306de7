// The plan field `taskQueue` (routing): where it may be set, what a valid name is, which queue each task ends
// on, and how `baton status` shows it. The workflow side is in test/e2e/routing.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { statusReport, statusTable } from '../../src/cli/format.js';
import { PlanError } from '../../src/plan/errors.js';
import { parsePlanText } from '../../src/plan/load.js';
import { effectiveTask, routedTasks, withoutRouting } from '../../src/plan/schema.js';
import { Scheduler } from '../../src/workflows/scheduler/index.js';

const PLAN = `
version: 1
name: routed
defaults: { taskQueue: linux-hosts }
tasks:
  - { id: build, prompt: Build it. }
  - { id: gpu, prompt: Train it., taskQueue: "gpu.us-east/1" }
  - { id: docs, prompt: Write docs., dependsOn: [build] }
`;

void test('taskQueue is taken from the task, else from defaults; the run’s own queue only when neither names one', () => {
  const plan = parsePlanText(PLAN, 'routed.yaml');
  assert.deepEqual(routedTasks(plan), [
    { id: 'build', taskQueue: 'linux-hosts' },
    { id: 'gpu', taskQueue: 'gpu.us-east/1' },
    { id: 'docs', taskQueue: 'linux-hosts' },
  ]);
  const plain = parsePlanText('version: 1\nname: p\ntasks:\n  - { id: a, prompt: A. }\n');
  assert.equal(effectiveTask(plain, plain.tasks[0]!).taskQueue, undefined);
  // A rehearsal sends nothing to other queues.
  assert.deepEqual(
    routedTasks(withoutRouting(plan)).map((t) => t.taskQueue),
    [undefined, undefined, undefined],
  );
});

void test('a taskQueue that is empty, has spaces or starts with a symbol is refused with the rule, at its line', () => {
  for (const bad of ['""', '"two words"', '"/_sys/x"', '"-dash"', `"${'q'.repeat(201)}"`]) {
    assert.throws(
      () => parsePlanText(`version: 1\nname: p\ntasks:\n  - id: a\n    prompt: A.\n    taskQueue: ${bad}\n`, 'p.yaml'),
      (err: unknown) =>
        err instanceof PlanError && /p\.yaml:6:\d+ tasks\[0\]\.taskQueue: must be a task queue name/.test(err.message),
      bad,
    );
  }
  // DESIGN's unknown-keys rule still holds next to it.
  assert.throws(
    () => parsePlanText('version: 1\nname: p\ntasks:\n  - { id: a, prompt: A., taskqueue: x }\n', 'p.yaml'),
    (err: unknown) =>
      err instanceof PlanError && /unknown key "taskqueue" \(did you mean "taskQueue"\?\)/.test(err.message),
  );
});

void test('status shows a QUEUE column only for a routed plan, "-" for tasks on the run’s own queue', () => {
  const plan = parsePlanText(
    'version: 1\nname: p\ntasks:\n  - { id: a, prompt: A. }\n  - { id: b, prompt: B., taskQueue: special }\n',
  );
  const status = Scheduler.fresh(plan, '2025-01-01T00:00:00.000Z').status('run-1', '2025-01-01T00:00:01.000Z', 0);
  assert.deepEqual(
    status.tasks.map((t) => [t.id, t.taskQueue]),
    [
      ['a', null],
      ['b', 'special'],
    ],
  );
  const table = statusTable(status).split('\n');
  assert.match(table[0]!, /^TASK\s+STATE\s+QUEUE\s+ATTEMPTS/);
  assert.match(table[1]!, /^a\s+\S+ \S+\s+-\s+0/);
  assert.match(table[2]!, /^b\s+\S+ \S+\s+special\s+0/);
  const unrouted = parsePlanText('version: 1\nname: p\ntasks:\n  - { id: a, prompt: A. }\n');
  const plainStatus = Scheduler.fresh(unrouted, '2025-01-01T00:00:00.000Z').status('r', '2025-01-01T00:00:00.000Z', 0);
  assert.doesNotMatch(statusTable(plainStatus), /QUEUE/);
  const report = statusReport(status, undefined, ['no worker serves task queue "special": task b waits']);
  assert.match(report, /Waiting for a worker:\n {2}no worker serves task queue "special": task b waits/);
});
