// Every view of a run speaks the status JSON's shape and vocabulary (DESIGN.md §7): `baton list --json` rows are
// { runId, phase, waitingOn, startedAt, endedAt, … } — not Temporal's { status: "COMPLETED", startTime, closeTime }
// — and the MCP list answers the same rows; the status query's answer (what any Temporal client reads) has [] for
// empty lists; `baton list --waiting` prints the Web UI's list filtered by BatonWaiting = true; the run's details
// in the Web UI name the run in their commands. The built CLI, a real Temporal dev server, `baton worker --rehearse`
// (the real claude binary against the scripted model) and the MCP inspector's CLI.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { execa, type ResultPromise } from 'execa';
import { statusQuery } from '../../src/workflows/messages.js';
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
name: words
tasks:
  - id: first
    prompt: Go.
  - id: gate
    prompt: Wait for a person.
    dependsOn: [first]
    approval: before
`;
const UI = 'http://ui.example:8233';

let temporal: TestTemporal;
let box: Sandbox;
let worker: ResultPromise;
before(async () => {
  temporal = await testTemporal();
  box = await sandbox('words', { TEMPORAL_ADDRESS: temporal.address, BATON_UI_URL: UI });
  await writeFile(path.join(box.cwd, 'plan.yaml'), PLAN);
  worker = box.spawn(['worker', '--rehearse']);
});
after(async () => {
  await stopProcess(worker, 10_000);
  await box.cleanup();
  await temporal.close();
});

interface Row {
  runId: string;
  phase: string;
  waitingOn: string[];
  startedAt: string;
  endedAt: string | null;
  [key: string]: unknown;
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

async function rowOf(runId: string, args: string[] = []): Promise<Row | undefined> {
  const list = await box.baton(['list', '--json', ...args]);
  assert.equal(list.exitCode, 0, describeResult(list));
  return jsonOf<Row[]>(list).find((r) => r.runId === runId);
}

async function mcpRows(args: string[]): Promise<Row[]> {
  const called = await execa(
    path.join(NODE_BIN_DIR, 'mcp-inspector'),
    ['--cli', process.execPath, BATON_CLI, 'mcp', '--method', 'tools/call', '--tool-name', 'baton_list_runs', ...args],
    { cwd: box.cwd, env: box.env, extendEnv: false, reject: false, stdin: 'ignore', timeout: 60_000 },
  );
  assert.equal(called.exitCode, 0, `${called.stdout}\n${called.stderr}`);
  const answer = JSON.parse(called.stdout.slice(called.stdout.indexOf('{'))) as { structuredContent: { runs: Row[] } };
  return answer.structuredContent.runs;
}

void test('list rows, the MCP list and the status query speak the status vocabulary; the UI links name the run', async () => {
  const runId = `words-${Date.now().toString(36)}`;
  const started = await box.baton(['start', 'plan.yaml', '--rehearse', '--id', runId]);
  assert.equal(started.exitCode, 0, describeResult(started));
  await waitFor('the gate', async () => {
    const s = jsonOf<RunStatus>(await box.baton(['status', runId, '--json']));
    return s.waitingOn.length > 0 ? s : undefined;
  });

  // A run that waits on a person: its row says its phase and what it waits for, as its status does.
  // Temporal's visibility store (the list's source) follows the run's search attributes a moment later.
  const waiting = await waitFor(`${runId} among the waiting runs`, () => rowOf(runId, ['--waiting']));
  assert.deepEqual(waiting.waitingOn, ['task gate: approval to start — baton approve <run> gate']);
  assert.equal(waiting.phase, 'running');
  assert.match(waiting.startedAt, ISO);
  assert.equal(waiting.endedAt, null);
  for (const word of ['status', 'startTime', 'closeTime']) assert.ok(!(word in waiting), `no "${word}" in a row`);
  // The MCP tool answers the very same row.
  assert.deepEqual(
    (await mcpRows(['--tool-arg', 'waiting=true'])).find((r) => r.runId === runId),
    waiting,
    'baton_list_runs and baton list --json agree',
  );
  // The Web UI's list of the runs that wait on a person: the same query, filtered there by BatonWaiting.
  const listed = await box.baton(['list', '--waiting']);
  assert.match(listed.stdout, new RegExp(`^${runId}\\s+running\\s+task gate: approval to start`, 'm'));
  const query = encodeURIComponent("WorkflowType = 'orchestrate' AND BatonWaiting = true");
  assert.ok(listed.stderr.includes(`Web UI: ${UI}/namespaces/default/workflows?query=${query}`), listed.stderr);

  // What any Temporal client reads from the status query: [] for an empty list, never null.
  const handle = temporal.client.workflow.getHandle(runId);
  const queried = await handle.query(statusQuery);
  assert.deepEqual(queried.tasks.find((t) => t.id === 'first')?.dependsOn, []);
  assert.ok(Array.isArray(queried.waitingOn));
  // The run's details in the Web UI name the run in the command that answers the gate.
  const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  assert.ok(metadata.currentDetails?.includes(`baton approve ${runId} gate`), metadata.currentDetails);

  const approved = await box.baton(['approve', runId, 'gate']);
  assert.equal(approved.exitCode, 0, describeResult(approved));
  const result = await box.baton(['result', runId, '--json']);
  assert.equal(result.exitCode, 0, describeResult(result));
  const final = jsonOf<RunStatus>(result);
  assert.deepEqual(final.waitingOn, []);

  // An ended run: its phase, its end, nothing to wait on — in the list as in its status.
  const ended = await waitFor('the run closed in the list', async () => {
    const row = await rowOf(runId);
    return row?.phase === 'running' ? undefined : row;
  });
  assert.equal(ended.phase, 'completed');
  assert.equal(ended.endedAt !== null && ISO.test(ended.endedAt), true, JSON.stringify(ended));
  assert.deepEqual(ended.waitingOn, []);
  assert.equal(await rowOf(runId, ['--waiting']), undefined, 'no longer among the waiting runs');
});
