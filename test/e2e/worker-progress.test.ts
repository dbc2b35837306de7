// `baton worker` says what it does (issue 20): a line when an agent starts and when it ends — run, task, its run and
// attempt, the outcome — and when a run ends; not the Temporal SDK's warnings with task tokens and stacks for
// failures that are expected (an attempt that failed, a run that ended failed). The built CLI, a real Temporal dev
// server and the real claude binary against the scripted model.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { describeResult, waitFor } from '../helpers/cli.js';
import { workerScene, type WorkerScene } from '../helpers/worker-scene.js';

// ok succeeds; flaky meets a 500 once and Temporal's retry succeeds; bad is refused (400) for good.
const PLAN = `version: 1
name: progress
onFailure: continue
defaults:
  timeout: 5m
tasks:
  - id: ok
    prompt: Succeed.
    retries: 0
  - id: flaky
    prompt: Overloaded once.
    retries: 2
  - id: bad
    prompt: Refused.
    retries: 2
`;

let scene: WorkerScene;
let log = '';
before(async () => {
  scene = await workerScene(
    'progress',
    {
      rehearse: false,
      script: {
        flaky: { failFirst: [{ status: 500, message: 'overloaded' }] },
        bad: { failFirst: Array.from({ length: 5 }, () => ({ status: 400, message: 'prompt is too long' })) },
      },
    },
    { 'plan.yaml': PLAN },
  );
  scene.worker.all?.on('data', (chunk: Buffer) => (log += chunk.toString()));
});
after(() => scene.close());

void test('the worker prints a line per agent start and end and per run end, and no SDK warning blocks', async () => {
  const runId = `progress-${Date.now().toString(36)}`;
  const started = await scene.box.baton(['start', 'plan.yaml', '--id', runId]);
  assert.equal(started.exitCode, 0, describeResult(started));
  const result = await scene.box.baton(['result', runId, '--json']);
  assert.equal(result.exitCode, 1, describeResult(result));
  await waitFor('the run-ended line', async () => (log.includes(`● ${runId} ended: failed`) ? true : undefined));

  const lines = log.split('\n');
  const has = (pattern: RegExp) =>
    assert.ok(
      lines.some((l) => pattern.test(l)),
      `no line matching ${pattern} in the worker's output:\n${log}`,
    );
  const at = String.raw`^\d\d:\d\d:\d\d `;
  has(new RegExp(`${at}▶ ${runId} ok \\(run 1, attempt 1\\) started$`));
  has(new RegExp(`${at}✔ ${runId} ok \\(run 1, attempt 1\\) succeeded in \\d+\\.\\ds · \\$\\d+\\.\\d{4}$`));
  has(new RegExp(`${at}✖ ${runId} flaky \\(run 1, attempt 1\\) failed, Temporal retries it: .*500`));
  has(new RegExp(`${at}✔ ${runId} flaky \\(run 1, attempt 2\\) succeeded`));
  // A 400 cannot succeed on retry: failed for good at its first attempt.
  has(new RegExp(`${at}✖ ${runId} bad \\(run 1, attempt 1\\) failed: .*400`));
  has(new RegExp(`${at}● ${runId} ended: failed$`));
  // What the SDK would have said about the same failures: a WARN with the error's stack and the task token.
  assert.doesNotMatch(log, /\[WARN\]|taskToken|Activity failed|Workflow failed|\n\s+at /, log);
});
