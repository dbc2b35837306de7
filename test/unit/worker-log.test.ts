// Which of the Temporal SDK's log entries a baton worker leaves out: only warnings about failures that baton
// reports itself (an agent's or planner's attempt, a run that ended failed); real errors stay.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { isExpected } from '../../src/workers/log.js';

const agentFailure = ApplicationFailure.create({ type: 'AgentApiError', message: 'API Error: 500' });

void test("an agent's or planner's failed attempt and a run that ended failed are left out", () => {
  assert.ok(isExpected({ message: 'Activity failed', meta: { activityType: 'runAgent', error: agentFailure } }));
  assert.ok(isExpected({ message: 'Activity failed', meta: { activityType: 'planGoal', error: agentFailure } }));
  // As it reaches the log from the workflow's thread: a plain Error with the failure's message.
  const runFailed = new Error('1 of 3 tasks did not succeed: bad (failed)');
  assert.ok(isExpected({ message: 'Workflow failed', meta: { workflowType: 'orchestrate', error: runFailed } }));
});

void test('a bug in an agent activity, a git failure and any other workflow failure are kept', () => {
  const bug = new TypeError('cannot read properties of undefined');
  assert.ok(!isExpected({ message: 'Activity failed', meta: { activityType: 'runAgent', error: bug } }));
  assert.ok(
    !isExpected({ message: 'Activity failed', meta: { activityType: 'prepareWorktree', error: agentFailure } }),
  );
  const other = new Error('the run was started without a plan or a goal');
  assert.ok(!isExpected({ message: 'Workflow failed', meta: { workflowType: 'orchestrate', error: other } }));
  assert.ok(!isExpected({ message: 'Worker failed', meta: { error: bug } }));
});
