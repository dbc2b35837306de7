// Plans within plans (DESIGN.md §10) on a real Temporal dev server with the real claude and the scripted model: an
// inline sub-plan and a sub-goal run as child workflows, in dependency order across levels, each level told what
// the one before it did; the parent's status lists the children's tasks with path ids; costs add up the tree.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TaskScript } from '../../src/rehearsal/fake-model.js';
import type { TestTemporal } from '../helpers/temporal.js';
import {
  COST_PER_REQUEST_USD,
  describeStatus,
  intervalsOf,
  plan,
  taskOf,
  withHarness,
  workflowTemporal,
} from '../helpers/workflow-harness.js';

let temporal: TestTemporal;
before(async () => {
  temporal = await workflowTemporal();
});
after(async () => {
  await temporal.close();
});

/** The planner answers with this plan (through the StructuredOutput tool --json-schema adds). */
export function plannerAnswer(tasks: { id: string; prompt: string; dependsOn?: string[] }[]): TaskScript {
  const input = { version: 1, name: 'planned', goal: 'Planned goal', tasks };
  return { turns: [{ toolUse: { name: 'StructuredOutput', input } }, { text: 'Planned.' }] };
}

const said = (id: string): TaskScript => ({ turns: [{ text: `${id} result` }] });

void test('an inline sub-plan and a sub-goal complete in dependency order across levels, with path ids and the whole cost', async () => {
  const script: Record<string, TaskScript> = {
    schema: said('schema'),
    db: said('db'),
    api: said('api'),
    'login-form': said('login-form'),
    'login-test': said('login-test'),
    report: said('report'),
    planner: plannerAnswer([
      { id: 'login-form', prompt: 'Write the login form.' },
      { id: 'login-test', prompt: 'Test the login form.', dependsOn: ['login-form'] },
    ]),
  };
  await withHarness(temporal, { script }, async (h) => {
    const handle = await h.start(
      plan(
        'shop',
        [
          { id: 'schema', prompt: 'Design the tables.' },
          {
            id: 'backend',
            dependsOn: ['schema'],
            plan: {
              tasks: [
                { id: 'db', prompt: 'Write the data layer.' },
                { id: 'api', prompt: 'Write the API.', dependsOn: ['db'] },
              ],
            },
          },
          { id: 'frontend', goal: 'Build the login page', dependsOn: ['backend'] },
          { id: 'report', prompt: 'Report.', dependsOn: ['backend', 'frontend'] },
        ],
        { goal: 'Build the shop' },
      ),
    );
    const final = await h.result(handle, 120_000);
    assert.equal(final.phase, 'completed', describeStatus(final));
    assert.deepEqual(
      final.tasks.map((t) => [t.id, t.state, t.parent ?? null]),
      [
        ['schema', 'succeeded', null],
        ['backend', 'succeeded', null],
        ['backend/db', 'succeeded', 'backend'],
        ['backend/api', 'succeeded', 'backend'],
        ['frontend', 'succeeded', null],
        ['frontend/login-form', 'succeeded', 'frontend'],
        ['frontend/login-test', 'succeeded', 'frontend'],
        ['report', 'succeeded', null],
      ],
    );
    assert.deepEqual(taskOf(final, 'backend/api').dependsOn, ['backend/db']);
    assert.equal(taskOf(final, 'backend').child?.runId, `${handle.workflowId}/backend`);

    // Dependency order across levels: each agent starts after what it waits for has answered.
    const spans = new Map(intervalsOf(h.fake.log).map((i) => [i.key, i]));
    const before = (a: string, b: string) =>
      assert.ok(spans.get(a)!.end <= spans.get(b)!.start, `${a} ended before ${b} started`);
    before('schema', 'db');
    before('db', 'api');
    before('api', 'planner');
    before('login-form', 'login-test');
    before('login-test', 'report');

    // Each level is told what the one before it did.
    const first = (key: string) => h.fake.requestsFor(key)[0]!.firstUserText;
    assert.match(first('db'), /schema result/, "backend's first task builds on schema's result");
    assert.match(first('db'), /- Build the shop/, 'and knows the goals of the plans above');
    assert.match(first('planner'), /task `frontend` of a larger run/);
    assert.match(first('planner'), /api result/, "frontend's planner sees backend's synthesis");
    assert.match(first('login-form'), /api result/, "the planned plan's first task too");
    assert.match(first('report'), /### backend: backend\n\n### api: api\n\napi result/, "backend's synthesis");
    assert.match(first('report'), /login-test result/, "frontend's synthesis: its last task's result");
    assert.doesNotMatch(first('report'), /login-form result/, 'not the tasks something in it depends on');

    // Every request of the tree counts in the root's cost.
    const requests = h.fake.log.filter((e) => e.key !== null).length;
    assert.ok(Math.abs(final.costUsd - requests * COST_PER_REQUEST_USD) < 1e-6, `${final.costUsd} for ${requests}`);

    // Real child workflows: each names its parent.
    const child = await h.client.workflow.getHandle(`${handle.workflowId}/frontend`).describe();
    assert.equal(child.parentExecution?.workflowId, handle.workflowId);
    assert.equal(child.status.name, 'COMPLETED');
  });
});
