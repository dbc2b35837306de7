// Issue 19, finding 8 — timeouts that hold. A task whose timeout passes while its agent runs fails as timed out,
// even when the agent finishes its answer within the grace period after it was told to stop: through a `baton
// worker` whose agent does just that (a fixture process standing for claude), and with the real claude against
// the scripted model and a timeout of 0.1 ms.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { describeResult, jsonOf, REPO_ROOT, sandbox, stopProcess, type RunStatus } from '../helpers/cli.js';
import type { TestTemporal } from '../helpers/temporal.js';
import { describeStatus, plan, taskOf, withHarness, workflowTemporal } from '../helpers/workflow-harness.js';

let temporal: TestTemporal;
before(async () => {
  temporal = await workflowTemporal();
});
after(async () => {
  await temporal.close();
});

void test('an agent that finishes its answer after the timeout told it to stop has still timed out', async () => {
  const box = await sandbox('timeouts', {
    TEMPORAL_ADDRESS: temporal.address,
    BATON_CLAUDE_BIN: path.join(REPO_ROOT, 'test', 'fixtures', 'bin', 'fake-claude-finish-on-sigint'),
  });
  const worker = box.spawn(['worker']);
  try {
    await writeFile(
      path.join(box.cwd, 'late.yaml'),
      'version: 1\nname: late\nonFailure: fail\ndefaults: { timeout: 1s, retries: 1 }\ntasks:\n  - id: late\n    prompt: x\n',
    );
    const id = `late-${Date.now().toString(36)}`;
    const start = await box.baton(['start', 'late.yaml', '--id', id]);
    assert.equal(start.exitCode, 0, describeResult(start));
    const result = await box.baton(['result', id, '--json'], { timeoutMs: 90_000 });
    const task = jsonOf<RunStatus>(result).tasks[0];
    assert.equal(task?.state, 'failed', describeResult(result));
    assert.equal(task?.errorType, 'AgentTimedOut', task?.error ?? '');
    assert.match(task?.error ?? '', /ran longer than the task's timeout of 1s/);
    assert.equal(task?.attempts, 2, 'each attempt timed out');
  } finally {
    await stopProcess(worker, 10_000);
    await box.cleanup();
  }
});

void test('timeout: 0.0001 never "succeeds": claude finishing within the SIGINT grace period is still past the limit', async () => {
  await withHarness(temporal, { script: { quick: { turns: [{ text: 'Done in time?' }] } } }, async (h) => {
    const handle = await h.start(
      plan('quick', [{ id: 'quick', prompt: 'Answer.' }], {
        defaults: { timeout: 0.0001, retries: 1 },
        onFailure: 'fail',
      }),
    );
    const final = await h.result(handle);
    const task = taskOf(final, 'quick');
    assert.equal(task.state, 'failed', describeStatus(final));
    assert.equal(task.errorType, 'AgentTimedOut', task.error ?? '');
    assert.match(task.error ?? '', /ran longer than the task's timeout of 0\.0001/);
    assert.equal(task.attempts, 2, 'each attempt timed out');
  });
});
