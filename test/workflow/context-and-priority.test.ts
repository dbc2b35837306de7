// What a task is told (its dependencies' results) and when it starts (priority before plan order).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { forAllTests } from '../helpers/for-all-tests.js';
import { describeStatus, plan, taskOf, withHarness, workflowTemporal } from '../helpers/workflow-harness.js';

const temporal = forAllTests(workflowTemporal);

void test("a dependent's prompt carries each dependency's result summary and artifact path", async () => {
  const script = {
    schema: { turns: [{ text: 'Schema: users(id, email) lives in db/schema.sql' }] },
    routes: { turns: [{ text: 'Routes: POST /login in src/routes/auth.ts' }] },
    synth: { turns: [{ text: 'Synthesis done' }] },
  };
  await withHarness(temporal, { script }, async (h) => {
    const handle = await h.start(
      plan(
        'context',
        [
          { id: 'schema', title: 'Database schema', prompt: 'Design the schema.' },
          { id: 'routes', title: 'Login route', prompt: 'Write the route.' },
          { id: 'synth', prompt: 'Sum it up.', dependsOn: ['schema', 'routes'] },
        ],
        { goal: 'Build login' },
      ),
    );
    const final = await h.result(handle);
    assert.equal(final.phase, 'completed', describeStatus(final));
    const requests = h.fake.requestsFor('synth');
    assert.equal(requests.length, 1);
    const prompt = requests[0]!.firstUserText;
    assert.match(prompt, /## Goal of the whole run\s+Build login/);
    for (const [id, title, summary] of [
      ['schema', 'Database schema', 'Schema: users(id, email) lives in db/schema.sql'],
      ['routes', 'Login route', 'Routes: POST /login in src/routes/auth.ts'],
    ] as const) {
      const dep = taskOf(final, id);
      assert.equal(dep.summary, summary);
      assert.ok(dep.artifactPath?.startsWith(h.artifactsDir), `artifact of ${id}: ${dep.artifactPath}`);
      assert.equal(await readFile(dep.artifactPath!, 'utf8'), summary, 'the artifact holds the full result');
      assert.ok(prompt.includes(`### ${id}: ${title}\n\n${summary}`), `summary of ${id} in:\n${prompt}`);
      assert.ok(prompt.includes(`Full result: ${dep.artifactPath}`), `artifact path of ${id} in:\n${prompt}`);
    }
    // A task without dependencies gets no results section.
    assert.doesNotMatch(h.fake.requestsFor('schema')[0]!.firstUserText, /Results of dependencies/);
  });
});

void test('with maxParallel 1, higher priority starts first, then plan order', async () => {
  const ids = ['low', 'mid-a', 'high', 'mid-b', 'negative'];
  await withHarness(temporal, { script: {} }, async (h) => {
    const handle = await h.start(
      plan(
        'priority',
        [
          { id: 'low', prompt: 'Low.' },
          { id: 'mid-a', prompt: 'Mid a.', priority: 5 },
          { id: 'high', prompt: 'High.', priority: 10 },
          { id: 'mid-b', prompt: 'Mid b.', priority: 5 },
          { id: 'negative', prompt: 'Last.', priority: -3 },
        ],
        { maxParallel: 1 },
      ),
    );
    const final = await h.result(handle);
    assert.equal(final.phase, 'completed', describeStatus(final));
    const firstRequest = (id: string) => h.fake.requestsFor(id)[0]?.receivedAt ?? Infinity;
    const order = [...ids].sort((a, b) => firstRequest(a) - firstRequest(b));
    assert.deepEqual(order, ['high', 'mid-a', 'mid-b', 'low', 'negative']);
    // And one at a time: each started after the previous one's agent had been answered.
    const byStart = [...final.tasks].sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? ''));
    assert.deepEqual(
      byStart.map((t) => t.id),
      order,
    );
  });
});
