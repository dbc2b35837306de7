// `--rehearse` wherever a run can start or an agent can run (DESIGN.md §6): `baton start --rehearse` hands the run
// to the rehearsal queue, where `baton worker --rehearse` runs the real claude binary against the built-in scripted
// model (no API key, no cost) — from a plan or from a goal; a plain run is never taken by the rehearsal worker. And
// the MCP start tools' `rehearse: true`, called through the MCP inspector's CLI (a real MCP client that baton did
// not write), offline. The built CLI and a real Temporal dev server; no fake model of the test's own.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { execa, type ResultPromise } from 'execa';
import type { RunStatus } from '../../src/workflows/status.js';
import {
  BATON_CLI,
  NODE_BIN_DIR,
  describeResult,
  jsonOf,
  sandbox,
  stopProcess,
  waitFor,
  type Sandbox,
} from '../helpers/cli.js';
import { testTemporal, type TestTemporal } from '../helpers/temporal.js';

const PLAN = `version: 1
name: rehearsed
tasks:
  - id: write
    prompt: Write the notes.
    expectedOutputs: [out/notes.md]
  - id: review
    prompt: Review the notes.
    dependsOn: [write]
`;

let temporal: TestTemporal;
let box: Sandbox;
let worker: ResultPromise;
let log = '';
before(async () => {
  temporal = await testTemporal();
  box = await sandbox('rehearse', { TEMPORAL_ADDRESS: temporal.address });
  await writeFile(path.join(box.cwd, 'plan.yaml'), PLAN);
  worker = box.spawn(['worker', '--rehearse']);
  worker.all?.on('data', (chunk: Buffer) => (log += chunk.toString()));
});
after(async () => {
  await stopProcess(worker, 10_000);
  await box.cleanup();
  await temporal.close();
});

const states = (s: RunStatus) => s.tasks.map((t) => `${t.id}:${t.state}`).join(' ');

void test('baton start --rehearse runs on baton worker --rehearse: a plan and a goal complete, a plain run is left alone', async () => {
  const runId = `rehearse-plan-${Date.now().toString(36)}`;
  const started = await box.baton(['start', 'plan.yaml', '--rehearse', '--id', runId]);
  assert.equal(started.exitCode, 0, describeResult(started));
  assert.match(started.stderr, /baton worker --rehearse.*task queue "[^"]+-rehearsal"/s, describeResult(started));
  const result = await box.baton(['result', runId, '--json']);
  assert.equal(result.exitCode, 0, `${describeResult(result)}\n--- worker\n${log}`);
  const final = jsonOf<RunStatus>(result);
  assert.equal(states(final), 'write:succeeded review:succeeded');
  assert.match(await readFile(path.join(box.cwd, 'out', 'notes.md'), 'utf8'), /Rehearsal output of task write/);
  const { taskQueue } = await temporal.client.workflow.getHandle(runId).describe();
  assert.equal(taskQueue, `${box.taskQueue}-rehearsal`);
  assert.match(log, /rehearsal: agents talk to a scripted model/);

  // From a goal: the planner is the scripted model too.
  const goalRun = `rehearse-goal-${Date.now().toString(36)}`;
  const fromGoal = await box.baton(['start', '--goal', 'Write a haiku about queues', '--rehearse', '--id', goalRun]);
  assert.equal(fromGoal.exitCode, 0, describeResult(fromGoal));
  const planned = await box.baton(['result', goalRun, '--json']);
  assert.equal(planned.exitCode, 0, `${describeResult(planned)}\n--- worker\n${log}`);
  assert.equal(jsonOf<RunStatus>(planned).phase, 'completed');
  assert.ok(jsonOf<RunStatus>(planned).tasks.length > 0, 'the planner gave tasks');

  // A plain run goes to the real queue, which the rehearsal worker does not serve: nobody picks it up.
  const plainRun = `rehearse-plain-${Date.now().toString(36)}`;
  const plain = await box.baton(['start', 'plan.yaml', '--id', plainRun]);
  assert.equal(plain.exitCode, 0, describeResult(plain));
  const waiting = await waitFor(
    'status to say no worker picked the plain run up',
    async () => {
      const s = jsonOf<RunStatus>(await box.baton(['status', plainRun, '--json']));
      return s.waitingOn.some((w) => /no worker has picked up this run/.test(w)) ? s : undefined;
    },
    20_000,
  );
  assert.equal(states(waiting), 'write:ready review:pending');
  await temporal.client.workflow.getHandle(plainRun).terminate('test over');

  // --rehearse with --activities-only makes no sense (a rehearsal routes nothing): refused, exit 2.
  const refused = await box.baton(['worker', '--rehearse', '--activities-only']);
  assert.equal(refused.exitCode, 2, describeResult(refused));
  assert.match(refused.stderr, /--rehearse.*--activities-only/);
});

/** `mcp-inspector --cli` (the MCP inspector, a dev dependency) calling one tool of `baton mcp`, as JSON. */
async function inspect(tool: string, args: Record<string, string>): Promise<Record<string, unknown>> {
  const toolArgs = Object.entries(args).flatMap(([k, v]) => ['--tool-arg', `${k}=${v}`]);
  const inspector = path.join(NODE_BIN_DIR, 'mcp-inspector');
  const called = await execa(
    inspector,
    ['--cli', process.execPath, BATON_CLI, 'mcp', '--method', 'tools/call', '--tool-name', tool, ...toolArgs],
    { cwd: box.cwd, env: box.env, extendEnv: false, reject: false, stdin: 'ignore', timeout: 120_000 },
  );
  const said = `mcp-inspector ${tool}: exit ${called.exitCode}\n${called.stdout}\n${called.stderr}`;
  assert.equal(called.exitCode, 0, said);
  const answer = JSON.parse(called.stdout.slice(called.stdout.indexOf('{'))) as Record<string, unknown>;
  assert.notEqual(answer.isError, true, said);
  return answer.structuredContent as Record<string, unknown>;
}

void test('the MCP start tools take rehearse: true — through the MCP inspector CLI, offline — and a rehearsal worker runs the run', async () => {
  const plan = JSON.stringify({
    version: 1,
    name: 'inspected',
    tasks: [{ id: 'hello', prompt: 'Say hello.', expectedOutputs: ['out/hello.txt'] }],
  });
  const submitted = await inspect('baton_submit_plan', { plan, rehearse: 'true' });
  assert.equal(submitted.taskQueue, `${box.taskQueue}-rehearsal`);
  assert.equal(submitted.rehearse, true);
  assert.equal(submitted.workerSeen, true, 'the rehearsal worker polls the rehearsal queue');
  const runId = String(submitted.runId);
  const ended = await inspect('baton_result', { runId, waitSeconds: '90' });
  assert.equal(ended.ended, true, JSON.stringify(ended));
  assert.equal(ended.phase, 'completed', JSON.stringify(ended));
  assert.match(await readFile(path.join(box.cwd, 'out', 'hello.txt'), 'utf8'), /Rehearsal output of task hello/);

  // baton_start_goal with rehearse: true plans with the scripted model and runs what it planned.
  const goal = await inspect('baton_start_goal', { goal: 'Greet the team', rehearse: 'true' });
  assert.equal(goal.taskQueue, `${box.taskQueue}-rehearsal`);
  const goalEnded = await inspect('baton_result', { runId: String(goal.runId), waitSeconds: '90' });
  assert.equal(goalEnded.phase, 'completed', JSON.stringify(goalEnded));
});

void test('a rehearsed run talks back (DESIGN §13): the scripted model notes and asks when told; baton mcp reads the notes and answers', async () => {
  const plan = [
    'version: 1',
    'name: rehearsed-talk',
    'tasks:',
    '  - id: scout',
    '    prompt: |',
    '      Look around.',
    '      note: findings = the cache is cold',
    '  - id: asker',
    '    prompt: |',
    '      Decide.',
    '      ask: Ship it today?',
    '      read notes',
    '    dependsOn: [scout]',
    '',
  ].join('\n');
  await writeFile(path.join(box.cwd, 'talk.yaml'), plan);
  const runId = `rehearse-talk-${Date.now().toString(36)}`;
  const started = await box.baton(['start', 'talk.yaml', '--rehearse', '--id', runId]);
  assert.equal(started.exitCode, 0, describeResult(started));
  const waiting = await waitFor(
    'the rehearsed agent to ask',
    async () => {
      const s = jsonOf<RunStatus>(await box.baton(['status', runId, '--json']));
      return s.tasks.find((t) => t.id === 'asker')?.state === 'awaiting-answer' ? s : undefined;
    },
    90_000,
  );
  assert.ok(
    waiting.waitingOn.some((w) => w.includes('Ship it today?')),
    waiting.waitingOn.join('\n'),
  );

  const notes = await inspect('baton_notes', { runId });
  assert.deepEqual(
    (notes.notes as { key: string; text: string; taskId: string }[]).map((n) => [n.key, n.taskId, n.text]),
    [['findings', 'scout', 'the cache is cold']],
  );
  await inspect('baton_answer', { runId, taskId: 'asker', text: 'Yes, today.' });

  const result = await box.baton(['result', runId, '--json']);
  assert.equal(result.exitCode, 0, `${describeResult(result)}\n--- worker\n${log}`);
  const final = jsonOf<RunStatus>(result);
  assert.equal(states(final), 'scout:succeeded asker:succeeded');
  assert.match(final.tasks[0]!.summary ?? '', /recorded 1 note/);
  assert.match(final.tasks[1]!.summary ?? '', /heard the answer to its question: Yes, today\./);
});
