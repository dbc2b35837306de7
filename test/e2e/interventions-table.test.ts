// Every intervention of DESIGN.md §4, in a state where it is allowed and in one where it is not, through both
// ways people send them: the `baton` CLI (an update: exit 0 and the new state, or a non-zero exit and a
// refusal on stderr that says why) and `temporal workflow signal --name <op> --input '<json>'` (a signal:
// the workflow applies it, or logs the refusal and leaves the run unchanged). One table, played against
// two identical runs at once (one per channel), served by one `baton worker` and the real claude binary.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { finalStatus } from '../../src/client/runs.js';
import type { FakeModel } from '../../src/rehearsal/fake-model.js';
import { statusQuery } from '../../src/workflows/messages.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { describeResult, type Sandbox } from '../helpers/cli.js';
import type { TestTemporal } from '../helpers/temporal.js';
import { workerScene } from '../helpers/worker-scene.js';

// done succeeds; bad fails for good (400, no retries) and blocks later; hang runs until cancelled;
// gate waits for approval to start; review waits for review of its result.
const PLAN = `version: 1
name: table
maxParallel: 8
defaults:
  retries: 0
  timeout: 5m
tasks:
  - id: done
    prompt: Succeed.
  - id: bad
    prompt: Answered 400.
  - id: later
    prompt: Needs bad.
    dependsOn: [bad]
  - id: hang
    prompt: Never answered.
  - id: gate
    prompt: Gated before.
    dependsOn: [done]
    approval: before
  - id: review
    prompt: Gated after.
    approval: after
`;

let temporal: TestTemporal;
let fake: FakeModel;
let box: Sandbox;
let close: () => Promise<void>;
/** What the worker has printed so far (its workflow warnings among it). */
let log = '';
before(async () => {
  const model = {
    rehearse: false,
    script: {
      bad: { failFirst: Array.from({ length: 50 }, () => ({ status: 400, message: 'prompt is too long' })) },
      hang: { hang: true },
    },
  };
  const files = {
    'table.yaml': PLAN,
    'dup.yaml': 'tasks:\n  - id: done\n    prompt: Again.\n',
    'extra.yaml': 'tasks:\n  - id: extra\n    prompt: Added later.\n',
  };
  const scene = await workerScene('table', model, files);
  ({ temporal, fake, box, close } = scene);
  scene.worker.all?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
});
after(() => close());

type Payload = Record<string, unknown>;

interface Row {
  /** The operation's wire name (signal and update). */
  op: string;
  /** `baton` arguments after the command name and run id. */
  cli: [command: string, ...args: string[]];
  payload: Payload;
  /** A refusal: what stderr (CLI) and the worker's log (signal) must say. Absent: the operation is allowed. */
  refused?: RegExp;
  /** Allowed: the state the run reaches. */
  reaches?: (s: RunStatus) => boolean;
}

const state = (s: RunStatus, id: string) => s.tasks.find((t) => t.id === id)?.state;
const attempts = (s: RunStatus, id: string) => s.tasks.find((t) => t.id === id)?.attempts;
const error = (s: RunStatus, id: string) => s.tasks.find((t) => t.id === id)?.error;

/** The steady state every row starts from: each task where the plan puts it, hang still running. */
const steady = (s: RunStatus) =>
  state(s, 'done') === 'succeeded' &&
  state(s, 'bad') === 'failed' &&
  state(s, 'later') === 'blocked' &&
  state(s, 'hang') === 'running' &&
  state(s, 'gate') === 'awaiting-approval' &&
  state(s, 'review') === 'awaiting-review';

const ROWS: Row[] = [
  // Refused in the steady state, each naming why.
  {
    op: 'approve',
    cli: ['approve', 'done'],
    payload: { taskId: 'done' },
    refused: /task done is succeeded, not waiting for approval/,
  },
  {
    op: 'approve',
    cli: ['approve', 'nope'],
    payload: { taskId: 'nope' },
    refused: /no task "nope" in this run \(tasks: done, bad, later, hang, gate, review\)/,
  },
  {
    op: 'reject',
    cli: ['reject', 'bad', '--reason', 'no'],
    payload: { taskId: 'bad', reason: 'no' },
    refused: /task bad is failed, not waiting for approval or review/,
  },
  { op: 'pause', cli: ['pause'], payload: {}, reaches: (s) => s.phase === 'paused' },
  { op: 'pause', cli: ['pause'], payload: {}, refused: /the run is already paused/ },
  { op: 'resume', cli: ['resume'], payload: {}, reaches: (s) => s.phase === 'running' && steady(s) },
  { op: 'resume', cli: ['resume'], payload: {}, refused: /the run is not paused/ },
  {
    op: 'retryTask',
    cli: ['retry', 'hang'],
    payload: { taskId: 'hang' },
    refused: /task hang is running, not failed/,
  },
  {
    op: 'skipTask',
    cli: ['skip', 'hang'],
    payload: { taskId: 'hang' },
    refused: /task hang is running; only a task that is not running or done can be skipped/,
  },
  {
    op: 'cancelTask',
    cli: ['cancel', 'bad'],
    payload: { taskId: 'bad' },
    refused: /task bad is failed, not running/,
  },
  {
    op: 'guide',
    cli: ['guide', 'done', 'Be brief.'],
    payload: { taskId: 'done', message: 'Be brief.' },
    refused: /task done is succeeded, already finished/,
  },
  {
    op: 'addTasks',
    cli: ['add', 'dup.yaml'],
    payload: { tasks: [{ id: 'done', prompt: 'Again.' }] },
    refused: /task id "done" is already in the run/,
  },
  // Allowed, each reaching the state it promises.
  {
    op: 'approve',
    cli: ['approve', 'gate', '--note', 'go'],
    payload: { taskId: 'gate', note: 'go' },
    reaches: (s) => state(s, 'gate') === 'succeeded',
  },
  {
    op: 'reject',
    cli: ['reject', 'review', '--reason', 'Needs tests.'],
    payload: { taskId: 'review', reason: 'Needs tests.' },
    reaches: (s) => state(s, 'review') === 'awaiting-review' && attempts(s, 'review') === 2,
  },
  {
    op: 'retryTask',
    cli: ['retry', 'bad', '--note', 'Shorter.'],
    payload: { taskId: 'bad', note: 'Shorter.' },
    reaches: (s) => state(s, 'bad') === 'failed' && attempts(s, 'bad') === 2,
  },
  {
    op: 'guide',
    cli: ['guide', 'hang', 'Hurry up.'],
    payload: { taskId: 'hang', message: 'Hurry up.' },
    reaches: (s) => state(s, 'hang') === 'running',
  },
  {
    op: 'skipTask',
    cli: ['skip', 'bad', '--reason', 'by hand'],
    payload: { taskId: 'bad', reason: 'by hand' },
    reaches: (s) => state(s, 'bad') === 'skipped' && state(s, 'later') === 'succeeded',
  },
  {
    op: 'cancelTask',
    cli: ['cancel', 'hang', '--reason', 'taking too long'],
    payload: { taskId: 'hang', reason: 'taking too long' },
    reaches: (s) => state(s, 'hang') === 'cancelled' && error(s, 'hang') === 'cancelled: taking too long',
  },
  {
    op: 'addTasks',
    cli: ['add', 'extra.yaml'],
    payload: { tasks: [{ id: 'extra', prompt: 'Added later.' }] },
    reaches: (s) => state(s, 'extra') === 'succeeded',
  },
  {
    op: 'abort',
    cli: ['abort', '--reason', 'enough'],
    payload: { reason: 'enough' },
    reaches: (s) => s.phase === 'cancelled',
  },
  // Once the run has ended, nothing more is accepted.
  { op: 'abort', cli: ['abort'], payload: {}, refused: /has already ended|already completed/ },
];

/** What a refused operation must leave as it was. */
const fingerprint = (s: RunStatus) =>
  JSON.stringify([s.phase, s.waitingOn, s.tasks.map((t) => [t.id, t.state, t.attempts, t.error])]);

async function statusOf(runId: string): Promise<RunStatus> {
  const handle = temporal.client.workflow.getHandle(runId);
  const description = await handle.describe();
  if (description.status.name !== 'RUNNING') {
    const final = await finalStatus(handle);
    assert.ok(final, `${runId} ended without a final status`);
    return final;
  }
  return await handle.query(statusQuery);
}

async function until(runId: string, ok: (s: RunStatus) => boolean, what: string): Promise<RunStatus> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const s = await statusOf(runId);
    if (ok(s)) return s;
    if (Date.now() > deadline) throw new Error(`${runId}: timed out waiting for ${what}: ${fingerprint(s)}`);
    await sleep(100);
  }
}

interface Channel {
  name: string;
  /** Sends the row's operation; for the CLI also checks the refusal it answers. */
  send(runId: string, row: Row): Promise<void>;
  /** After a refused row: proof the refusal was seen (signals answer nothing to the sender). */
  refusalSeen(runId: string, row: Row, logFrom: number): Promise<void>;
}

const viaCli: Channel = {
  name: 'baton',
  async send(runId, row) {
    const [command, ...args] = row.cli;
    const result = await box.baton([command, runId, ...args]);
    if (row.refused) {
      assert.equal(result.exitCode, 2, `refused → exit 2: ${describeResult(result)}`);
      // Named as people type the command (`baton retry`), never by the wire name (`retryTask`).
      assert.match(result.stderr, new RegExp(`^baton ${command} refused: `), describeResult(result));
      if (row.op !== command) assert.doesNotMatch(result.stderr, new RegExp(row.op), describeResult(result));
      assert.match(result.stderr, row.refused, describeResult(result));
    } else {
      assert.equal(result.exitCode, 0, describeResult(result));
    }
  },
  async refusalSeen() {},
};

const workerLog = () => log;

const viaSignal: Channel = {
  name: 'temporal workflow signal',
  async send(runId, row) {
    const temporalCli = process.env.TEMPORAL_CLI_PATH ?? 'temporal';
    const args = ['workflow', 'signal', '--address', temporal.address, '--workflow-id', runId];
    const result = await execa(temporalCli, [...args, '--name', row.op, '--input', JSON.stringify(row.payload)], {
      reject: false,
      stdin: 'ignore',
      timeout: 30_000,
    });
    const said = `temporal workflow signal --name ${row.op}: exit ${result.exitCode}\n${result.stdout}\n${result.stderr}`;
    if (row.refused?.source.includes('already completed')) {
      // The server itself refuses a signal to a run that has ended.
      assert.notEqual(result.exitCode, 0, said);
      assert.match(result.stderr, row.refused, said);
    } else {
      assert.equal(result.exitCode, 0, said);
    }
  },
  async refusalSeen(runId, row, logFrom) {
    if (row.refused?.source.includes('already completed')) return;
    // The workflow logs each refused signal with the reason, as a warning of the worker.
    const deadline = Date.now() + 15_000;
    for (;;) {
      // One entry per log call: a timestamped line and its indented fields.
      const lines = workerLog()
        .slice(logFrom)
        .split(/\n(?=\d{4}-\d\d-\d\dT)/)
        .filter((l) => l.includes(`refused ${row.op} signal`) && l.includes(`workflowId: '${runId}'`));
      if (lines.some((l) => row.refused!.test(l))) return;
      if (Date.now() > deadline) {
        assert.fail(`no "refused ${row.op} signal" matching ${row.refused} in the worker's log:\n${workerLog()}`);
      }
      await sleep(100);
    }
  },
};

async function play(channel: Channel, runId: string): Promise<string[]> {
  const report: string[] = [];
  await until(runId, steady, 'the steady state');
  for (const [i, row] of ROWS.entries()) {
    const label = `${channel.name} #${i + 1} ${row.op} ${JSON.stringify(row.payload)}`;
    const before = await statusOf(runId);
    const logFrom = workerLog().length;
    const started = Date.now();
    await channel.send(runId, row);
    if (row.refused) {
      await channel.refusalSeen(runId, row, logFrom);
      const now = await statusOf(runId);
      assert.equal(fingerprint(now), fingerprint(before), `${label}: a refusal changes nothing`);
    } else {
      await until(runId, row.reaches!, `${label} to take effect`);
    }
    report.push(`${label} → ${row.refused ? 'refused' : 'ok'} (${Date.now() - started} ms)`);
  }
  return report;
}

void test('each intervention succeeds where DESIGN §4 allows it and is refused, saying why, where it does not — via baton and via temporal workflow signal', async () => {
  const stamp = Date.now().toString(36);
  const runs = { cli: `table-cli-${stamp}`, signal: `table-signal-${stamp}` };
  for (const id of Object.values(runs)) {
    const start = await box.baton(['start', 'table.yaml', '--id', id]);
    assert.equal(start.exitCode, 0, describeResult(start));
  }
  try {
    const reports = await Promise.all([play(viaCli, runs.cli), play(viaSignal, runs.signal)]);
    console.log(reports.flat().join('\n'));

    for (const id of Object.values(runs)) {
      const final = await statusOf(id);
      assert.equal(final.phase, 'cancelled');
      assert.equal(final.reason, 'aborted: enough');
      assert.deepEqual(
        final.tasks.map((t) => [t.id, t.state]),
        [
          ['done', 'succeeded'],
          ['bad', 'skipped'],
          ['later', 'succeeded'],
          ['hang', 'cancelled'],
          ['gate', 'succeeded'],
          ['review', 'cancelled'],
          ['extra', 'succeeded'],
        ],
      );
      // An ended run waits on nobody: not in its status, not in the search attribute `baton list --waiting` reads.
      assert.deepEqual(final.waitingOn, [], `${id}: waitingOn of an aborted run`);
      const { searchAttributes } = await temporal.client.workflow.getHandle(id).describe();
      assert.deepEqual(searchAttributes.BatonWaiting, [false], `${id}: BatonWaiting of an aborted run`);
    }
    // The rejected review's second attempt carried the reviewer's reason; the guidance waits for hang's next attempt.
    const reviews = fake.requestsFor('review');
    assert.equal(reviews.length, 4, 'review ran twice in each run');
    assert.ok(
      reviews.filter((r) => r.firstUserText.includes('Reviewer feedback: Needs tests.')).length === 2,
      'the rejection reason reached the model',
    );
  } finally {
    for (const id of Object.values(runs)) {
      await temporal.client.workflow
        .getHandle(id)
        .terminate('test over')
        .catch(() => undefined);
    }
  }
});
