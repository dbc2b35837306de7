// `baton mcp` and plans within plans (DESIGN.md §10): the intervention tools reach a task of a sub-plan by its path
// id. The built CLI as the MCP server, the suite's real Temporal dev server, a baton worker running the real `claude`
// against the scripted model.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunStatus } from '../../src/workflows/status.js';
import { toolCalls } from '../helpers/mcp-client.js';
import { mcpSceneForAllTests } from '../helpers/mcp-scene.js';

// The first request of the sub-plan's task "db" gets HTTP 400: not retryable, so it fails for good.
const scene = mcpSceneForAllTests('baton-mcp-tree', {
  db: { failFirst: [{ status: 400, message: 'scripted bad request' }], turns: [{ text: 'db done' }] },
});

const stateOf = (s: RunStatus, id: string) => s.tasks.find((t) => t.id === id)?.state;

void test('baton_retry_task and baton_approve reach tasks of a sub-plan by path id; the child tasks and the run complete', async () => {
  const { ok, refused } = toolCalls(scene.mcp, scene.stderr);
  const poll = async (tool: string, runId: string, done: (s: RunStatus) => boolean, what: string) => {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const status = await ok<RunStatus>(tool, { runId });
      if (done(status)) return status;
      const states = status.tasks.map((t) => `${t.id}=${t.state}`).join(', ');
      assert.ok(Date.now() < deadline, `timed out waiting for ${what}: ${status.phase} [${states}]\n${scene.stderr()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const { runId } = await ok<{ runId: string }>('baton_submit_plan', {
    cwd: scene.cwd,
    plan: {
      version: 1,
      name: 'mcp-tree',
      defaults: { timeout: '60s', retries: 2 },
      tasks: [
        {
          id: 'backend',
          plan: {
            tasks: [
              { id: 'db', prompt: 'Write the data layer.' },
              { id: 'routes', prompt: 'Write the routes.', dependsOn: ['db'], approval: 'before' },
            ],
          },
        },
        { id: 'report', prompt: 'Report.', dependsOn: ['backend'] },
      ],
    },
  });

  const failed = await poll(
    'baton_status',
    runId,
    (s) => stateOf(s, 'backend/db') === 'failed' && s.waitingOn.length > 0,
    'the sub-plan task backend/db to fail and wait on a person',
  );
  assert.equal(failed.tasks.find((t) => t.id === 'backend/db')?.parent, 'backend');
  assert.equal(stateOf(failed, 'backend'), 'running', 'the parent task runs while its sub-plan waits');
  assert.match(failed.text, /backend\/db.*baton_retry_task or baton_skip_task/);

  // Refused in the child's own words, naming where.
  const refusal = await refused('baton_approve', { runId, taskId: 'backend/routes' });
  assert.match(refusal, /refused \(in the sub-plan of backend\)/);

  const retried = await ok<RunStatus>('baton_retry_task', { runId, taskId: 'backend/db', note: 'try again' });
  assert.match(retried.text, /baton_retry_task: task backend\/db is now (ready|running|succeeded)/);

  await poll(
    'baton_status',
    runId,
    (s) => stateOf(s, 'backend/routes') === 'awaiting-approval',
    'backend/routes to wait for its approval',
  );
  const approved = await ok<RunStatus>('baton_approve', { runId, taskId: 'backend/routes' });
  assert.match(approved.text, /baton_approve: task backend\/routes is now (ready|running|succeeded)/);

  const final = await poll('baton_result', runId, (s) => s.phase !== 'running', 'the run to end');
  assert.equal(final.phase, 'completed', final.text);
  assert.deepEqual(
    final.tasks.map((t) => [t.id, t.state]),
    [
      ['backend', 'succeeded'],
      ['backend/db', 'succeeded'],
      ['backend/routes', 'succeeded'],
      ['report', 'succeeded'],
    ],
  );
  assert.deepEqual(
    scene.fake.log.filter((entry) => entry.key === 'db').map((entry) => entry.status),
    [400, 200],
    'one rejected request, then the retried attempt answered',
  );
  assert.equal(
    scene.fake.log.filter((entry) => entry.key === 'routes').length,
    1,
    'routes ran once, after its approval',
  );
});
