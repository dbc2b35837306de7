// Interventions through the built CLI (a smoke test of DESIGN.md §4): a task gated with `approval: before`
// waits for a person and says so in `baton status --json`; `baton approve` lets it run and the run completes;
// `baton retry` of a succeeded task is refused with a reason; and the same gate also opens with a plain
// signal sent by the `temporal` CLI, as someone without baton (or in the Web UI) would send it.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { FakeModel } from '../../src/rehearsal/fake-model.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { describeResult, jsonOf, statusShapeProblems, stopProcess, waitFor } from '../helpers/cli.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import { testTemporal } from '../helpers/temporal.js';
import { modelSandbox } from '../helpers/worker-scene.js';

const gatedPlan = (output: string) =>
  [
    'version: 1',
    'name: gated',
    'defaults:',
    '  retries: 0',
    'tasks:',
    '  - id: prep',
    '    prompt: Prepare the release.',
    '  - id: deploy',
    '    prompt: Deploy the release.',
    '    dependsOn: [prep]',
    '    approval: before',
    `    expectedOutputs: [${output}]`,
    '',
  ].join('\n');

const temporal = forAllTests(testTemporal);
// Rehearsal: every task writes its expectedOutputs and ends.
const fake = forAllTests(
  () => FakeModel.start({ rehearse: true }),
  (model) => model.stop(),
);
const box = forAllTests(
  () =>
    modelSandbox(
      'interventions',
      fake,
      { TEMPORAL_ADDRESS: temporal.address },
      {
        'gated-cli.yaml': gatedPlan('out/deployed-by-cli.txt'),
        'gated-signal.yaml': gatedPlan('out/deployed-by-signal.txt'),
      },
    ),
  (sandbox) => sandbox.cleanup(),
);

async function status(runId: string): Promise<RunStatus> {
  const result = await box.baton(['status', runId, '--json']);
  assert.equal(result.exitCode, 0, describeResult(result));
  return jsonOf<RunStatus>(result);
}

/** Polls `baton status --json` until the deploy gate is open, and returns that status. */
async function waitForGate(runId: string): Promise<RunStatus> {
  return await waitFor(`run ${runId} to wait for approval of deploy`, async () => {
    const s = await status(runId);
    return s.tasks.find((t) => t.id === 'deploy')?.state === 'awaiting-approval' ? s : undefined;
  });
}

void test('approval: before holds a task until `baton approve` (or a temporal CLI signal); retry of a succeeded task is refused', async () => {
  const worker = box.spawn(['worker']);
  try {
    const cliRun = `gated-cli-${Date.now().toString(36)}`;
    const signalRun = `gated-signal-${Date.now().toString(36)}`;
    for (const [file, id] of [
      ['gated-cli.yaml', cliRun],
      ['gated-signal.yaml', signalRun],
    ] as const) {
      const start = await box.baton(['start', file, '--id', id, '--json']);
      assert.equal(start.exitCode, 0, describeResult(start));
      assert.equal(jsonOf<{ runId: string }>(start).runId, id);
    }

    const waiting = await waitForGate(cliRun);
    assert.deepEqual(statusShapeProblems(waiting), []);
    assert.equal(waiting.phase, 'running');
    assert.equal(waiting.tasks.find((t) => t.id === 'prep')?.state, 'succeeded');
    assert.ok(
      waiting.waitingOn.some((w) => w.includes('deploy') && /approv/.test(w)),
      `waitingOn names the gated task: ${JSON.stringify(waiting.waitingOn)}`,
    );
    assert.equal(fake.requestsFor('deploy').length, 0, 'the gated task has not started');

    // A succeeded task cannot be retried: refused with the reason, non-zero exit, nothing changes.
    const retry = await box.baton(['retry', cliRun, 'prep']);
    assert.notEqual(retry.exitCode, 0, describeResult(retry));
    assert.match(
      retry.stderr,
      /^baton retry refused: task prep is succeeded, not failed or cancelled/,
      describeResult(retry),
    );
    assert.equal((await status(cliRun)).tasks.find((t) => t.id === 'prep')?.attempts, 1);

    const approve = await box.baton(['approve', cliRun, 'deploy', '--note', 'ship it']);
    assert.equal(approve.exitCode, 0, describeResult(approve));
    assert.match(approve.stdout, /^baton approve: task deploy is now/, describeResult(approve));

    const result = await box.baton(['result', cliRun, '--json']);
    assert.equal(result.exitCode, 0, `${describeResult(result)}\n--- worker\n${String(worker.all ?? '')}`);
    const final = jsonOf<RunStatus>(result);
    assert.equal(final.phase, 'completed');
    assert.deepEqual(
      final.tasks.map((t) => [t.id, t.state]),
      [
        ['prep', 'succeeded'],
        ['deploy', 'succeeded'],
      ],
    );
    assert.deepEqual(final.waitingOn, []);
    assert.match(
      await readFile(path.join(box.cwd, 'out', 'deployed-by-cli.txt'), 'utf8'),
      /Rehearsal output of task deploy/,
    );

    // Once the run has ended, an intervention is refused as such.
    const late = await box.baton(['retry', cliRun, 'deploy']);
    assert.notEqual(late.exitCode, 0, describeResult(late));
    assert.match(
      late.stderr,
      new RegExp(`^baton retry refused: run ${cliRun} has already ended \\(completed\\)`),
      describeResult(late),
    );

    // The other run's gate opens with the plain signal of the same name and payload.
    await waitForGate(signalRun);
    const temporalCli = process.env.TEMPORAL_CLI_PATH ?? 'temporal';
    const signal = await execa(
      temporalCli,
      [
        'workflow',
        'signal',
        '--address',
        temporal.address,
        '--workflow-id',
        signalRun,
        '--name',
        'approve',
        '--input',
        JSON.stringify({ taskId: 'deploy' }),
      ],
      { reject: false, stdin: 'ignore', timeout: 30_000 },
    );
    assert.equal(signal.exitCode, 0, `temporal workflow signal: ${signal.stdout}\n${signal.stderr}`);
    const signalled = await box.baton(['result', signalRun, '--json']);
    assert.equal(signalled.exitCode, 0, describeResult(signalled));
    assert.equal(jsonOf<RunStatus>(signalled).tasks.find((t) => t.id === 'deploy')?.state, 'succeeded');
    await readFile(path.join(box.cwd, 'out', 'deployed-by-signal.txt'), 'utf8');

    const stopped = await stopProcess(worker);
    assert.equal(stopped.exitCode, 0, `the worker's exit after SIGTERM:\n${stopped.output}`);
  } finally {
    await stopProcess(worker, 5_000);
  }
});

void test('status of a run no worker has picked up answers at once with every task not started, and names the missing worker; an intervention is refused at once', async () => {
  const taskQueue = `${box.taskQueue}-no-worker`;
  const runId = `gated-no-worker-${Date.now().toString(36)}`;
  const start = await box.baton(['start', 'gated-cli.yaml', '--id', runId], { env: { BATON_TASK_QUEUE: taskQueue } });
  assert.equal(start.exitCode, 0, describeResult(start));
  try {
    const early = await box.baton(['status', runId, '--json']);
    assert.equal(early.exitCode, 0, describeResult(early));
    assert.ok(early.durationMs < 10_000, `status took ${early.durationMs} ms`);
    const status = jsonOf<RunStatus>(early);
    assert.deepEqual(statusShapeProblems(status), []);
    assert.deepEqual(
      status.tasks.map((t) => [t.id, t.state, t.attempts]),
      [
        ['prep', 'ready', 0],
        ['deploy', 'pending', 0],
      ],
    );
    // Past a few seconds without a worker, the status says what the run waits for.
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    const late = await box.baton(['status', runId]);
    assert.equal(late.exitCode, 0, describeResult(late));
    assert.ok(late.durationMs < 10_000, `status took ${late.durationMs} ms`);
    assert.match(
      late.stdout,
      new RegExp(`no worker has picked up this run yet .*baton worker.* "${taskQueue}"`),
      late.stdout,
    );
    // An intervention needs a worker to answer it: without one it is refused at once, not left waiting.
    const approve = await box.baton(['approve', runId, 'deploy'], { timeoutMs: 30_000 });
    assert.notEqual(approve.exitCode, 0, describeResult(approve));
    assert.ok(approve.durationMs < 10_000, describeResult(approve));
    assert.match(
      approve.stderr,
      new RegExp(`no baton worker serves its task queue "${taskQueue}"`),
      describeResult(approve),
    );
  } finally {
    await temporal.client.workflow.getHandle(runId).terminate('no-worker status test');
  }
});
