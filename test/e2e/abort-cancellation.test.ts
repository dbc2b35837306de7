// Abort is Temporal's own cancellation (DESIGN.md §9): `baton abort` and `temporal workflow cancel` (the Web UI's
// "Request Cancellation") end a run the same way — its agents stopped, every task in a final state, the run closed
// by Temporal as Canceled with phase `cancelled` and its final status in the cancellation's details, which
// `baton result` reads; `baton list` says cancelled; a second abort says "already ended (cancelled)"; the worker
// logs no warning with a stack; and no view shows the phase `cancelled` beside a task that has not settled.
// The built CLI, a real Temporal dev server, one `baton worker` and the real claude binary on the scripted model.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { SETTLED_STATES, type RunStatus } from '../../src/workflows/status.js';
import { describeResult, jsonOf, waitFor } from '../helpers/cli.js';
import { workerScene, type WorkerScene } from '../helpers/worker-scene.js';

// quick succeeds; hang runs until it is cancelled; after waits on hang (blocked once hang is cancelled); gate
// waits for a person.
const PLAN = `version: 1
name: abort
defaults:
  retries: 0
  timeout: 5m
tasks:
  - id: quick
    prompt: Succeed.
  - id: hang
    prompt: Never answered.
  - id: after
    prompt: After hang.
    dependsOn: [hang]
  - id: gate
    prompt: Gated.
    approval: before
`;

let scene: WorkerScene;
let log = '';
before(async () => {
  scene = await workerScene('abort', { rehearse: false, script: { hang: { hang: true } } }, { 'plan.yaml': PLAN });
  scene.worker.all?.on('data', (chunk: Buffer) => (log += chunk.toString()));
});
after(() => scene.close());

const states = (s: RunStatus) => Object.fromEntries(s.tasks.map((t) => [t.id, t.state]));

async function started(runId: string): Promise<void> {
  const start = await scene.box.baton(['start', 'plan.yaml', '--id', runId]);
  assert.equal(start.exitCode, 0, describeResult(start));
  await waitFor('hang running, quick done', async () => {
    const r = await scene.box.baton(['status', runId, '--json']);
    const s = r.exitCode === 0 ? jsonOf<RunStatus>(r) : undefined;
    return s && s.tasks.find((t) => t.id === 'hang')?.state === 'running' && states(s).quick === 'succeeded'
      ? s
      : undefined;
  });
}

/** Reads the run's status over and over until stopped, keeping every view in which the run's phase was final. */
function watchFinalViews(runId: string): { stop(): Promise<RunStatus[]> } {
  const seen: RunStatus[] = [];
  let going = true;
  const loop = (async () => {
    while (going) {
      const r = await scene.box.baton(['status', runId, '--json']);
      if (r.stdout.startsWith('{')) {
        const s = jsonOf<RunStatus>(r);
        if (['completed', 'failed', 'cancelled'].includes(s.phase)) seen.push(s);
      }
    }
  })();
  return {
    async stop() {
      going = false;
      await loop;
      return seen;
    },
  };
}

/** What every way of reading an ended run must agree on. */
async function assertCancelled(runId: string, reason: string): Promise<void> {
  const description = await scene.temporal.client.workflow.getHandle(runId).describe();
  assert.equal(description.status.name, 'CANCELLED', `${runId}: Temporal closed it as Canceled`);

  const result = await scene.box.baton(['result', runId, '--json']);
  assert.equal(result.exitCode, 1, describeResult(result));
  const final = jsonOf<RunStatus>(result);
  assert.equal(final.phase, 'cancelled');
  assert.equal(final.reason, reason);
  assert.ok(final.endedAt, 'a finished run has endedAt');
  assert.deepEqual(states(final), { quick: 'succeeded', hang: 'cancelled', after: 'blocked', gate: 'cancelled' });
  for (const t of final.tasks) if (t.startedAt) assert.ok(t.endedAt, `${t.id}: a task that started has endedAt`);

  const status = jsonOf<RunStatus>(await scene.box.baton(['status', runId, '--json']));
  assert.equal(status.phase, 'cancelled');
  assert.deepEqual(states(status), states(final));

  const list = await scene.box.baton(['list', '--json']);
  assert.equal(list.exitCode, 0, describeResult(list));
  const row = jsonOf<{ runId: string; phase: string }[]>(list).find((r) => r.runId === runId);
  assert.equal(row?.phase, 'cancelled', `baton list says cancelled: ${list.stdout}`);

  const again = await scene.box.baton(['abort', runId]);
  assert.equal(again.exitCode, 2, describeResult(again));
  assert.match(again.stderr, new RegExp(`^baton abort refused: run ${runId} has already ended \\(cancelled\\)`));
}

void test('baton abort ends the run as Temporal Canceled: final states, result, list and a second abort agree', async () => {
  const runId = `abort-cli-${Date.now().toString(36)}`;
  await started(runId);
  const views = watchFinalViews(runId);
  const aborted = await scene.box.baton(['abort', runId, '--reason', 'enough']);
  assert.equal(aborted.exitCode, 0, describeResult(aborted));
  // The answer is the run's end, not a moment of it: every task settled.
  assert.match(aborted.stdout, /^baton abort: the run is now cancelled/, describeResult(aborted));
  assert.match(aborted.stdout, /hang\s+■ cancelled/);
  assert.match(aborted.stdout, /after\s+⊘ blocked/);
  const abortedJson = jsonOf<RunStatus>(await scene.box.baton(['status', runId, '--json']));
  assert.equal(abortedJson.phase, 'cancelled');
  for (const seen of await views.stop()) {
    const unsettled = seen.tasks.filter((t) => !SETTLED_STATES.includes(t.state)).map((t) => `${t.id}:${t.state}`);
    assert.deepEqual(unsettled, [], `status showed ${seen.phase} beside unsettled tasks`);
    assert.ok(seen.endedAt, `status showed ${seen.phase} without endedAt`);
  }
  await assertCancelled(runId, 'aborted: enough');
  // The agent was stopped, and the worker told no one about it with a stack.
  assert.doesNotMatch(log, /WARN|Workflow failed|\n\s+at /, `the worker's log:\n${log}`);
});

void test("Temporal's own cancellation (temporal workflow cancel, the Web UI's Request Cancellation) ends the run as an abort does", async () => {
  const runId = `abort-temporal-${Date.now().toString(36)}`;
  await started(runId);
  const temporalCli = process.env.TEMPORAL_CLI_PATH ?? 'temporal';
  const cancel = await execa(
    temporalCli,
    ['workflow', 'cancel', '--address', scene.temporal.address, '--workflow-id', runId],
    { reject: false, stdin: 'ignore', timeout: 30_000 },
  );
  assert.equal(cancel.exitCode, 0, `${cancel.stdout}\n${cancel.stderr}`);
  await waitFor('the run to close', async () => {
    const { status } = await scene.temporal.client.workflow.getHandle(runId).describe();
    return status.name === 'RUNNING' ? undefined : status.name;
  });
  await assertCancelled(runId, 'cancelled');
  assert.doesNotMatch(log, /WARN|Workflow failed|\n\s+at /, `the worker's log:\n${log}`);
});
