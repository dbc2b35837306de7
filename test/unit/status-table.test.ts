// How the status table shows a task's error in its one line (what tells comes first, a long path keeps its end),
// and a plan within a plan as a tree.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorLine, statusReport, statusTable, treeRows } from '../../src/cli/format.js';
import type { RunStatus, TaskState, TaskView } from '../../src/workflows/status.js';
import { runStatus, taskView } from '../helpers/views.js';

void test('a long path in an error keeps its end (the file), not the folders before it', () => {
  const error =
    'expected output missing: out/a-rather-long-folder-name/with/more/levels/result-file.txt (the agent finished without it; another attempt may create it)';
  const line = errorLine(error, 70);
  assert.ok(line.length <= 70, line);
  assert.match(line, /^expected output missing: …\/more\/levels\/result-file\.txt /);
  assert.equal(
    errorLine('cannot start: /tmp/a/b is missing', 70),
    'cannot start: /tmp/a/b is missing',
    'short paths stay',
  );
  assert.equal(errorLine('no paths here at all', 70), 'no paths here at all');
});

const task = (id: string, parent?: string, state: TaskState = 'succeeded'): TaskView =>
  taskView(id, { state, ...(parent === undefined ? {} : { parent }) });

const status = (tasks: TaskView[]): RunStatus => runStatus(tasks, { runId: 'shop-1', name: 'shop' });

/** The TASK column of the table, one cell a line, trailing blanks dropped. */
const taskColumn = (text: string) =>
  text
    .split('\n')
    .slice(1)
    .map((line) => line.split(/ {2,}(?=[·○?▶!✔✖↷■⊘] )/)[0]!.trimEnd());

void test('the table shows a three-level plan as a tree: each task under its parent, by its own id, in plan order', () => {
  // Deliberately out of tree order: the table puts every task right under its parent, keeping plan order.
  const tasks = [
    task('schema'),
    task('backend'),
    task('backend/api', 'backend'),
    task('frontend'),
    task('backend/api/db', 'backend/api', 'failed'),
    task('backend/api/routes', 'backend/api', 'pending'),
    task('backend/jobs', 'backend'),
    task('backend/jobs/mail', 'backend/jobs'),
    task('frontend/form', 'frontend'),
    task('frontend/check', 'frontend'),
    task('report'),
  ];
  assert.deepEqual(taskColumn(statusTable(status(tasks))), [
    'schema',
    'backend',
    '  ├ api',
    '  │ ├ db',
    '  │ └ routes',
    '  └ jobs',
    '    └ mail',
    'frontend',
    '  ├ form',
    '  └ check',
    'report',
  ]);
  assert.deepEqual(
    treeRows(tasks).map((r) => r.task.id),
    [
      'schema',
      'backend',
      'backend/api',
      'backend/api/db',
      'backend/api/routes',
      'backend/jobs',
      'backend/jobs/mail',
      'frontend',
      'frontend/form',
      'frontend/check',
      'report',
    ],
    'every task once, parent first',
  );
  // The row carries the task's own state, not its parent's.
  assert.match(statusTable(status(tasks)), /\n {2}│ ├ db +✖ failed/);
});

void test('a task whose parent is not listed shows its whole path id; ids from the run are printed escaped', () => {
  const rows = treeRows([
    task('lonely/child', 'lonely'),
    task('evil\u001b[2Jx'),
    task('evil\u001b[2Jx/y\u001b]0;t', 'evil\u001b[2Jx'),
  ]);
  assert.deepEqual(
    rows.map((r) => r.label),
    ['lonely/child', 'evil\\x1b[2Jx', '  └ y\\x1b]0;t'],
  );
  const report = statusReport(status([task('a'), task('a/b\u0007', 'a')]));
  assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(report.replace(/\u001b\[\d+m/g, '')), JSON.stringify(report));
});
