// What `baton status` adds from the server's pending activities: attempts beyond the first, and an operator's pause
// (Temporal tells the workflow nothing of it) — on the running task whose agent it is, and nowhere else.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergePendingActivities } from '../../src/client/runs.js';
import { statusTable } from '../../src/cli/format.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { runStatus, taskView } from '../helpers/views.js';

const status = (): RunStatus =>
  runStatus(
    [
      taskView('api.v2', { state: 'running' }),
      taskView('db', { state: 'running' }),
      taskView('gate', { state: 'awaiting-approval' }),
    ],
    { waitingOn: ['task gate: approval to start — baton approve <run> gate'] },
  );

void test('a paused agent marks its running task and adds the unpause command to waitingOn', () => {
  const s = status();
  mergePendingActivities(s, [
    { activityId: 'api.v2.1', attempt: 4, paused: true },
    { activityId: 'db.1', attempt: 1, paused: false },
  ]);
  assert.equal(s.tasks[0]!.paused, true);
  assert.equal(s.tasks[0]!.attempts, 4, 'attempts are the server’s');
  assert.equal(s.tasks[1]!.paused, undefined);
  assert.deepEqual(s.waitingOn, [
    'task gate: approval to start — baton approve <run> gate',
    'task api.v2: its agent is paused in Temporal — temporal activity unpause --workflow-id <run> --activity-id api.v2.1',
  ]);
  assert.match(statusTable(s), /running \S*\(paused\)/);
});

void test('a pending activity of a task that is not running (a stale describe) changes nothing', () => {
  const s = status();
  mergePendingActivities(s, [{ activityId: 'gate.1', attempt: 3, paused: true }, { activityId: null }]);
  assert.deepEqual(s, status());
});
