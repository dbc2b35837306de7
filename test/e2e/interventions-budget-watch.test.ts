// A run that passes its budget pauses and waits on a person, and everything that shows waiting shows it:
// the status JSON's waitingOn names the budget, `baton list --waiting` finds the run (search attribute
// BatonWaiting) and not a finished one, `baton watch` (no terminal: it prints on change) shows the line with
// the command that answers it. A resume without a higher budget is refused; `baton resume --budget` goes on,
// and watch exits 0 when the run completes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeModel } from '../../src/rehearsal/fake-model.js';
import { statusQuery } from '../../src/workflows/messages.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { describeResult, jsonOf, waitFor, type Sandbox } from '../helpers/cli.js';
import type { TestTemporal } from '../helpers/temporal.js';
import { workerScene } from '../helpers/worker-scene.js';

/** Each answered request costs this; the chain a → b → c → d passes $0.02 when c ends. */
const COST_PER_REQUEST_USD = 0.01;

const PLAN = `version: 1
name: budget
budgetUsd: 0.02
defaults:
  retries: 0
  timeout: 5m
tasks:
  - id: a
    prompt: First.
  - id: b
    prompt: Second.
    dependsOn: [a]
  - id: c
    prompt: Third.
    dependsOn: [b]
  - id: d
    prompt: Fourth.
    dependsOn: [c]
`;

const SMALL = 'version: 1\nname: small\ntasks:\n  - id: only\n    prompt: Just this.\n';

let temporal: TestTemporal;
let fake: FakeModel;
let box: Sandbox;
let close: () => Promise<void>;
before(async () => {
  const model = { rehearse: false, costPerRequestUsd: COST_PER_REQUEST_USD };
  ({ temporal, fake, box, close } = await workerScene('budget', model, { 'budget.yaml': PLAN, 'small.yaml': SMALL }));
});
after(() => close());

async function waitingRuns(): Promise<string[]> {
  const list = await box.baton(['list', '--waiting', '--json']);
  assert.equal(list.exitCode, 0, describeResult(list));
  return jsonOf<{ runId: string }[]>(list).map((r) => r.runId);
}

void test('over budget the run pauses and waits on a person — waitingOn, list --waiting, watch — until resume --budget raises it', async () => {
  const stamp = Date.now().toString(36);
  const runId = `budget-${stamp}`;
  const finished = `small-${stamp}`;
  for (const [file, id] of [
    ['small.yaml', finished],
    ['budget.yaml', runId],
  ]) {
    const start = await box.baton(['start', file!, '--id', id!]);
    assert.equal(start.exitCode, 0, describeResult(start));
  }
  const watch = box.spawn(['watch', runId]);
  let shown = '';
  watch.stdout?.on('data', (chunk: Buffer) => {
    shown += chunk.toString();
  });
  /** Frames watch has printed: each starts with the run id's header line. */
  const frames = () => shown.split('\n').filter((line) => line.startsWith(`${runId}  `)).length;
  const handle = temporal.client.workflow.getHandle(runId);
  try {
    const small = await box.baton(['result', finished]);
    assert.equal(small.exitCode, 0, describeResult(small));

    const waiting = await waitFor(`${runId} to pause over its budget`, async () => {
      const s = await handle.query(statusQuery);
      return s.phase === 'paused' ? s : undefined;
    });
    const budgetLine = 'budget: spent $0.03 of $0.02 — baton resume <run> --budget <usd>';
    assert.deepEqual(waiting.waitingOn, [budgetLine]);
    assert.deepEqual(
      waiting.tasks.map((t) => [t.id, t.state]),
      [
        ['a', 'succeeded'],
        ['b', 'succeeded'],
        ['c', 'succeeded'],
        ['d', 'ready'],
      ],
    );
    assert.ok(Math.abs(waiting.costUsd - 0.03) < 1e-9, `cost ${waiting.costUsd}`);
    assert.equal(waiting.budgetUsd, 0.02);
    assert.equal(fake.requestsFor('d').length, 0, 'nothing starts over budget');

    // list --waiting: the waiting run is there (visibility catches up within moments), the finished one is not.
    const listed = await waitFor('list --waiting to show the run', async () => {
      const ids = await waitingRuns();
      return ids.includes(runId) ? ids : undefined;
    });
    assert.ok(!listed.includes(finished), `a finished run is not waiting: ${listed.join(', ')}`);

    // watch shows the wait with the command that answers it, the run id filled in.
    await waitFor('watch to show the budget wait', async () =>
      shown.includes(`budget: spent $0.03 of $0.02 — baton resume ${runId} --budget <usd>`) ? true : undefined,
    );
    const framesWhilePaused = frames();

    // A resume that does not raise the budget above what was spent is refused, and says so.
    for (const args of [[], ['--budget', '0.025']]) {
      const refused = await box.baton(['resume', runId, ...args]);
      assert.equal(refused.exitCode, 2, describeResult(refused));
      assert.match(
        refused.stderr,
        /resume refused: the run has spent \$0\.03; resume with a budget above that \(--budget <usd>\)/,
        describeResult(refused),
      );
    }
    assert.equal((await handle.query(statusQuery)).phase, 'paused');
    // Nothing changed while paused (only the clock moved): watch printed nothing more.
    assert.equal(frames(), framesWhilePaused, `watch printed without a change:\n${shown}`);

    const resumed = await box.baton(['resume', runId, '--budget', '1', '--json']);
    assert.equal(resumed.exitCode, 0, describeResult(resumed));
    const afterResume = jsonOf<RunStatus>(resumed);
    assert.equal(afterResume.budgetUsd, 1);
    assert.deepEqual(afterResume.waitingOn, []);

    const watched = await watch;
    assert.equal(watched.exitCode, 0, `watch exits 0 when the run completes:\n${shown}\n${String(watched.stderr)}`);
    assert.match(shown, new RegExp(`^${runId} {2}\\W*completed`, 'm'), shown);
    const final = await box.baton(['result', runId, '--json']);
    assert.equal(final.exitCode, 0, describeResult(final));
    assert.equal(jsonOf<RunStatus>(final).phase, 'completed');
    assert.equal(fake.requestsFor('d').length, 1, 'd ran after resume');
    console.log(
      `watch printed ${frames()} frames over the run; the last:\n${shown.trim().split('\n\n').slice(-2).join('\n\n')}`,
    );

    // Once it has ended, the run no longer counts as waiting.
    await waitFor('list --waiting to drop the finished run', async () =>
      (await waitingRuns()).includes(runId) ? undefined : true,
    );
  } finally {
    watch.kill('SIGTERM');
    await watch;
    await handle.terminate('test over').catch(() => undefined);
  }
});
