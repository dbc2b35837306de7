// Scale-out and routing through the built CLI (issue 8): `baton worker` processes on a real Temporal dev server,
// the real claude binary against the scripted model. Who ran what is read from the run's history: each
// ActivityTaskStarted event carries the identity of the worker that took the task (`<pid>@<host>`, the SDK's
// default), and each ActivityTaskScheduled event the task queue it was sent to.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { ResultPromise } from 'execa';
import proto from '@temporalio/proto';
import { FakeModel, type TaskScript } from '../../src/rehearsal/fake-model.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { describeResult, jsonOf, sandbox, stopProcess, waitFor, type Sandbox } from '../helpers/cli.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import { initRepo } from '../helpers/git-repo.js';
import { testTemporal } from '../helpers/temporal.js';
import { modelSandbox } from '../helpers/worker-scene.js';

const { TaskQueueKind, TaskQueueType } = proto.temporal.api.enums.v1;

const temporal = forAllTests(testTemporal);

/** The identity a `baton worker` child gives Temporal: the SDK's default, `<pid>@<hostname>`. */
function identityOf(child: ResultPromise): string {
  assert.ok(child.pid, 'the worker process has a pid');
  return `${child.pid}@${hostname()}`;
}

/** Identities of the workers polling `taskQueue` for activities (Temporal's own view). */
async function activityPollers(taskQueue: string): Promise<string[]> {
  const answer = await temporal.connection.workflowService.describeTaskQueue({
    namespace: 'default',
    taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  });
  return (answer.pollers ?? []).map((p) => p.identity ?? '');
}

async function waitForPollers(taskQueue: string, workers: ResultPromise[]): Promise<void> {
  const wanted = workers.map(identityOf);
  let polling: string[] = [];
  // Generous: on a loaded 2-core machine a worker takes a while to load the workflow bundle and connect.
  await waitFor(
    `workers ${wanted.join(', ')} to poll ${taskQueue}`,
    async () => {
      for (const worker of workers) {
        if (worker.exitCode !== null) throw new Error(`a worker exited early:\n${(await worker).all}`);
      }
      polling = await activityPollers(taskQueue);
      return wanted.every((id) => polling.includes(id)) ? true : undefined;
    },
    180_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message} (polling: ${polling.join(', ') || 'none'})`);
  });
}

/** One activity of the run as its history tells it. */
interface ActivityRecord {
  activityId: string;
  type: string;
  /** The queue it was scheduled on. */
  taskQueue: string;
  /** The run task it belongs to: from the activity id (runAgent) or its input (workspace activities). */
  taskId: string | null;
  /** Identity of the worker of each started attempt. */
  startedBy: string[];
}

async function activitiesOf(
  runId: string,
): Promise<{ activities: ActivityRecord[]; workflowTaskIdentities: string[] }> {
  const history = await temporal.client.workflow.getHandle(runId).fetchHistory();
  const byEvent = new Map<string, ActivityRecord>();
  const workflowTaskIdentities: string[] = [];
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      const payload = scheduled.input?.payloads?.[0]?.data;
      const input = payload ? (JSON.parse(Buffer.from(payload).toString('utf8')) as { taskId?: string }) : {};
      const activityId = scheduled.activityId ?? '';
      const type = scheduled.activityType?.name ?? '';
      byEvent.set(String(event.eventId), {
        activityId,
        type,
        taskQueue: scheduled.taskQueue?.name ?? '',
        taskId: type === 'runAgent' ? activityId.replace(/\.\d+$/, '') : (input.taskId ?? null),
        startedBy: [],
      });
    }
    const started = event.activityTaskStartedEventAttributes;
    if (started) byEvent.get(String(started.scheduledEventId))?.startedBy.push(started.identity ?? '');
    const workflowTask = event.workflowTaskStartedEventAttributes;
    if (workflowTask) workflowTaskIdentities.push(workflowTask.identity ?? '');
  }
  return { activities: [...byEvent.values()], workflowTaskIdentities };
}

async function startAndWait(box: Sandbox, runId: string): Promise<RunStatus> {
  const start = await box.baton(['start', 'plan.yaml', '--id', runId, '--json']);
  assert.equal(start.exitCode, 0, describeResult(start));
  const result = await box.baton(['result', runId, '--json'], { timeoutMs: 300_000 });
  assert.equal(result.exitCode, 0, describeResult(result));
  return jsonOf<RunStatus>(result);
}

void test('two `baton worker` processes on one task queue share a 20-task run: both start tasks (history identities), every task succeeds on its one attempt', async () => {
  const ids = Array.from({ length: 20 }, (_, i) => `t${String(i + 1).padStart(2, '0')}`);
  // A second per answer keeps each worker's 5 agent slots full while tasks wait: neither can take them all.
  const script = Object.fromEntries(
    ids.map((id): [string, TaskScript] => [id, { turns: [{ text: `${id} done` }], delayMs: 1000 }]),
  );
  const fake = await FakeModel.start({ script, rehearse: false });
  const box = await modelSandbox('scale-out', fake, { TEMPORAL_ADDRESS: temporal.address });
  const plan = ['version: 1', 'name: scale-out', 'maxParallel: 10', 'defaults: { retries: 0 }', 'tasks:'];
  for (const id of ids) plan.push(`  - { id: ${id}, prompt: "Work on ${id}." }`);
  await writeFile(path.join(box.cwd, 'plan.yaml'), `${plan.join('\n')}\n`);
  const workers = [box.spawn(['worker', '--max-agents', '5']), box.spawn(['worker', '--max-agents', '5'])];
  try {
    await waitForPollers(box.taskQueue, workers);
    const runId = `scale-out-${Date.now().toString(36)}`;
    const final = await startAndWait(box, runId);
    assert.equal(final.phase, 'completed');
    assert.deepEqual(
      final.tasks.map((t) => [t.id, t.state, t.attempts]),
      ids.map((id) => [id, 'succeeded', 1]),
    );

    const { activities } = await activitiesOf(runId);
    const agents = activities.filter((a) => a.type === 'runAgent');
    assert.deepEqual(agents.map((a) => a.activityId).sort(), ids.map((id) => `${id}.1`).sort(), 'one agent per task');
    for (const agent of agents) {
      assert.equal(agent.startedBy.length, 1, `${agent.activityId} started once`);
      assert.equal(agent.taskQueue, box.taskQueue);
    }
    const [first, second] = workers.map(identityOf) as [string, string];
    const count = (identity: string) => agents.filter((a) => a.startedBy[0] === identity).length;
    assert.equal(
      count(first) + count(second),
      20,
      `every task started by one of the two workers: ${JSON.stringify(agents)}`,
    );
    assert.ok(count(first) >= 1 && count(second) >= 1, `both workers ran tasks: ${count(first)} and ${count(second)}`);
    assert.equal(fake.log.filter((r) => r.key !== null).length, 20, 'the model was asked once per task');
    console.log(`scale-out: 20 tasks, worker 1 ran ${count(first)}, worker 2 ran ${count(second)}`);

    for (const worker of workers) {
      const stopped = await stopProcess(worker);
      assert.equal(stopped.exitCode, 0, `a worker's exit after SIGTERM:\n${stopped.output}`);
    }
  } finally {
    await Promise.all(workers.map((w) => stopProcess(w, 5_000)));
    await fake.stop();
    await box.cleanup();
  }
});

void test('taskQueue routing with worktree isolation: the routed task waits (and status says why) until `baton worker --task-queue q --activities-only` runs its agent, worktree and commit; the rest and every merge stay on the run queue', async () => {
  const fake = await FakeModel.start({ rehearse: true });
  const box = await modelSandbox('routing', fake, { TEMPORAL_ADDRESS: temporal.address });
  const git = await initRepo(box.cwd);
  const special = `${box.taskQueue}-special`;
  const plan = [
    'version: 1',
    'name: routed',
    'workspace: { repo: ., isolation: worktree }',
    'defaults: { retries: 0 }',
    'tasks:',
    '  - { id: a, prompt: "Write a.", expectedOutputs: [a.txt] }',
    `  - { id: b, prompt: "Write b on the special host.", expectedOutputs: [b.txt], taskQueue: ${special} }`,
    '  - { id: c, prompt: "Sum up.", dependsOn: [a, b], expectedOutputs: [c.txt] }',
  ];
  await writeFile(path.join(box.cwd, 'plan.yaml'), `${plan.join('\n')}\n`);
  await git(['add', '--all']);
  await git(['commit', '--quiet', '-m', 'the plan']);
  const main = box.spawn(['worker']);
  let specialWorker: ResultPromise | undefined;
  try {
    await waitForPollers(box.taskQueue, [main]);
    const runId = `routed-${Date.now().toString(36)}`;
    const start = await box.baton(['start', 'plan.yaml', '--id', runId]);
    assert.equal(start.exitCode, 0, describeResult(start));
    assert.match(start.stderr, new RegExp(`no worker serves task queue "${special}": task b waits in running`));

    // Nobody serves the queue yet: b is running, waiting for a worker, and the status says so.
    const waiting = await waitFor('a to succeed while b waits', async () => {
      const status = jsonOf<RunStatus>(await box.baton(['status', runId, '--json']));
      const state = Object.fromEntries(status.tasks.map((t) => [t.id, t.state]));
      return state.a === 'succeeded' && state.b === 'running' ? status : undefined;
    });
    assert.deepEqual(
      waiting.tasks.map((t) => [t.id, t.taskQueue]),
      [
        ['a', null],
        ['b', special],
        ['c', null],
      ],
    );
    const shown = await box.baton(['status', runId]);
    assert.equal(shown.exitCode, 0, describeResult(shown));
    assert.match(shown.stdout, /TASK\s+STATE\s+QUEUE/);
    assert.match(shown.stdout, new RegExp(`b\\s+▶ running\\s+${special}`));
    assert.match(shown.stdout, /Waiting for a worker:/);
    assert.match(shown.stdout, new RegExp(`baton worker --task-queue ${special} --activities-only`));
    assert.equal(fake.requestsFor('b').length, 0, 'no agent of b ran before a worker served its queue');

    specialWorker = box.spawn(['worker', '--task-queue', special, '--activities-only']);
    const result = await box.baton(['result', runId, '--json'], { timeoutMs: 300_000 });
    assert.equal(
      result.exitCode,
      0,
      `${describeResult(result)}\n--- special worker\n${String(specialWorker.all ?? '')}`,
    );
    const final = jsonOf<RunStatus>(result);
    assert.deepEqual(
      final.tasks.map((t) => [t.id, t.state]),
      [
        ['a', 'succeeded'],
        ['b', 'succeeded'],
        ['c', 'succeeded'],
      ],
    );
    // b's work reached the integration branch through a merge on the run's queue.
    const integrated = await git(['show', `baton/${runId}/integration:b.txt`]);
    assert.ok(integrated.length > 0, 'b.txt is on the integration branch');

    const mainId = identityOf(main);
    const specialId = identityOf(specialWorker);
    const { activities, workflowTaskIdentities } = await activitiesOf(runId);
    const where = (a: ActivityRecord) => `${a.taskId ?? '-'} ${a.type} → ${a.taskQueue} by ${a.startedBy.join(',')}`;
    const onSpecial = activities.filter((a) => a.taskQueue === special).map(where);
    assert.deepEqual(onSpecial.sort(), [
      `b commitTask → ${special} by ${specialId}`,
      `b prepareWorktree → ${special} by ${specialId}`,
      `b runAgent → ${special} by ${specialId}`,
    ]);
    const elsewhere = activities.filter((a) => a.taskQueue !== special);
    for (const a of elsewhere) {
      assert.equal(a.taskQueue, box.taskQueue, where(a));
      assert.deepEqual(a.startedBy, [mainId], where(a));
    }
    const merges = elsewhere.filter((a) => a.type === 'mergeTask').map((a) => a.taskId);
    assert.deepEqual(merges.sort(), ['a', 'b', 'c'], 'every merge, b’s too, ran on the run queue');
    assert.ok(
      workflowTaskIdentities.every((id) => id === mainId),
      `the activities-only worker ran no workflow task: ${[...new Set(workflowTaskIdentities)].join(', ')}`,
    );
    const stopped = await stopProcess(specialWorker);
    assert.equal(stopped.exitCode, 0, stopped.output);
    assert.match(stopped.output, new RegExp(`task queue "${special}", activities only`));
  } finally {
    await stopProcess(main, 5_000);
    if (specialWorker) await stopProcess(specialWorker, 5_000);
    await fake.stop();
    await box.cleanup();
  }
});

void test('`baton run --rehearse` runs routed tasks in its own process (a rehearsal sends no work to real workers); a bad --task-queue exits 2', async () => {
  const box = await sandbox('routing-rehearse', { TEMPORAL_ADDRESS: temporal.address });
  try {
    const nobody = `${box.taskQueue}-nobody`;
    const plan = [
      'version: 1',
      'name: rehearsed',
      `defaults: { taskQueue: ${nobody} }`,
      'tasks:',
      '  - { id: a, prompt: "Write a.", expectedOutputs: [a.txt] }',
      '  - { id: b, prompt: "Write b.", expectedOutputs: [b.txt], dependsOn: [a] }',
    ];
    await writeFile(path.join(box.cwd, 'plan.yaml'), `${plan.join('\n')}\n`);
    const run = await box.baton(['run', '--rehearse', 'plan.yaml', '--json']);
    assert.equal(run.exitCode, 0, describeResult(run));
    assert.match(run.stderr, /rehearsal: tasks routed to other task queues \(taskQueue\) run here too/);
    assert.doesNotMatch(run.stderr, /no worker serves/);
    assert.deepEqual(
      jsonOf<RunStatus>(run).tasks.map((t) => [t.id, t.state, t.taskQueue]),
      [
        ['a', 'succeeded', null],
        ['b', 'succeeded', null],
      ],
    );
    assert.deepEqual(await activityPollers(nobody), [], 'nothing ever polled the routed queue');

    const bad = await box.baton(['worker', '--task-queue', 'two words']);
    assert.equal(bad.exitCode, 2, describeResult(bad));
    assert.match(bad.stderr, /--task-queue "two words" must be a task queue name/);
  } finally {
    await box.cleanup();
  }
});
