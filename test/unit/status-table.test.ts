// How the status table shows a task's error in its one line: what tells comes first, a long path keeps its end.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorLine } from '../../src/cli/format.js';

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
