// Issue 19, finding 5 — runs overwrite each other. Through the built CLI on the suite's Temporal server: a run id
// is never reused (`run`/`start --id X` while any run X exists, open or closed, exits 2 naming it), generated ids
// carry 48 random bits, and ids that differ only in characters a folder cannot hold (team:x, team/x) keep apart.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { describeResult, jsonOf, sandbox, type RunStatus, type Sandbox } from '../helpers/cli.js';
import { testTemporal, type TestTemporal } from '../helpers/temporal.js';

let temporal: TestTemporal;
let box: Sandbox;
before(async () => {
  temporal = await testTemporal();
  box = await sandbox('run-ids', { TEMPORAL_ADDRESS: temporal.address });
  await writeFile(
    path.join(box.cwd, 'ids.yaml'),
    'version: 1\nname: ids\ntasks:\n  - id: write\n    prompt: Write it.\n    expectedOutputs: [out.md]\n',
  );
});
after(async () => {
  await box.cleanup();
  await temporal.close();
});

const stamp = Date.now().toString(36);

void test('baton run --id X a second time, after X ended, exits 2 naming X and leaves X as it was', async () => {
  const id = `ids-again-${stamp}`;
  const first = await box.baton(['run', '--rehearse', 'ids.yaml', '--id', id, '--json'], { timeoutMs: 120_000 });
  assert.equal(first.exitCode, 0, describeResult(first));
  const artifact = jsonOf<RunStatus>(first).tasks[0]?.artifactPath ?? '';
  const kept = await readFile(artifact, 'utf8');

  const again = await box.baton(['run', '--rehearse', 'ids.yaml', '--id', id], { timeoutMs: 120_000 });
  assert.equal(again.exitCode, 2, describeResult(again));
  assert.match(again.stderr, new RegExp(`a run with id "${id}" already exists \\(completed\\)`), describeResult(again));
  assert.match(again.stderr, /never reused/);
  const start = await box.baton(['start', 'ids.yaml', '--id', id]);
  assert.equal(start.exitCode, 2, describeResult(start));
  assert.match(start.stderr, new RegExp(`"${id}" already exists`));
  assert.equal(await readFile(artifact, 'utf8'), kept, "the first run's result is untouched");
  const runs = await temporal.client.workflow.count(`WorkflowId = '${id}'`);
  assert.equal(runs.count, 1, 'one run with that id, ever');
});

void test('a generated run id carries 48 random bits', async () => {
  const start = await box.baton(['start', 'ids.yaml', '--json']);
  assert.equal(start.exitCode, 0, describeResult(start));
  const { runId } = jsonOf<{ runId: string }>(start);
  try {
    assert.match(runId, /^baton-ids-[0-9a-f]{12}$/);
  } finally {
    await temporal.client.workflow.getHandle(runId).terminate('test over');
  }
});

void test('run ids team:x and team/x keep their files apart', async () => {
  const results: string[] = [];
  for (const id of [`team:x-${stamp}`, `team/x-${stamp}`]) {
    const run = await box.baton(['run', '--rehearse', 'ids.yaml', '--id', id, '--json'], { timeoutMs: 120_000 });
    assert.equal(run.exitCode, 0, describeResult(run));
    results.push(jsonOf<RunStatus>(run).tasks[0]?.artifactPath ?? '');
  }
  assert.notEqual(path.dirname(results[0]!), path.dirname(results[1]!), results.join(' vs '));
  for (const file of results) assert.match(await readFile(file, 'utf8'), /./);
});
