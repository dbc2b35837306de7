// Plans within plans (DESIGN.md §10) with the built CLI, a real Temporal dev server, `baton worker` and the real
// claude against the scripted model: a plan file names a sub-plan file whose task has an inline sub-plan (three
// levels) and a sub-goal whose planned plan waits for approval. The views list every level with path ids, the
// tree indented; a failed grandchild is retried by its path id, the planned plan approved by its task's id, and
// the run completes; `baton list` lists the run, not its child runs. And `baton abort` of the run ends the agents and
// the child runs of every level, each task in a final state, the run Canceled.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FakeModel, TaskScript } from '../../src/rehearsal/fake-model.js';
import { SETTLED_STATES, type RunStatus } from '../../src/workflows/status.js';
import { describeResult, jsonOf, type Sandbox } from '../helpers/cli.js';
import type { TestTemporal } from '../helpers/temporal.js';
import { workerScene } from '../helpers/worker-scene.js';

const SHOP = `version: 1
name: shop
goal: Build the shop
defaults:
  retries: 0
  timeout: 5m
tasks:
  - id: schema
    prompt: Design the tables.
  - id: backend
    plan: plans/backend.yaml
    dependsOn: [schema]
  - id: frontend
    goal: Build the login page
    approval: before
    dependsOn: [schema]
  - id: report
    prompt: Write the report.
    dependsOn: [backend, frontend]
`;

const BACKEND = `version: 1
name: backend
tasks:
  - id: api
    plan:
      tasks:
        - id: db
          prompt: Write the data layer.
        - id: routes
          prompt: Write the routes.
          dependsOn: [db]
`;

const said = (text: string): TaskScript => ({ turns: [{ text }] });
const PLANNED = {
  version: 1,
  name: 'login',
  tasks: [
    { id: 'form', prompt: 'Write the login form.' },
    { id: 'check', prompt: 'Check the form.', dependsOn: ['form'] },
  ],
};

const TREE = `version: 1
name: tree
defaults:
  retries: 0
  timeout: 5m
tasks:
  - id: quick
    prompt: Succeed.
  - id: outer
    plan:
      tasks:
        - id: inner
          plan:
            tasks:
              - id: stuck
                prompt: Never answered.
        - id: waits
          prompt: After inner.
          dependsOn: [inner]
`;

let fake: FakeModel;
let box: Sandbox;
let close: () => Promise<void>;
let temporal: TestTemporal;
before(async () => {
  const model = {
    rehearse: false,
    script: {
      schema: said('tables designed'),
      // Fails for good (a 400 is not retried) the first time; answers the second.
      db: { failFirst: [{ status: 400, message: 'prompt is too long' }], turns: [{ text: 'data layer written' }] },
      routes: said('routes written'),
      form: said('form written'),
      check: said('form checked'),
      report: said('report written'),
      planner: { turns: [{ toolUse: { name: 'StructuredOutput', input: PLANNED } }, { text: 'Planned.' }] },
      quick: said('quick done'),
      stuck: { hang: true },
    },
  };
  ({ fake, box, close, temporal } = await workerScene('hierarchy', model, { 'shop.yaml': SHOP, 'tree.yaml': TREE }));
  await mkdir(path.join(box.cwd, 'plans'));
  await writeFile(path.join(box.cwd, 'plans', 'backend.yaml'), BACKEND);
});
after(() => close());

async function baton(args: string[], exitCode = 0) {
  const result = await box.baton(args);
  assert.equal(result.exitCode, exitCode, describeResult(result));
  return result;
}

async function statusUntil(runId: string, ok: (s: RunStatus) => boolean, what: string): Promise<RunStatus> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = jsonOf<RunStatus>(await baton(['status', runId, '--json']));
    if (ok(status)) return status;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}: ${JSON.stringify(status.tasks)}`);
    await sleep(300);
  }
}

const stateOf = (s: RunStatus, id: string) => s.tasks.find((t) => t.id === id)?.state;

void test('a three-level plan: every view lists each level with path ids; a grandchild is retried by its path id, a planned sub-plan approved by its task, and the run completes', async () => {
  const validated = await baton(['validate', 'shop.yaml']);
  assert.match(validated.stdout, /valid plan "shop" — 4 tasks \(7 in 3 levels of plans, 4 by agents\)/);
  const graph = await baton(['graph', 'shop.yaml']);
  assert.match(graph.stdout, /subgraph t1\["backend"\]\n {4}subgraph t1_0\["api"\]/);

  const runId = `shop-${Date.now().toString(36)}`;
  await baton(['start', 'shop.yaml', '--id', runId]);
  const waiting = await statusUntil(
    runId,
    (s) => s.waitingOn.length >= 2,
    'the failed grandchild and the planned sub-plan to wait on a person',
  );
  assert.deepEqual(waiting.waitingOn.toSorted(), [
    `task backend/api/db: failed — baton retry|skip <run> backend/api/db, or baton abort <run>`,
    `task frontend: approve its planned sub-plan (2 tasks) — baton plan show ${runId}/frontend, then baton approve <run> frontend, or baton reject <run> frontend --reason "…" to plan again`,
  ]);
  const db = waiting.tasks.find((t) => t.id === 'backend/api/db');
  assert.equal(db?.parent, 'backend/api');
  assert.equal(db?.errorType, 'AgentBadRequest');
  assert.deepEqual(
    waiting.tasks.map((t) => t.id),
    [
      'schema',
      'backend',
      'backend/api',
      'backend/api/db',
      'backend/api/routes',
      'frontend',
      'frontend/form',
      'frontend/check',
      'report',
    ],
    'each task right after the task whose sub-plan it is',
  );
  const text = await baton(['status', runId]);
  assert.match(text.stdout, /\n {4}backend\/api\/db +✖ failed/, `indented by level:\n${text.stdout}`);
  assert.match(text.stdout, new RegExp(`baton retry\\|skip ${runId} backend/api/db`), 'commands name the run');

  // A refusal in the child's own words, naming where.
  const refused = await baton(['retry', runId, 'backend/api/routes'], 2);
  assert.match(
    refused.stderr,
    /refused \(in the sub-plan of backend\/api\): task routes is blocked, not failed or cancelled/,
  );

  const retried = await baton(['retry', runId, 'backend/api/db']);
  assert.match(retried.stdout, /task backend\/api\/db is now/, describeResult(retried));
  const approved = await baton(['approve', runId, 'frontend', '--json']);
  assert.equal(stateOf(jsonOf<RunStatus>(approved), 'frontend/form') !== undefined, true);

  const result = await box.baton(['result', runId, '--json'], { timeoutMs: 120_000 });
  assert.equal(result.exitCode, 0, describeResult(result));
  const final = jsonOf<RunStatus>(result);
  assert.equal(final.phase, 'completed');
  assert.ok(
    final.tasks.every((t) => t.state === 'succeeded'),
    JSON.stringify(final.tasks.map((t) => [t.id, t.state])),
  );
  assert.equal(fake.requestsFor('db').length, 2, 'db ran again after the retry');
  assert.match(fake.requestsFor('report')[0]!.firstUserText, /routes written/, "backend's synthesis reached report");
  assert.match(fake.requestsFor('report')[0]!.firstUserText, /form checked/, "frontend's too");

  const listed = jsonOf<{ runId: string }[]>(await baton(['list', '--json']));
  assert.deepEqual(
    listed.map((r) => r.runId).filter((id) => id.startsWith(runId)),
    [runId],
    'the child runs are part of the run, not runs of their own',
  );
});

void test('baton abort of the run ends the agents and the child runs of every level, every task in a final state', async () => {
  const runId = `tree-${Date.now().toString(36)}`;
  await baton(['start', 'tree.yaml', '--id', runId]);
  await statusUntil(
    runId,
    (s) => stateOf(s, 'outer/inner/stuck') === 'running' && stateOf(s, 'quick') === 'succeeded',
    'the grandchild agent running, quick done',
  );
  await baton(['abort', runId, '--reason', 'enough']);

  const result = await box.baton(['result', runId, '--json'], { timeoutMs: 60_000 });
  assert.equal(result.exitCode, 1, describeResult(result));
  const final = jsonOf<RunStatus>(result);
  assert.equal(final.phase, 'cancelled');
  assert.deepEqual(
    Object.fromEntries(final.tasks.map((t) => [t.id, t.state])),
    {
      quick: 'succeeded',
      outer: 'cancelled',
      'outer/inner': 'cancelled',
      'outer/inner/stuck': 'cancelled',
      'outer/waits': 'blocked',
    },
    'every level in a final state',
  );
  assert.ok(final.tasks.every((t) => SETTLED_STATES.includes(t.state)));
  // The child runs end too (each a moment after it sent its end up), as Temporal's Canceled.
  for (const id of [`${runId}/outer`, `${runId}/outer/inner`]) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { status } = await temporal.client.workflow.getHandle(id).describe();
      if (status.name !== 'RUNNING') {
        assert.equal(status.name, 'CANCELLED', `${id} closed as cancelled`);
        break;
      }
      assert.ok(Date.now() < deadline, `${id} closed`);
      await sleep(200);
    }
  }
});
