// Hostile input, large: a 5,000-task plan validates through the CLI in seconds, and the same plan with
// one cycle deep inside exits 2 naming the cycle, starting nothing.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { describeResult, sandbox } from '../helpers/cli.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import { testTemporal } from '../helpers/temporal.js';

const temporal = forAllTests(testTemporal);
const box = forAllTests(
  () => sandbox('huge-plan', { TEMPORAL_ADDRESS: temporal.address }),
  (b) => b.cleanup(),
);

/** 10 layers × 500 tasks, each depending on two of the layer before, as JSON. */
function hugePlan(cycle: boolean): string {
  const tasks = [];
  for (let l = 0; l < 10; l++) {
    for (let i = 0; i < 500; i++) {
      const dependsOn = l === 0 ? [] : [`t${l - 1}-${i}`, `t${l - 1}-${(i + 1) % 500}`];
      tasks.push({ id: `t${l}-${i}`, prompt: `Part ${i} of layer ${l}.`, dependsOn });
    }
  }
  // A back edge from the first layer to a task of the last closes a long cycle.
  if (cycle) tasks[7]!.dependsOn = ['t9-7'];
  return JSON.stringify({ version: 1, name: 'huge', tasks });
}

void test('a 5,000-task plan validates, and one with a cycle deep inside exits 2 naming it and starts nothing', async () => {
  await writeFile(path.join(box.cwd, 'huge.json'), hugePlan(false));
  await writeFile(path.join(box.cwd, 'huge-cycle.json'), hugePlan(true));

  const ok = await box.baton(['validate', 'huge.json']);
  assert.equal(ok.exitCode, 0, describeResult(ok));
  assert.match(ok.stdout, /5000 tasks/);
  assert.ok(ok.durationMs < 30_000, `validate took ${ok.durationMs} ms`);
  console.log(`validate of 5,000 tasks: ${ok.durationMs} ms`);

  const bad = await box.baton(['start', 'huge-cycle.json', '--id', 'huge-cycle-run']);
  assert.equal(bad.exitCode, 2, describeResult(bad));
  assert.match(bad.stderr, /huge-cycle\.json/);
  const cycle = [...Array.from({ length: 10 }, (_, l) => `t${l}-7`), 't0-7'].join(' → ');
  assert.ok(bad.stderr.includes(`tasks[7].dependsOn[0]: dependency cycle: ${cycle}`), describeResult(bad));
  await assert.rejects(temporal.client.workflow.getHandle('huge-cycle-run').describe(), /not found/i);
});
