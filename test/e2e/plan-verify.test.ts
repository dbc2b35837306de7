// The plan-level verify (DESIGN.md §11) through the built CLI: a real Temporal dev server, `baton worker`s and the
// real claude binary against the scripted model, worktree isolation in a real git repository. A task whose merge
// fails the plan's check has its merge undone and waits in verification-failed — the status table, its JSON, the
// Web UI's details and waitingOn say so — its dependent not started; `baton approve` merges it as it is and the
// run completes. A worker started with --no-commands refuses the plan's tasks, and `baton run` refuses the plan.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { execa, type ResultPromise } from 'execa';
import type { RunStatus, TaskView } from '../../src/workflows/status.js';
import { describeResult, jsonOf, statusShapeProblems, stopProcess, waitFor, type Sandbox } from '../helpers/cli.js';
import { initRepo } from '../helpers/git-repo.js';
import type { TestTemporal } from '../helpers/temporal.js';
import { noCommandsWorker, workerScene, type WorkerScene } from '../helpers/worker-scene.js';

/** Fails (exit 3, naming them) while a .txt file of the integration branch holds "bad". */
const CHECK = [
  "const fs = require('fs');",
  "const bad = fs.readdirSync('.').filter((f) => f.endsWith('.txt') && fs.readFileSync(f, 'utf8').includes('bad'));",
  "if (bad.length > 0) { console.log('bad files: ' + bad.join(',')); process.exit(3); }",
].join(' ');

const planOf = (noCommandsQueue: string) => ({
  version: 1,
  name: 'plan-verify',
  workspace: { repo: '.', isolation: 'worktree' },
  verify: [['node', '-e', CHECK]],
  defaults: { timeout: '2m', retries: 0 },
  tasks: [
    { id: 'a', prompt: 'Write a.txt.' },
    { id: 'b', prompt: 'Mend a.txt.', dependsOn: ['a'] },
    { id: 'refused', prompt: 'Runs on a worker that runs no commands.', taskQueue: noCommandsQueue },
  ],
});

let scene: WorkerScene;
let box: Sandbox;
let temporal: TestTemporal;
let strictWorker: ResultPromise;
before(async () => {
  scene = await workerScene(
    'plan-verify',
    {
      rehearse: false,
      script: {
        a: { turns: [{ write: { path: 'a.txt', content: 'bad\n' } }, { text: 'wrote a.txt' }] },
        b: { turns: [{ bash: "printf 'good\\n' > a.txt" }, { text: 'mended a.txt' }] },
      },
    },
    {},
  );
  ({ box, temporal } = scene);
  const strict = noCommandsWorker(box);
  strictWorker = strict.worker;
  const queue = strict.queue;
  await writeFile(path.join(box.cwd, 'plan.json'), JSON.stringify(planOf(queue), null, 2));
  await initRepo(box.cwd);
});
after(async () => {
  await stopProcess(strictWorker, 10_000);
  await scene.close();
});

const task = (s: RunStatus, id: string): TaskView => s.tasks.find((t) => t.id === id)!;
const gitOut = async (args: string[]) => (await execa('git', args, { cwd: box.cwd, stdin: 'ignore' })).stdout;

void test('plan verify: a failing merge is undone and waits in verification-failed; approve merges it as is; --no-commands refuses', async () => {
  // `baton run` with a worker policy that refuses commands refuses the plan before anything starts.
  const refusedRun = await box.baton(['run', 'plan.json'], { env: { BATON_NO_COMMANDS: '1' } });
  assert.equal(refusedRun.exitCode, 2, describeResult(refusedRun));
  assert.match(refusedRun.stderr, /task a has verify commands \(its own or its plan's\).*--no-commands/);

  const runId = `plan-verify-${Date.now().toString(36)}`;
  const started = await box.baton(['start', 'plan.json', '--id', runId]);
  assert.equal(started.exitCode, 0, describeResult(started));
  const handle = temporal.client.workflow.getHandle(runId);
  const waiting = await waitFor(
    'a verification-failed and refused failed',
    async () => {
      const s = await handle.query<RunStatus>('status');
      return task(s, 'a').state === 'verification-failed' && task(s, 'refused').state === 'failed' ? s : undefined;
    },
    240_000,
  );
  const integration = `baton/${runId}/integration`;
  const a = task(waiting, 'a');
  assert.equal(a.errorKind, 'verification');
  assert.match(a.error ?? '', /the plan's verify failed on baton\/.*\/integration .*exited with exit code 3/s);
  assert.match(a.verification?.outputPath ?? '', /a\/g1\/plan-verify\.log$/);
  assert.equal(task(waiting, 'b').state, 'pending');
  assert.equal(scene.fake.requestsFor('b').length, 0, 'b did not start');
  assert.doesNotMatch(await gitOut(['ls-tree', '--name-only', integration]), /a\.txt/, 'the merge of a is undone');

  // refused: the --no-commands worker refused its agent, since the plan's verify would run after its merge.
  const refused = task(waiting, 'refused');
  assert.equal(refused.errorKind, 'policy');
  assert.match(
    refused.error ?? '',
    /verify commands \(its own or its plan's\).*--no-commands.*the agent was not started/,
  );
  assert.equal(scene.fake.requestsFor('refused').length, 0);

  // The views for people: the table and what it waits on, the JSON contract, the Web UI's details.
  const table = await box.baton(['status', runId]);
  assert.match(table.stdout, /^a\s+! verification-failed/m, describeResult(table));
  assert.match(
    table.stdout,
    new RegExp(`task a: the plan's verify failed after its merge \\(undone\\) — baton approve ${runId} a`),
  );
  const json = jsonOf<RunStatus>(await box.baton(['status', runId, '--json']));
  assert.deepEqual(statusShapeProblems(json), []);
  assert.equal(task(json, 'a').state, 'verification-failed');
  const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  assert.match(metadata.currentDetails ?? '', /\| a \| verification-failed \|/);
  assert.match(
    metadata.currentDetails ?? '',
    /- a: the plan's verify failed after its merge \(undone\); approve, retry or skip it — output: `.*plan-verify\.log`/,
  );

  // approve: a's merge is made again as is; b mends a.txt and passes the check; the refused task is skipped.
  const approved = await box.baton(['approve', runId, 'a']);
  assert.equal(approved.exitCode, 0, describeResult(approved));
  const skipped = await box.baton(['skip', runId, 'refused']);
  assert.equal(skipped.exitCode, 0, describeResult(skipped));
  const result = await box.baton(['result', runId, '--json'], { timeoutMs: 240_000 });
  assert.equal(result.exitCode, 0, describeResult(result));
  const final = jsonOf<RunStatus>(result);
  assert.deepEqual(
    final.tasks.map((t) => [t.id, t.state]),
    [
      ['a', 'succeeded'],
      ['b', 'succeeded'],
      ['refused', 'skipped'],
    ],
  );
  assert.equal(task(final, 'b').verification?.passed, true);
  assert.equal(await gitOut(['show', `${integration}:a.txt`]), 'good');
});
