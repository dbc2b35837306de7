// `baton mcp` end to end: the built CLI as an MCP server on stdio, driven by the SDK's own client, against
// the suite's real Temporal dev server, with a baton worker running the real `claude` binary against the
// scripted model. What a Claude Code session acting as orchestrator would do: list the tools, submit a plan
// in one call, read its status until it waits, retry the failed task, read the result — and get told what
// was wrong when it calls a tool badly.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { textOf, toolCalls } from '../helpers/mcp-client.js';
import { mcpSceneForAllTests } from '../helpers/mcp-scene.js';
import { uniqueQueue } from '../helpers/temporal.js';

// The example orchestrator subagent that ships with baton (repository root: three levels up from here).
const ORCHESTRATOR = fileURLToPath(new URL('../../../examples/claude/agents/orchestrator.md', import.meta.url));

const EXPECTED_TOOLS = [
  'baton_submit_plan',
  'baton_start_goal',
  'baton_status',
  'baton_list_runs',
  'baton_result',
  'baton_notes',
  'baton_approve',
  'baton_reject',
  'baton_pause',
  'baton_resume',
  'baton_retry_task',
  'baton_skip_task',
  'baton_cancel_task',
  'baton_guide',
  'baton_add_tasks',
  'baton_answer',
  'baton_abort',
];

// The model answers the first request of task "flaky" with HTTP 400: not retryable, so it fails for good.
const scene = mcpSceneForAllTests('baton-mcp', {
  flaky: { failFirst: [{ status: 400, message: 'scripted bad request' }] },
});

const ok = <T>(name: string, args: Record<string, unknown>) => toolCalls(scene.mcp, scene.stderr).ok<T>(name, args);
const refused = (name: string, args: Record<string, unknown>) => toolCalls(scene.mcp, scene.stderr).refused(name, args);

async function pollStatus(
  tool: 'baton_status' | 'baton_result',
  runId: string,
  predicate: (s: RunStatus) => boolean,
  what: string,
  timeoutMs = 90_000,
): Promise<RunStatus & { text: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await ok<RunStatus>(tool, { runId });
    if (predicate(status)) return status;
    if (Date.now() > deadline) {
      const states = status.tasks.map((t) => `${t.id}=${t.state}`).join(', ');
      assert.fail(`timed out waiting for ${what}: ${status.phase} [${states}]\nbaton mcp stderr:\n${scene.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface JsonSchemaNode {
  $ref?: string;
  properties?: Record<string, unknown>;
  items?: JsonSchemaNode;
  [key: string]: unknown;
}

/** `node`, or the definition of `root` its `$ref` (`#/definitions/…` or `#/$defs/…`) names. */
function resolveRef(root: JsonSchemaNode, node: JsonSchemaNode): JsonSchemaNode {
  if (!node.$ref) return node;
  const [, section, name] = /^#\/(definitions|\$defs)\/(.+)$/.exec(node.$ref) ?? [];
  const target = section && name ? (root[section] as Record<string, JsonSchemaNode> | undefined)?.[name] : undefined;
  assert.ok(target, `${node.$ref} resolves in the schema`);
  return target;
}

const stateOf = (s: RunStatus, id: string) => s.tasks.find((t) => t.id === id)?.state;

void test('lists every baton tool, each with a JSON Schema of its arguments derived from the zod schemas', async () => {
  const { tools } = await scene.mcp.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(), [...EXPECTED_TOOLS].sort());
  const byName = new Map(tools.map((t) => [t.name, t]));
  for (const tool of tools) {
    assert.equal(tool.inputSchema.type, 'object', `${tool.name} takes an object`);
    assert.ok(tool.description && tool.description.length > 20, `${tool.name} says what it does`);
  }
  const schema = (name: string) =>
    byName.get(name)?.inputSchema as { properties: Record<string, unknown>; required?: string[] };
  // The intervention payloads of src/workflows/messages.ts, plus the run id.
  assert.deepEqual(schema('baton_retry_task').required, ['runId', 'taskId']);
  assert.deepEqual(Object.keys(schema('baton_retry_task').properties), ['runId', 'taskId', 'prompt', 'note', 'reset']);
  assert.deepEqual(schema('baton_guide').required, ['runId', 'taskId', 'message']);
  assert.deepEqual(schema('baton_reject').required, ['runId', 'reason']);
  assert.deepEqual(Object.keys(schema('baton_resume').properties), ['runId', 'budgetUsd']);
  // Tasks to add have the plan's task shape; a submitted plan may be an object of the plan's shape, or text.
  // A task may carry a sub-plan of tasks (DESIGN.md §10): the schema is recursive, its task shape a definition.
  const addTasksSchema = schema('baton_add_tasks') as unknown as JsonSchemaNode;
  const taskItem = resolveRef(addTasksSchema, (addTasksSchema.properties!.tasks as JsonSchemaNode).items!);
  assert.ok(taskItem.properties && 'prompt' in taskItem.properties && 'dependsOn' in taskItem.properties);
  const plan = schema('baton_submit_plan').properties.plan as { anyOf: Array<{ type: string; properties?: object }> };
  assert.deepEqual(plan.anyOf.map((branch) => branch.type).sort(), ['object', 'string']);
  const planObject = plan.anyOf.find((branch) => branch.type === 'object');
  assert.ok(planObject?.properties && 'tasks' in planObject.properties && 'onFailure' in planObject.properties);
});

void test('a plan submitted in one call runs; a task that fails for good waits, baton_retry_task runs it again and the run completes', async () => {
  const started = Date.now();
  const submitted = await ok<{ runId: string; uiUrl: string | null; tasks: number; workerSeen: boolean | null }>(
    'baton_submit_plan',
    {
      cwd: scene.cwd,
      plan: {
        version: 1,
        name: 'mcp-demo',
        onFailure: 'wait',
        defaults: { timeout: '60s', retries: 2 },
        tasks: [
          { id: 'prepare', prompt: 'Prepare the ground.' },
          { id: 'flaky', prompt: 'Do the part whose first request the model rejects.', dependsOn: ['prepare'] },
          { id: 'report', prompt: 'Report on everything.', dependsOn: ['flaky'] },
        ],
      },
    },
  );
  assert.match(submitted.runId, /^baton-mcp-demo-[0-9a-f]{12}$/);
  assert.equal(submitted.tasks, 3);
  assert.equal(submitted.workerSeen, true, 'the test worker polls the queue');
  assert.match(submitted.text, new RegExp(`Started run ${submitted.runId}`));
  const { runId } = submitted;

  const waiting = await pollStatus(
    'baton_status',
    runId,
    (s) => stateOf(s, 'flaky') === 'failed' && s.waitingOn.length > 0,
    'task flaky to fail and the run to wait on a person',
  );
  console.log(`failed for good and waiting after ${Date.now() - started} ms`);
  assert.equal(waiting.phase, 'running');
  assert.equal(stateOf(waiting, 'prepare'), 'succeeded');
  assert.equal(stateOf(waiting, 'report'), 'blocked');
  const flaky = waiting.tasks.find((t) => t.id === 'flaky');
  assert.equal(flaky?.attempts, 1, 'a 400 is not retried by Temporal');
  assert.match(flaky?.error ?? '', /400/);
  // The CLI's hint in waitingOn is named as the tools that act on it.
  assert.match(waiting.text, /flaky.*baton_retry_task or baton_skip_task/);

  // The run lists among those waiting on a person.
  const waitingRuns = await ok<{ runs: Array<{ runId: string }> }>('baton_list_runs', { waiting: true });
  assert.ok(
    waitingRuns.runs.some((r) => r.runId === runId),
    `${runId} in ${JSON.stringify(waitingRuns.runs)}`,
  );

  // A refusal says why, in the workflow's words.
  const refusal = await refused('baton_retry_task', { runId, taskId: 'prepare' });
  assert.match(refusal, /^baton_retry_task refused: task prepare is succeeded, not failed or cancelled/);

  const retried = await ok<RunStatus>('baton_retry_task', { runId, taskId: 'flaky', note: 'try again' });
  assert.notEqual(stateOf(retried, 'flaky'), 'failed', 'the retry answers the status after the change');
  assert.match(retried.text, /baton_retry_task: task flaky is now/);

  const final = await pollStatus('baton_result', runId, (s) => s.phase !== 'running', 'the run to end');
  console.log(`completed after ${Date.now() - started} ms`);
  assert.equal(final.phase, 'completed', final.text);
  assert.match(final.text, /The run has ended/);
  assert.deepEqual(
    final.tasks.map((t) => [t.id, t.state]),
    [
      ['prepare', 'succeeded'],
      ['flaky', 'succeeded'],
      ['report', 'succeeded'],
    ],
  );
  const flakyRequests = scene.fake.log.filter((entry) => entry.key === 'flaky');
  assert.deepEqual(
    flakyRequests.map((entry) => entry.status),
    [400, 200],
    'one rejected request, then the retried attempt answered',
  );
});

void test('bad arguments and unknown runs come back as tool errors that say what was wrong', async () => {
  const missingTask = await refused('baton_retry_task', { runId: 'baton-any-000000' });
  assert.match(missingTask, /taskId/);

  const extraKey = await refused('baton_status', { runId: 'baton-any-000000', task: 'x' });
  assert.match(extraKey, /"task"/);

  // A plan as YAML text, with a cycle: the same rules (and words) as a plan file, nothing started.
  const cycle = await refused('baton_submit_plan', {
    cwd: scene.cwd,
    plan: [
      'version: 1',
      'name: loop',
      'tasks:',
      '  - id: a',
      '    prompt: First.',
      '    dependsOn: [b]',
      '  - id: b',
      '    prompt: Second.',
      '    dependsOn: [a]',
    ].join('\n'),
  });
  assert.match(cycle, /Invalid plan/);
  assert.match(cycle, /dependency cycle: a → b → a/);
  const loops = await ok<{ runs: Array<{ runId: string }> }>('baton_list_runs', {});
  assert.ok(!loops.runs.some((r) => r.runId.startsWith('baton-loop-')), 'an invalid plan starts nothing');

  const unknownDependency = await refused('baton_submit_plan', {
    cwd: scene.cwd,
    plan: { version: 1, name: 'typo', tasks: [{ id: 'a', prompt: 'x', dependsOn: ['nope'], agnet: 'coder' }] },
  });
  assert.match(unknownDependency, /Invalid plan \(2 problems\)/);
  assert.match(unknownDependency, /no task has that id/);
  assert.match(unknownDependency, /unknown key "agnet" \(did you mean "agent"\?\)/);

  const unknownRun = await refused('baton_status', { runId: 'baton-nowhere-000000' });
  assert.match(unknownRun, /no run with id baton-nowhere-000000/);
  const unknownRunIntervention = await refused('baton_pause', { runId: 'baton-nowhere-000000' });
  assert.match(unknownRunIntervention, /no run with id baton-nowhere-000000/);

  const emptyGoal = await refused('baton_start_goal', { goal: '' });
  assert.match(emptyGoal, /goal must not be empty/);

  await assert.rejects(scene.mcp.callTool({ name: 'baton_nope', arguments: {} }), /unknown tool baton_nope/);
});

void test('with no worker on the task queue, submit says so, and status and interventions say it at once instead of hanging', async () => {
  const lonely = await scene.startMcp(uniqueQueue('baton-mcp-unserved'));
  const callLonely = async (name: string, args: Record<string, unknown>) =>
    (await lonely.callTool({ name, arguments: args })) as CallToolResult;
  let runId: string | undefined;
  try {
    const submitted = await callLonely('baton_submit_plan', {
      cwd: scene.cwd,
      plan: { version: 1, name: 'unserved', tasks: [{ id: 'only', prompt: 'Nobody will run this.' }] },
    });
    assert.ok(!submitted.isError, textOf(submitted));
    runId = (submitted.structuredContent as { runId: string }).runId;
    assert.equal((submitted.structuredContent as { workerSeen: boolean | null }).workerSeen, false);
    assert.match(textOf(submitted), /No worker polls task queue "baton-mcp-unserved-[0-9a-f]+" yet/);

    const started = Date.now();
    for (const [name, args] of [
      ['baton_status', { runId }],
      ['baton_result', { runId }],
      ['baton_pause', { runId }],
    ] as const) {
      const answer = await callLonely(name, args);
      assert.equal(answer.isError, true, `${name}: ${textOf(answer)}`);
      assert.match(textOf(answer), /no baton worker serves its task queue "baton-mcp-unserved-[0-9a-f]+"/);
    }
    // Without the check, the query alone takes 30 s to fail and the update waits for ever.
    assert.ok(Date.now() - started < 5_000, `answered in ${Date.now() - started} ms`);
  } finally {
    await lonely.close();
    if (runId) await scene.temporal.client.workflow.getHandle(runId).terminate('test cleanup');
  }
});

void test('the example orchestrator subagent may call every baton tool, by the names Claude Code gives them', async () => {
  const text = await readFile(ORCHESTRATOR, 'utf8');
  const frontMatter = /^---\n([\s\S]*?)\n---\n/.exec(text)?.[1] ?? '';
  assert.match(frontMatter, /^name: orchestrator$/m);
  assert.match(frontMatter, /^description: .{40,}$/m);
  const tools = (/^tools: (.*)$/m.exec(frontMatter)?.[1] ?? '').split(',').map((t) => t.trim());
  const { tools: served } = await scene.mcp.listTools();
  assert.deepEqual(
    tools.filter((t) => t.startsWith('mcp__')).sort(),
    served.map((t) => `mcp__baton__${t.name}`).sort(),
  );
});
