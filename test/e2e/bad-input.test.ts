// Bad input through the built CLI: every kind of plan error makes `baton validate`, `baton run` and
// `baton start` exit 2 with a message that names the file, the place in it and the problem — and `run`
// and `start` start no workflow (checked on the suite's real Temporal server by id and by task queue).
// Also: the examples validate, `baton graph` draws Mermaid, an unknown run id and an unknown command or
// flag exit 2.
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import { describeResult, REPO_ROOT, sandbox, waitFor, type CliResult } from '../helpers/cli.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import { testTemporal } from '../helpers/temporal.js';

const temporal = forAllTests(testTemporal);
const box = forAllTests(
  () => sandbox('bad-input', { TEMPORAL_ADDRESS: temporal.address }),
  (b) => b.cleanup(),
);

interface BadPlan {
  name: string;
  /** File name in the test's cwd. */
  file: string;
  /** Its text; undefined: the file does not exist. */
  text?: string;
  /** What the message must say besides the file name: a place in the plan and the problem. */
  expect: RegExp[];
}

const task = (id: string, extra = '') => `  - id: ${id}\n    prompt: Do ${id}.\n${extra}`;
const plan = (tasks: string, head = '') => `version: 1\nname: bad\n${head}tasks:\n${tasks}`;

const BAD_PLANS: BadPlan[] = [
  {
    name: 'an unknown key (a typo of dependsOn)',
    file: 'typo.yaml',
    text: plan(task('a') + task('b', '    dependson: [a]\n')),
    expect: [/typo\.yaml:8:5 /, /tasks\[1\]\.dependson/, /unknown key "dependson"/, /did you mean "dependsOn"/],
  },
  {
    name: 'an uppercase id',
    file: 'upper.yaml',
    text: plan(task('Login')),
    expect: [/tasks\[0\]\.id/, /lowercase/, /"Login"/],
  },
  {
    name: 'an id with a slash',
    file: 'slash.yaml',
    text: plan(task('api/login')),
    expect: [/tasks\[0\]\.id/, /"api\/login"/],
  },
  {
    name: 'an id with ".."',
    file: 'dots.yaml',
    text: plan(task('a..b')),
    expect: [/tasks\[0\]\.id/, /must not contain "\.\."/],
  },
  {
    name: 'an id with a space',
    file: 'space.yaml',
    text: plan(`  - id: "log in"\n    prompt: Do it.\n`),
    expect: [/tasks\[0\]\.id/, /"log in"/],
  },
  {
    name: 'duplicate ids',
    file: 'duplicate.yaml',
    text: plan(task('build') + task('test') + task('build')),
    expect: [/tasks\[2\]\.id/, /duplicate task id "build"/, /tasks\[0\]/],
  },
  {
    name: 'an unknown dependency',
    file: 'unknown-dep.yaml',
    text: plan(task('schema') + task('api', '    dependsOn: [shcema]\n')),
    expect: [/tasks\[1\]\.dependsOn\[0\]/, /"shcema", but no task has that id/, /did you mean "schema"/],
  },
  {
    name: 'a cycle',
    file: 'cycle.yaml',
    text: plan(
      task('first') +
        task('a', '    dependsOn: [first, c]\n') +
        task('b', '    dependsOn: [a]\n') +
        task('c', '    dependsOn: [b]\n'),
    ),
    expect: [/dependency cycle: ([abc]) → [abc] → [abc] → \1/],
  },
  {
    name: 'an empty plan',
    file: 'empty.yaml',
    text: '# nothing here\n',
    expect: [/the plan is empty/],
  },
  {
    name: 'a plan without tasks',
    file: 'no-tasks.yaml',
    text: 'version: 1\nname: bad\ntasks: []\n',
    expect: [/tasks/, /at least one task/],
  },
  {
    name: 'malformed YAML',
    file: 'malformed.yaml',
    text: 'version: 1\nname: bad\ntasks:\n  - id: a\n    prompt: "unclosed\n  - id: b\n',
    expect: [/malformed\.yaml:\d+:\d+/, /YAML syntax error/],
  },
  {
    name: 'malformed JSON',
    file: 'malformed.json',
    text: '{\n  "version": 1,\n  "name": "bad",\n  "tasks": [ { "id": "a", "prompt": "x", } ]\n}\n',
    expect: [/malformed\.json:4:\d+/, /JSON syntax error/],
  },
  {
    name: 'a missing file',
    file: 'does-not-exist.yaml',
    expect: [/cannot read the plan file/, /no such file/],
  },
  {
    name: 'a workspace.repo that does not exist',
    file: 'workspace.yaml',
    text: plan(task('a'), 'workspace:\n  repo: ./no-such-folder\n'),
    expect: [/workspace\.repo/, /no-such-folder/, /does not exist/],
  },
];

/** Workflows on the server that ran on this test's task queue (visibility may lag a moment). */
async function workflowsOnQueue(): Promise<string[]> {
  const ids: string[] = [];
  for await (const w of temporal.client.workflow.list({ query: `TaskQueue = '${box.taskQueue}'` }))
    ids.push(w.workflowId);
  return ids;
}

async function exists(workflowId: string): Promise<boolean> {
  try {
    await temporal.client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

function assertBadInput(result: CliResult, bad: BadPlan): void {
  const context = describeResult(result);
  assert.equal(result.exitCode, 2, context);
  assert.ok(result.stderr.includes(bad.file), `the message names the file ${bad.file}\n${context}`);
  for (const pattern of bad.expect) assert.match(result.stderr, pattern, context);
  assert.doesNotMatch(result.stderr, /\n\s+at .+:\d+:\d+\)?\n/, `no stack trace for bad input\n${context}`);
  assert.doesNotMatch(result.stdout, /started/, context);
}

void test('every plan error exits 2 from validate, run and start, naming the file, the place and the problem, and starts nothing', async () => {
  assert.deepEqual(await workflowsOnQueue(), [], 'the task queue is fresh');
  const attempted: string[] = [];
  const failures: string[] = [];
  for (const [i, bad] of BAD_PLANS.entries()) {
    if (bad.text !== undefined) await writeFile(path.join(box.cwd, bad.file), bad.text);
    const runId = `bad-input-run-${i}-${Date.now()}`;
    const startId = `bad-input-start-${i}-${Date.now()}`;
    attempted.push(runId, startId);
    const results = await Promise.all([
      box.baton(['validate', bad.file]),
      box.baton(['run', bad.file, '--id', runId]),
      box.baton(['start', bad.file, '--id', startId, '--json']),
    ]);
    for (const result of results) {
      try {
        assertBadInput(result, bad);
      } catch (err) {
        failures.push(`${bad.name}: ${(err as Error).message}`);
      }
    }
  }
  assert.deepEqual(failures, [], failures.join('\n\n'));
  for (const id of attempted) assert.equal(await exists(id), false, `workflow ${id} was started`);
  // Visibility is eventually consistent: give a wrongly started run time to show up before saying none did.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  assert.deepEqual(await workflowsOnQueue(), [], 'no workflow ran on the test task queue');

  // The same checks do see a run that does start (so the ones above can fail).
  await writeFile(path.join(box.cwd, 'good.yaml'), plan(task('a')));
  const goodId = `bad-input-control-${Date.now()}`;
  const start = await box.baton(['start', 'good.yaml', '--id', goodId]);
  assert.equal(start.exitCode, 0, describeResult(start));
  assert.equal(await exists(goodId), true);
  // An id that is taken is bad input too.
  const again = await box.baton(['start', 'good.yaml', '--id', goodId]);
  assert.equal(again.exitCode, 2, describeResult(again));
  assert.match(again.stderr, new RegExp(`a run with id "${goodId}" already exists`), describeResult(again));
  await waitFor('the control run in the visibility list', async () =>
    (await workflowsOnQueue()).includes(goodId) ? true : undefined,
  );
  await temporal.client.workflow.getHandle(goodId).terminate('control run of bad-input.test');
});

void test('every example plan validates (exit 0) and `baton graph` prints its Mermaid flowchart', async () => {
  const examples = (await readdir(path.join(REPO_ROOT, 'examples'))).filter((f) => /\.(ya?ml|json)$/.test(f));
  assert.ok(examples.length >= 3, `examples: ${examples.join(', ')}`);
  for (const example of examples) {
    const file = path.join(REPO_ROOT, 'examples', example);
    const result = await box.baton(['validate', file]);
    assert.equal(result.exitCode, 0, describeResult(result));
    assert.match(result.stdout, /valid plan "[^"]+" — \d+ tasks/);
  }

  const graph = await box.baton(['graph', path.join(REPO_ROOT, 'examples', 'diamond.yaml')]);
  assert.equal(graph.exitCode, 0, describeResult(graph));
  const lines = graph.stdout.trim().split('\n');
  assert.match(lines[0] ?? '', /^flowchart (TD|TB|LR)$/, graph.stdout);
  const nodes = lines.filter((l) => /^\s+\w+\[".+"\]$/.test(l));
  const edges = lines.filter((l) => /^\s+\w+ --> \w+$/.test(l));
  assert.equal(nodes.length, 4, graph.stdout);
  assert.equal(edges.length, 4, graph.stdout);
  assert.match(graph.stdout, /Map the HTTP endpoints/);

  const badGraph = await box.baton(['graph', 'no-such-plan.yaml']);
  assert.equal(badGraph.exitCode, 2, describeResult(badGraph));
});

void test('status, result and approve of an unknown run id exit 2 with "no run with id"', async () => {
  for (const args of [
    ['status', 'no-such-run'],
    ['result', 'no-such-run'],
    ['status', 'no-such-run', '--json'],
    ['approve', 'no-such-run', 'a'],
  ]) {
    const result = await box.baton(args);
    assert.equal(result.exitCode, 2, describeResult(result));
    assert.match(result.stderr, /no run with id no-such-run/, describeResult(result));
    assert.equal(result.stdout, '', describeResult(result));
  }
});

void test('an unknown command, an unknown flag and a missing argument exit 2 and say what was wrong', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['status', 'x', '--bogus'], /unknown option '--bogus'/],
    [['run'], /give a plan file|missing required argument 'plan'/],
    [['resume', 'x', '--budget', 'lots'], /must be a positive number/],
  ];
  for (const [args, message] of cases) {
    const result = await box.baton(args);
    assert.equal(result.exitCode, 2, describeResult(result));
    assert.match(result.stderr, message, describeResult(result));
  }
  const help = await box.baton(['--help']);
  assert.equal(help.exitCode, 0, describeResult(help));
  assert.match(help.stdout, /Exit codes/);
});
