// A task's attempts mean one thing in every view (docs/STATUS.md): the agent attempts of all its runs, the one in
// progress included. The Web UI shows each run as an activity `<task>.<run>` labelled "<task> · run <run> · <agent>"
// whose own Attempt counts that run's attempts, so status's count is their sum; a running task is never at 0;
// the run's details never claim fewer than status; and the status table shows the end of a long error's path.
// The built CLI, a real Temporal dev server, `baton worker` and the real claude binary against the scripted model.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { RunStatus } from '../../src/workflows/status.js';
import { describeResult, jsonOf, waitFor, type Sandbox } from '../helpers/cli.js';
import type { TestTemporal } from '../helpers/temporal.js';
import { workerScene } from '../helpers/worker-scene.js';

const LONG_OUTPUT = 'out/a-rather-long-folder-name/with/more/levels/result-file.txt';
// flaky: its first attempt meets a 500, Temporal retries it, and the second hangs. bad never writes its output (and
// gets no round to fix it: verifyRounds 0).
const PLAN = `version: 1
name: attempts
defaults:
  timeout: 5m
tasks:
  - id: flaky
    prompt: Overloaded first.
    retries: 2
  - id: bad
    prompt: Forgets its output.
    retries: 0
    verifyRounds: 0
    expectedOutputs: [${LONG_OUTPUT}]
`;

let box: Sandbox;
let temporal: TestTemporal;
let close: () => Promise<void>;
before(async () => {
  const model = {
    rehearse: false,
    script: { flaky: { failFirst: [{ status: 500, message: 'overloaded' }], hang: true } },
  };
  ({ box, temporal, close } = await workerScene('attempts', model, { 'plan.yaml': PLAN }));
});
after(() => close());

const task = (s: RunStatus, id: string) => s.tasks.find((t) => t.id === id)!;

/** Each activity of the run's history: its id, its summary, and the attempt it ended (or is) in. */
async function activities(handle: WorkflowHandle): Promise<{ id: string; summary: string; attempt: number }[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  const description = await handle.describe();
  const pending = (description.raw.pendingActivities ?? []) as { activityId?: string | null; attempt?: number }[];
  return events
    .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runAgent')
    .map((e) => {
      const id = e.activityTaskScheduledEventAttributes!.activityId!;
      const started = events.find(
        (s) => Number(s.activityTaskStartedEventAttributes?.scheduledEventId) === Number(e.eventId),
      );
      const live = pending.find((p) => p.activityId === id);
      const payload = e.userMetadata?.summary;
      return {
        id,
        summary: payload ? defaultPayloadConverter.fromPayload<string>(payload) : '',
        attempt: live?.attempt ?? started?.activityTaskStartedEventAttributes?.attempt ?? 0,
      };
    });
}

async function details(handle: WorkflowHandle): Promise<string> {
  const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return metadata.currentDetails ?? '';
}

void test('attempts agree between status, the Web UI and the run; long error paths keep their end', async () => {
  const runId = `attempts-${Date.now().toString(36)}`;
  const started = await box.baton(['start', 'plan.yaml', '--id', runId]);
  assert.equal(started.exitCode, 0, describeResult(started));
  const handle = temporal.client.workflow.getHandle(runId);

  const seen: RunStatus[] = [];
  const retried = await waitFor(
    'flaky in its second attempt, bad failed',
    async () => {
      const s = jsonOf<RunStatus>(await box.baton(['status', runId, '--json']));
      seen.push(s);
      return task(s, 'flaky').attempts === 2 && task(s, 'bad').state === 'failed' ? s : undefined;
    },
    60_000,
  );
  for (const s of seen) {
    for (const t of s.tasks.filter((x) => x.state === 'running')) {
      assert.ok(t.attempts >= 1, `${t.id} running with attempts ${t.attempts}`);
    }
  }
  assert.equal(task(retried, 'flaky').state, 'running');
  // The Web UI's activity flaky.1 ("flaky · run 1 · claude") is in its Attempt 2: the same count.
  const flakyActivities = (await activities(handle)).filter((a) => a.id.startsWith('flaky.'));
  assert.deepEqual(flakyActivities, [{ id: 'flaky.1', summary: 'flaky · run 1 · claude', attempt: 2 }]);

  // The table for people: the same count, and the error's path keeps its meaningful end.
  const table = await box.baton(['status', runId]);
  assert.match(table.stdout, /^flaky\s+▶ running\s+2\s/m, describeResult(table));
  const badRow = table.stdout.split('\n').find((l) => l.startsWith('bad '));
  assert.match(badRow ?? '', /expected output missing: .*levels\/result-file\.txt/, describeResult(table));

  // A person's retry starts run 2 of bad, its own activity; status counts both runs' attempts.
  const retry = await box.baton(['retry', runId, 'bad']);
  assert.equal(retry.exitCode, 0, describeResult(retry));
  const again = await waitFor('bad failed again', async () => {
    const s = jsonOf<RunStatus>(await box.baton(['status', runId, '--json']));
    return task(s, 'bad').state === 'failed' && task(s, 'bad').attempts === 2 ? s : undefined;
  });
  const badActivities = (await activities(handle)).filter((a) => a.id.startsWith('bad.'));
  assert.deepEqual(badActivities, [
    { id: 'bad.1', summary: 'bad · run 1 · claude', attempt: 1 },
    { id: 'bad.2', summary: 'bad · run 2 · claude', attempt: 1 },
  ]);
  assert.equal(
    badActivities.reduce((sum, a) => sum + a.attempt, 0),
    task(again, 'bad').attempts,
  );

  // The run's own details (the Web UI's User Metadata): the count for settled tasks, never less for running ones.
  const shown = await details(handle);
  assert.match(shown, /^\| bad \| failed \| 2 \|/m, shown);
  assert.match(shown, /^\| flaky \| running \| ≥1 \|/m, shown);

  const aborted = await box.baton(['abort', runId]);
  assert.equal(aborted.exitCode, 0, describeResult(aborted));
});
