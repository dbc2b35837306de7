import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PlanError } from '../../src/plan/errors.js';
import { NEEDS_ONE_KIND } from '../../src/plan/hierarchy.js';
import { loadPlanFile, parsePlanText, validatePlanObject } from '../../src/plan/load.js';
import { isSubPlanTask } from '../../src/plan/schema.js';
import { forEachTask } from '../../src/plan/tree.js';

// Compiled to dist/test/unit/, so the repository root is three folders up.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = (name: string): string => join(root, 'test/fixtures/plans', name);
const ID_RULE =
  'must be 1–63 characters of lowercase letters, digits, ".", "_" or "-", starting with a letter or digit';

/** The lines of the PlanError thrown by loading `file`, without the title line. */
async function problems(file: string): Promise<string[]> {
  const error = await loadPlanFile(file).then(
    () => assert.fail(`${file} was accepted`),
    (error: unknown) => error,
  );
  assert.ok(error instanceof PlanError, `not a PlanError: ${String(error)}`);
  const [title, ...lines] = error.message.split('\n');
  const count = error.issues.length;
  assert.equal(title, `Invalid plan ${file} (${count === 1 ? '1 problem' : `${count} problems`}):`);
  assert.equal(lines.length, count);
  return lines.map((line) => line.trim());
}

for (const name of readdirSync(join(root, 'examples')).filter((file) => /\.ya?ml$/.test(file))) {
  void test(`example ${name} is a valid plan with expected outputs for rehearsal`, async () => {
    const plan = await loadPlanFile(join(root, 'examples', name));
    assert.ok(plan.tasks.length >= 3);
    // A task with a sub-plan (examples/hierarchy.yaml) has none of its own: its sub-plan's tasks have theirs.
    forEachTask(plan, (task, path) => {
      if (!isSubPlanTask(task)) assert.ok(task.expectedOutputs.length > 0, `${path} has no expectedOutputs`);
    });
  });
}

void test('the example plans have the shapes they are named for', async () => {
  const linear = await loadPlanFile(join(root, 'examples/linear.yaml'));
  assert.deepEqual(
    linear.tasks.map((task) => task.dependsOn.length),
    [0, 1, 1],
  );
  const diamond = await loadPlanFile(join(root, 'examples/diamond.yaml'));
  assert.equal(diamond.tasks[3]?.dependsOn.length, 2);
  const fanOut = await loadPlanFile(join(root, 'examples/fan-out.yaml'));
  assert.equal(fanOut.maxParallel, 3);
  assert.equal(fanOut.tasks.length, 14);
  assert.equal(fanOut.tasks[13]?.dependsOn.length, 12);
});

void test('a valid plan gets its defaults filled in', () => {
  const plan = parsePlanText('version: 1\nname: p\ntasks:\n  - id: a\n    prompt: do it\n', 'p.yaml', 'yaml');
  assert.equal(plan.maxParallel, 4);
  assert.equal(plan.onFailure, 'wait');
  assert.deepEqual(plan.tasks[0], {
    id: 'a',
    prompt: 'do it',
    dependsOn: [],
    priority: 0,
    approval: 'none',
    contextFiles: [],
    expectedOutputs: [],
  });
});

void test('JSON plans load by extension, and by sniffing when the extension is unknown', async () => {
  for (const name of ['valid.json', 'valid-no-extension.plan']) {
    const plan = await loadPlanFile(fixture(name));
    assert.deepEqual(
      plan.tasks.map((task) => task.id),
      ['a', 'b'],
    );
  }
});

void test('an unknown key is reported with a suggestion for the key it is close to', async () => {
  const file = fixture('typo-key.yaml');
  assert.deepEqual(await problems(file), [
    `${file}:8:5 tasks[1].dependson: unknown key "dependson" (did you mean "dependsOn"?)`,
  ]);
});

void test('an unknown key with no close match gets no suggestion', () => {
  const result = validatePlanObject({ version: 1, name: 'p', colour: 'red', tasks: [{ id: 'a', prompt: 'x' }] });
  assert.deepEqual(result, { ok: false, issues: [{ path: 'colour', message: 'unknown key "colour"' }] });
});

void test('bad task ids are all reported: uppercase, "/", "..", space, leading dot, 64 characters', async () => {
  const file = fixture('bad-ids.yaml');
  assert.deepEqual(await problems(file), [
    `${file}:4:9 tasks[0].id: ${ID_RULE} (found "Login")`,
    `${file}:6:9 tasks[1].id: ${ID_RULE} (found "api/login")`,
    `${file}:8:9 tasks[2].id: must not contain ".." (found "a..b")`,
    `${file}:10:9 tasks[3].id: ${ID_RULE} (found "log in")`,
    `${file}:12:9 tasks[4].id: ${ID_RULE} (found ".hidden")`,
    `${file}:14:9 tasks[5].id: ${ID_RULE} (found "${'a'.repeat(40)}…" (64 characters))`,
  ]);
});

void test('ids that git cannot use as a branch name are rejected', () => {
  const result = validatePlanObject({ version: 1, name: 'p', tasks: [{ id: 'x.lock', prompt: 'x' }] });
  assert.deepEqual(result, {
    ok: false,
    issues: [{ path: 'tasks[0].id', message: 'must not end with "." or ".lock" (found "x.lock")' }],
  });
});

void test('a duplicate id names both places', async () => {
  const file = fixture('duplicate-ids.yaml');
  assert.deepEqual(await problems(file), [
    `${file}:9:9 tasks[2].id: duplicate task id "build" (also used by tasks[0])`,
  ]);
});

void test('an unknown dependency names the task and the missing id, with a suggestion when close', async () => {
  const file = fixture('unknown-dep.yaml');
  assert.deepEqual(await problems(file), [
    `${file}:8:25 tasks[1].dependsOn[1]: task "api" depends on "shcema", but no task has that id (did you mean "schema"?)`,
    `${file}:8:33 tasks[1].dependsOn[2]: task "api" depends on "frontend", but no task has that id`,
  ]);
});

void test('each cycle is named once, in order, and a self-dependency is its own problem', async () => {
  const file = fixture('cycle.yaml');
  assert.deepEqual(await problems(file), [
    `${file}:8:24 tasks[1].dependsOn[1]: dependency cycle: a → b → c → a (each task waits for the one before it)`,
    `${file}:17:17 tasks[4].dependsOn[0]: dependency cycle: x → y → x (each task waits for the one before it)`,
    `${file}:23:17 tasks[6].dependsOn[0]: task "self" depends on itself`,
  ]);
});

void test('an empty file says the plan is empty', async () => {
  const file = fixture('empty.yaml');
  assert.deepEqual(await problems(file), [
    `${file}: the plan is empty: expected a mapping with "version", "name" and "tasks"`,
  ]);
  assert.throws(() => parsePlanText('', 'x.json', 'json'), /x\.json: the plan is empty/);
});

void test('an empty task list says a plan needs a task', async () => {
  const file = fixture('empty-tasks.yaml');
  assert.deepEqual(await problems(file), [`${file}:3:8 tasks: a plan needs at least one task`]);
});

void test('wrong types say what was expected and what was found', async () => {
  const file = fixture('wrong-types.yaml');
  assert.deepEqual(await problems(file), [
    `${file}:3:14 maxParallel: expected a number, found "four"`,
    `${file}:5:12 defaults.retries: expected an integer, found the number 1.5`,
    `${file}:6:12 defaults.timeout: must be a duration such as "90s", "30m" or "2h" (found "soon")`,
    `${file}:8:9 tasks[0].id: expected a string, found the number 42 (put it in quotes)`,
    `${file}:9:13 tasks[0].prompt: expected a string, found a list`,
    `${file}:10:16 tasks[0].dependsOn: expected a list, found "build" (write [build] for a list of one)`,
    `${file}:11:15 tasks[0].approval: must be one of "none", "before" or "after" (found "later")`,
    `${file}:12:5 tasks[1]: expected a mapping, found "plain string"`,
  ]);
});

void test('a missing key points at the mapping that lacks it', () => {
  const text = 'version: 1\nname: p\ntasks:\n  - title: no id\n    prompt: do it\n';
  assert.throws(
    () => parsePlanText(text, 'p.yaml', 'yaml'),
    (error: unknown) =>
      error instanceof PlanError &&
      error.message === 'Invalid plan p.yaml (1 problem):\n  p.yaml:4:5 tasks[0].id: is required but missing',
  );
});

void test('malformed YAML is reported with its line', async () => {
  const file = fixture('malformed.yaml');
  assert.deepEqual(await problems(file), [`${file}:7:1: YAML syntax error: Sequence item without - indicator`]);
});

void test('malformed JSON is reported with its line, even where YAML would accept it', async () => {
  const file = fixture('malformed.json');
  assert.deepEqual(await problems(file), [`${file}:6:46: JSON syntax error: Expected double-quoted property name`]);
});

void test('version 2 is refused', async () => {
  const file = fixture('version-2.yaml');
  assert.deepEqual(await problems(file), [
    `${file}:1:10 version: must be 1 (the only plan format version) (found the number 2)`,
  ]);
});

void test('a missing file is a PlanError naming the file', async () => {
  const file = fixture('no-such-plan.yaml');
  assert.deepEqual(await problems(file), [`${file}: cannot read the plan file: no such file`]);
});

void test('schema and graph problems are reported together, in file order', () => {
  const text = [
    'version: 1',
    'name: Many',
    'tasks:',
    '  - id: a',
    '    prompt: ""',
    '    dependsOn: [b, ghost]',
    '  - id: b',
    '    prompt: b',
    '    dependsOn: [a]',
    '    aproval: after',
  ].join('\n');
  const error = (() => {
    try {
      parsePlanText(text, 'many.yaml', 'yaml');
    } catch (caught) {
      return caught;
    }
    return undefined;
  })();
  assert.ok(error instanceof PlanError);
  assert.deepEqual(
    error.issues.map((issue) => `${issue.line}:${issue.column} ${issue.path}`),
    [
      '2:7 name',
      '5:13 tasks[0].prompt',
      '6:17 tasks[0].dependsOn[0]',
      '6:20 tasks[0].dependsOn[1]',
      '10:5 tasks[1].aproval',
    ],
  );
  assert.match(error.message, /tasks\[1\]\.aproval: unknown key "aproval" \(did you mean "approval"\?\)/);
  assert.match(error.message, /dependency cycle: a → b → a/);
});

void test('validatePlanObject returns the plan or every issue, labelled with the source', () => {
  const ok = validatePlanObject({ version: 1, name: 'p', tasks: [{ id: 'a', prompt: 'x' }] });
  assert.equal(ok.ok, true);
  const bad = validatePlanObject(
    { version: 1, name: 'p', tasks: [{ id: 'a', prompt: 'x', dependsOn: ['b'] }, { id: 'a' }] },
    'planner output',
  );
  assert.deepEqual(bad, {
    ok: false,
    issues: [
      {
        file: 'planner output',
        path: 'tasks[1].id',
        message: 'duplicate task id "a" (also used by tasks[0])',
      },
      {
        file: 'planner output',
        path: 'tasks[0].dependsOn[0]',
        message: 'task "a" depends on "b", but no task has that id',
      },
      { file: 'planner output', path: 'tasks[1].prompt', message: NEEDS_ONE_KIND },
    ],
  });
  assert.deepEqual(validatePlanObject([1, 2]), {
    ok: false,
    issues: [{ path: '', message: 'expected a mapping, found a list' }],
  });
});

void test('schema problems in a JSON plan are located too', () => {
  const text =
    '{\n  "version": 1,\n  "name": "j",\n  "tasks": [\n    { "id": "a", "prompt": "x", "timeout": "0m" }\n  ]\n}\n';
  assert.throws(
    () => parsePlanText(text, 'j.json', 'json'),
    (error: unknown) =>
      error instanceof PlanError &&
      error.message ===
        'Invalid plan j.json (1 problem):\n  j.json:5:44 tasks[0].timeout: must be longer than zero (found "0m")',
  );
});
