// BATON_NOTIFY_CMD: when a run starts waiting on a person, the command runs (no shell) with the
// event as JSON on stdin; a notifier that cannot run does not stop the run.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { WaitingEvent } from '../../src/contract/notify.js';
import { approveUpdate } from '../../src/workflows/messages.js';
import { forAllTests, tempFolderForAllTests } from '../helpers/for-all-tests.js';
import { describeStatus, plan, withHarness, workflowTemporal } from '../helpers/workflow-harness.js';

const temporal = forAllTests(workflowTemporal);
const dir = tempFolderForAllTests('baton-notify-');

const APPEND_STDIN = "require('fs').appendFileSync(process.argv[1], require('fs').readFileSync(0, 'utf8'))";

async function eventsIn(file: string): Promise<WaitingEvent[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as WaitingEvent);
}

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

void test('a run that starts waiting on a person runs the notify command once per wait, the event on stdin', async () => {
  const file = path.join(dir, 'events.jsonl');
  // A shell metacharacter in an argument proves no shell is involved: it reaches the command as is.
  const notifyCommand = [process.execPath, '-e', APPEND_STDIN, file, '$(touch should-not-exist)'];
  await withHarness(temporal, { notifyCommand }, async (h) => {
    const handle = await h.start(
      plan('notify', [
        { id: 'build', prompt: 'Build.' },
        { id: 'ship', prompt: 'Ship.', dependsOn: ['build'], approval: 'before' },
      ]),
    );
    const events = await until(
      () => eventsIn(file),
      (e) => e.length >= 1,
      'a notification',
    );
    assert.equal(events.length, 1);
    const [event] = events;
    assert.equal(event?.event, 'waiting');
    assert.equal(event?.runId, handle.workflowId);
    assert.equal(event?.name, 'notify');
    assert.deepEqual(event?.waitingOn, ['task ship: approval to start — baton approve <run> ship']);

    await handle.executeUpdate(approveUpdate, { args: [{ taskId: 'ship' }] });
    const final = await h.result(handle);
    assert.equal(final.phase, 'completed', describeStatus(final));
    // Still one event: the same wait is not announced twice, and a finished run waits on nobody.
    assert.equal((await eventsIn(file)).length, 1);
  });
});

void test('a notify command that cannot run does not stop the run', async () => {
  await withHarness(temporal, { notifyCommand: [path.join(dir, 'no-such-notifier')] }, async (h) => {
    const handle = await h.start(plan('notify-broken', [{ id: 'gate', prompt: 'Go.', approval: 'before' }]));
    await h.waitFor(handle, (s) => s.waitingOn.length > 0, 'the gate');
    await handle.executeUpdate(approveUpdate, { args: [{ taskId: 'gate' }] });
    const final = await h.result(handle);
    assert.equal(final.phase, 'completed', describeStatus(final));
  });
});
