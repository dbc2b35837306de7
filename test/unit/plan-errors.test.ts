import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIssue, formatPath, parsePath, PlanError } from '../../src/plan/errors.js';
import { closestMatch } from '../../src/plan/suggest.js';

void test('paths format like code and parse back, quoting keys that are not identifiers', () => {
  const segments = ['agents', 'code-reviewer', 'tools', 0];
  assert.equal(formatPath(segments), 'agents["code-reviewer"].tools[0]');
  assert.deepEqual(parsePath('agents["code-reviewer"].tools[0]'), segments);
  assert.deepEqual(parsePath('tasks[2].dependsOn[0]'), ['tasks', 2, 'dependsOn', 0]);
  assert.deepEqual(parsePath(''), []);
  assert.throws(() => parsePath('tasks[x]'), /not a plan path/);
});

void test('an issue prints as file:line:column path: message, leaving out what it lacks', () => {
  const message = 'must be 1–63 characters';
  assert.equal(
    formatIssue({ file: 'plan.yaml', line: 14, column: 5, path: 'tasks[2].id', message }),
    `plan.yaml:14:5 tasks[2].id: ${message}`,
  );
  assert.equal(formatIssue({ file: 'plan.yaml', path: '', message }), `plan.yaml: ${message}`);
  assert.equal(formatIssue({ path: 'tasks[2].id', message }), `tasks[2].id: ${message}`);
  assert.equal(formatIssue({ path: '', message }), message);
});

void test('PlanError lists every issue under a title that counts them', () => {
  const error = new PlanError(
    [
      { file: 'p.yaml', line: 1, column: 1, path: 'version', message: 'one' },
      { file: 'p.yaml', path: 'name', message: 'two' },
    ],
    'p.yaml',
  );
  assert.equal(error.name, 'PlanError');
  assert.equal(error.message, 'Invalid plan p.yaml (2 problems):\n  p.yaml:1:1 version: one\n  p.yaml name: two');
  assert.equal(error.issues.length, 2);
});

void test('closestMatch suggests likely typos only', () => {
  const keys = ['dependsOn', 'prompt', 'priority', 'expectedOutputs'];
  assert.equal(closestMatch('dependson', keys), 'dependsOn');
  assert.equal(closestMatch('depends_on', keys), 'dependsOn');
  assert.equal(closestMatch('promtp', keys), 'prompt');
  assert.equal(closestMatch('colour', keys), undefined);
  assert.equal(closestMatch('b', ['a', 'c']), undefined);
});
