// `baton status` answers from the status snapshot that the run's worker keeps (src/snapshot/) while it
// is fresh, without Temporal; once the run has been quiet for longer than SNAPSHOT_FRESH_MS, it asks the run; and
// once the run has ended, its last snapshot is its final status. A real worker and the real claude binary against
// the scripted model: one task done, one that hangs; and a run that completes, whose last snapshot has its endedAt.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SNAPSHOT_FRESH_MS } from '../../src/snapshot/reader.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { describeResult, freePort, jsonOf, waitFor, type CliResult, type Sandbox } from '../helpers/cli.js';
import { workerScene } from '../helpers/worker-scene.js';

const PLAN = `version: 1
name: snapshot
maxParallel: 2
defaults:
  retries: 0
  timeout: 5m
tasks:
  - id: quick
    prompt: Succeed.
  - id: hang
    prompt: Never answered.
`;

let box: Sandbox;
let close: () => Promise<void>;
before(async () => {
  const model = { rehearse: false, script: { hang: { hang: true } } };
  const quick = 'version: 1\nname: snapshot-done\ntasks:\n  - id: quick\n    prompt: Succeed.\n';
  ({ box, close } = await workerScene('snapshot', model, { 'plan.yaml': PLAN, 'quick.yaml': quick }));
});
after(() => close());

const view = (s: RunStatus) => s.tasks.map((t) => `${t.id}:${t.state}:${t.attempts}`).join(' ');

void test('a fresh snapshot answers without Temporal; a quiet run is asked', async () => {
  const runId = `snapshot-${Math.random().toString(16).slice(2, 8)}`;
  const started = await box.baton(['start', 'plan.yaml', '--id', runId]);
  assert.equal(started.exitCode, 0, describeResult(started));
  const asked = await waitFor('quick done and hang running', async () => {
    const r = await box.baton(['status', runId, '--json']);
    const s = r.exitCode === 0 ? jsonOf<RunStatus>(r) : undefined;
    return s && view(s) === 'quick:succeeded:1 hang:running:1' ? s : undefined;
  });
  const snapshotFile = path.join(box.home, 'artifacts', runId, '.status.json');
  assert.ok(existsSync(snapshotFile), 'the worker keeps a snapshot');

  // Nothing listens at this address: only the snapshot can answer.
  const unreachable = { TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` };
  /** An intervention makes the run publish at once: `baton <args>` right after it answers from the snapshot. (A
   *  few tries: on a loaded machine the command may start later than the snapshot stays fresh.) */
  const afterIntervention = async (args: string[]): Promise<CliResult> => {
    const tries: string[] = [];
    for (let i = 0; i < 5; i++) {
      const guided = await box.baton(['guide', runId, 'hang', `note ${i}`]);
      assert.equal(guided.exitCode, 0, describeResult(guided));
      const r = await box.baton(args, { env: unreachable });
      if (r.exitCode === 0) return r;
      tries.push(describeResult(r));
    }
    assert.fail(`no answer from the snapshot:\n${tries.join('\n')}`);
  };
  const snapshot = jsonOf<RunStatus>(await afterIntervention(['status', runId, '--json']));
  assert.equal(view(snapshot), view(asked), 'the same tasks, states and attempts as the query answered');
  assert.equal(snapshot.runId, runId);
  assert.equal(snapshot.phase, 'running');
  // The table for people, from a snapshot too.
  assert.match((await afterIntervention(['status', runId])).stdout, /hang\s+▶ running/);
  // A configuration the CLI refuses is refused as ever, fresh snapshot or not.
  const guided = await box.baton(['guide', runId, 'hang', 'one more note']);
  assert.equal(guided.exitCode, 0, describeResult(guided));
  const refused = await box.baton(['status', runId, '--json'], { env: { ...unreachable, BATON_SERVER_PORT: 'x' } });
  assert.equal(refused.exitCode, 2, describeResult(refused));
  assert.match(refused.stderr, /BATON_SERVER_PORT/);

  // The run is quiet now (the agent hangs): once the snapshot is older than SNAPSHOT_FRESH_MS, status asks Temporal.
  await sleep(SNAPSHOT_FRESH_MS + 1_000);
  const stale = await box.baton(['status', runId, '--json'], { env: unreachable });
  assert.equal(stale.exitCode, 3, describeResult(stale));
  assert.match(stale.stderr, /cannot reach Temporal/);
  const reachable = await box.baton(['status', runId, '--json']);
  assert.equal(reachable.exitCode, 0, describeResult(reachable));
  assert.equal(view(jsonOf<RunStatus>(reachable)), 'quick:succeeded:1 hang:running:1');

  // Once the run has ended, its last snapshot is its final status, however old: the same as Temporal's answer.
  const aborted = await box.baton(['abort', runId, '--reason', 'test over']);
  assert.equal(aborted.exitCode, 0, describeResult(aborted));
  const ended = await waitFor('the run to end', async () => {
    const r = await box.baton(['status', runId, '--json']);
    return r.exitCode === 1 && jsonOf<RunStatus>(r).phase === 'cancelled' ? r : undefined;
  });
  await sleep(SNAPSHOT_FRESH_MS + 500);
  const kept = await box.baton(['status', runId, '--json']);
  assert.equal(kept.exitCode, 1, describeResult(kept));
  await rm(snapshotFile);
  const fromTemporal = await box.baton(['status', runId, '--json']);
  assert.equal(fromTemporal.exitCode, 1, describeResult(fromTemporal));
  for (const r of [ended, kept]) {
    const s = jsonOf<RunStatus>(r);
    assert.equal(view(s), view(jsonOf<RunStatus>(fromTemporal)), 'the final snapshot and Temporal agree');
    assert.equal(s.phase, 'cancelled');
  }
});

void test('a completed run has endedAt on the snapshot path too: the last snapshot is the final status', async () => {
  const runId = `snapshot-done-${Math.random().toString(16).slice(2, 8)}`;
  const started = await box.baton(['start', 'quick.yaml', '--id', runId]);
  assert.equal(started.exitCode, 0, describeResult(started));
  const result = await box.baton(['result', runId, '--json']);
  assert.equal(result.exitCode, 0, describeResult(result));
  const final = jsonOf<RunStatus>(result);
  assert.ok(final.endedAt, 'the result has endedAt');
  // The worker's last snapshot of the run is its final status, endedAt included...
  const snapshotFile = path.join(box.home, 'artifacts', runId, '.status.json');
  const kept = JSON.parse((await readFile(snapshotFile, 'utf8')).split('\n').slice(1).join('\n')) as RunStatus;
  assert.equal(kept.phase, 'completed');
  assert.equal(kept.endedAt, final.endedAt);
  // ...and `baton status` answers from it, fresh or kept.
  for (const wait of [0, SNAPSHOT_FRESH_MS + 500]) {
    await sleep(wait);
    const status = await box.baton(['status', runId, '--json']);
    assert.equal(status.exitCode, 0, describeResult(status));
    assert.equal(jsonOf<RunStatus>(status).endedAt, final.endedAt, `after ${wait} ms: ${status.stdout}`);
  }
});
