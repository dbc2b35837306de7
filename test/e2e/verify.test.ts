// Verified, not just finished (DESIGN.md §11), through the built CLI: a real Temporal dev server, `baton worker`s and
// the real claude binary against the scripted model. A task whose first answer fails its verify command is resumed
// in the same conversation with the failure and then passes; a hopeless one fails after its rounds with errorKind
// verification and its output kept; a missing expected output goes back to the agent the same way; a worker started
// with --no-commands refuses a task with verify.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { ResultPromise } from 'execa';
import type { RunStatus, TaskView } from '../../src/workflows/status.js';
import { describeResult, stopProcess, waitFor, type Sandbox } from '../helpers/cli.js';
import type { TestTemporal } from '../helpers/temporal.js';
import { noCommandsWorker, workerScene, type WorkerScene } from '../helpers/worker-scene.js';

// The check of `fixes` takes a moment, so that a watcher sees the task verifying.
const OK_CHECK = "setTimeout(() => process.exit(require('fs').existsSync('ok.txt') ? 0 : 1), 1500)";
const planText = (noCommandsQueue: string) => `version: 1
name: verify
defaults:
  timeout: 2m
  retries: 0
tasks:
  - id: fixes
    prompt: Make the check pass.
    verify:
      - [node, -e, "${OK_CHECK.replaceAll('"', '\\"')}"]
  - id: hopeless
    prompt: Nothing you do passes.
    verifyRounds: 1
    verify:
      - [node, -e, "console.log('hopeless check output'); process.exit(4)"]
  - id: outputs
    prompt: Leave out.txt behind.
    expectedOutputs: [out.txt]
  - id: refused
    prompt: Runs on a worker that runs no commands.
    taskQueue: ${noCommandsQueue}
    verify:
      - [node, -e, "0"]
`;

let scene: WorkerScene;
let box: Sandbox;
let temporal: TestTemporal;
let strictWorker: ResultPromise;
before(async () => {
  scene = await workerScene(
    'verify',
    {
      rehearse: false,
      script: {
        // First answer: done without ok.txt. Resumed with the failure (one answer in the conversation): writes it.
        fixes: { turns: [{ text: 'I believe it is done.' }, { write: { path: 'ok.txt', content: 'ok\n' } }] },
        // Forgets its expected output at first; told it is missing, writes it.
        outputs: { turns: [{ text: 'Done without it.' }, { write: { path: 'out.txt', content: 'out\n' } }] },
      },
    },
    {},
  );
  ({ box, temporal } = scene);
  const strict = noCommandsWorker(box);
  strictWorker = strict.worker;
  const queue = strict.queue;
  await writeFile(path.join(box.cwd, 'plan.yaml'), planText(queue));
});
after(async () => {
  await stopProcess(strictWorker, 10_000);
  await scene.close();
});

const task = (s: RunStatus, id: string): TaskView => s.tasks.find((t) => t.id === id)!;

void test('verify: a failure goes back to the same conversation and is fixed; a hopeless task fails with its output; --no-commands refuses', async () => {
  const runId = `verify-${Date.now().toString(36)}`;
  const started = await box.baton(['start', 'plan.yaml', '--id', runId]);
  assert.equal(started.exitCode, 0, describeResult(started));
  const handle = temporal.client.workflow.getHandle(runId);

  const seen = new Set<string>();
  const settled = await waitFor(
    'every task settled',
    async () => {
      const s = await handle.query<RunStatus>('status');
      for (const t of s.tasks) seen.add(`${t.id}:${t.state}`);
      const done = ['fixes', 'hopeless', 'outputs', 'refused'].every((id) =>
        ['succeeded', 'failed'].includes(task(s, id).state),
      );
      return done ? s : undefined;
    },
    240_000,
  );
  assert.ok(seen.has('fixes:verifying'), `fixes never seen verifying: ${[...seen].join(', ')}`);

  // fixes: its first answer failed the check; resumed with the failure, it wrote ok.txt and passed in round 2.
  const fixes = task(settled, 'fixes');
  assert.equal(fixes.state, 'succeeded', fixes.error ?? '');
  assert.equal(fixes.errorKind, null);
  assert.equal(fixes.verification?.passed, true);
  assert.equal(fixes.verification?.rounds, 2);
  assert.match(fixes.verification?.outputPath ?? '', /fixes\/g1\/verify-1\.log$/);
  assert.ok(existsSync(path.join(box.cwd, 'ok.txt')));
  const requests = scene.fake.requestsFor('fixes');
  const fixRequest = requests.find((r) => r.lastUserText.includes('Verification failed'));
  assert.ok(fixRequest, `no request carried the failure: ${JSON.stringify(requests.map((r) => r.lastUserText))}`);
  assert.ok(fixRequest.assistantTurns >= 1, 'the fix did not continue the conversation');
  assert.match(fixRequest.lastUserText, /exited with exit code 1/);
  const fixSession = JSON.parse(
    await readFile(path.join(box.home, 'artifacts', runId, 'fixes', 'g1', 'attempt-fix1-1.session.json'), 'utf8'),
  ) as { mode: string; sessionId: string };
  assert.equal(fixSession.mode, 'resumed');
  assert.equal(fixSession.sessionId, fixes.sessionId);

  // hopeless: its round and its one fix failed; the task failed with the failure and the output kept.
  const hopeless = task(settled, 'hopeless');
  assert.equal(hopeless.state, 'failed');
  assert.equal(hopeless.errorKind, 'verification');
  assert.equal(hopeless.errorType, 'VerificationFailed');
  assert.match(hopeless.error ?? '', /^verification failed: `node -e .*` exited with exit code 4/);
  assert.match(hopeless.error ?? '', /hopeless check output/);
  assert.deepEqual(
    { passed: hopeless.verification?.passed, rounds: hopeless.verification?.rounds },
    { passed: false, rounds: 2 },
  );
  assert.match(await readFile(hopeless.verification!.outputPath, 'utf8'), /hopeless check output[\s\S]*exit code 4/);
  assert.equal(hopeless.attempts, 2, 'the first answer and one fix');
  const hopelessRequests = scene.fake.requestsFor('hopeless');
  assert.ok(hopelessRequests.some((r) => r.assistantTurns >= 1 && r.lastUserText.includes('hopeless check output')));

  // outputs: a missing expected output goes back to the conversation the same way, without any command.
  const outputs = task(settled, 'outputs');
  assert.equal(outputs.state, 'succeeded', outputs.error ?? '');
  assert.equal(outputs.attempts, 2);
  assert.equal(outputs.verification, null);
  assert.ok(existsSync(path.join(box.cwd, 'out.txt')));
  const outputsFix = scene.fake.requestsFor('outputs').find((r) => r.lastUserText.includes('Verification failed'));
  assert.ok(outputsFix && outputsFix.assistantTurns >= 1, 'the missing output did not go back to the conversation');
  assert.match(outputsFix.lastUserText, /expected output missing: out\.txt/);

  // refused: the --no-commands worker refused it before its agent started.
  const refused = task(settled, 'refused');
  assert.equal(refused.state, 'failed');
  assert.equal(refused.errorKind, 'policy');
  assert.match(
    refused.error ?? '',
    /verify commands.*--no-commands \(or BATON_NO_COMMANDS=1\).*the agent was not started/,
  );
  assert.equal(refused.attempts, 1);
  assert.equal(scene.fake.requestsFor('refused').length, 0);

  // The views for people: the status table, and the Web UI's details with each task's last round.
  const table = await box.baton(['status', runId]);
  // The QUEUE column is there: the plan routes a task.
  assert.match(table.stdout, /^hopeless\s+✖ failed\s+-\s+2\s+.*verification failed: `node -e/m, describeResult(table));
  const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  const details = metadata.currentDetails ?? '';
  assert.match(details, /Verification \(the last round\):/, details);
  assert.match(details, /- fixes: passed in round 2 — output: `.*verify-1\.log`/, details);
  assert.match(details, /- hopeless: failed in round 2 — output: `.*verify-1\.log`/, details);

  const aborted = await box.baton(['abort', runId]);
  assert.equal(aborted.exitCode, 0, describeResult(aborted));
});
