// Issue 19, finding 7 — validation gaps, through the built CLI: each bad input exits 2 with a message naming the
// problem and its place (file:line where there is a file), nothing is started, and what a run's id holds never
// reaches a terminal raw.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { WORKFLOW_TYPE } from '../../src/client/runs.js';
import { describeResult, sandbox, type Sandbox } from '../helpers/cli.js';
import { testTemporal, type TestTemporal } from '../helpers/temporal.js';

let temporal: TestTemporal;
let box: Sandbox;
before(async () => {
  temporal = await testTemporal();
  box = await sandbox('validation', { TEMPORAL_ADDRESS: temporal.address });
});
after(async () => {
  await box.cleanup();
  await temporal.close();
});

async function validate(file: string, text: string) {
  await writeFile(path.join(box.cwd, file), text);
  return await box.baton(['validate', file], { timeoutMs: 60_000 });
}

const head = 'version: 1\nname: v\n';

void test('a YAML alias bomb exits 2 with file:line; a valid plan with 1,100 aliases of one anchor is accepted', async () => {
  let bomb = `${head}a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n`;
  for (let i = 1; i < 10; i++)
    bomb += `a${i}: &a${i} [${Array(9)
      .fill(`*a${i - 1}`)
      .join(', ')}]\n`;
  bomb += 'tasks:\n  - id: a\n    prompt: *a9\n';
  const refused = await validate('bomb.yaml', bomb);
  assert.equal(refused.exitCode, 2, describeResult(refused));
  assert.match(
    refused.stderr,
    /bomb\.yaml:\d+:\d+: expanding the plan's YAML aliases would make it more than 2,000,000/,
  );
  assert.ok(refused.durationMs < 20_000, `took ${refused.durationMs} ms`);

  let many = `${head}tasks:\n  - id: t0\n    prompt: &p Do the thing.\n`;
  for (let i = 1; i < 1100; i++) many += `  - id: t${i}\n    prompt: *p\n`;
  const accepted = await validate('many.yaml', many);
  assert.equal(accepted.exitCode, 0, describeResult(accepted));
  assert.match(accepted.stdout, /valid plan "v" — 1100 tasks/);
});

void test('deep nesting says the plan is nested too deeply, with its place (YAML and JSON)', async () => {
  for (const [file, text] of [
    ['deep.yaml', `${head}tasks: ${'['.repeat(5000)}${']'.repeat(5000)}\n`],
    ['deep.json', `{"version": 1, "name": "v", "tasks": ${'['.repeat(5000)}${']'.repeat(5000)}}\n`],
    ['nested.yaml', `${head}tasks:\n  - id: a\n    prompt: ${'['.repeat(80)}${']'.repeat(80)}\n`],
  ]) {
    const result = await validate(file!, text!);
    assert.equal(result.exitCode, 2, describeResult(result));
    assert.match(
      result.stderr,
      new RegExp(`${file!.replace('.', '\\.')}:\\d+:\\d+: the plan is nested (too deeply|more than 64 levels)`),
    );
    assert.doesNotMatch(result.stderr, /Maximum call stack/);
  }
});

void test('timeout: 1e308 is refused at validation (at most 720h)', async () => {
  const result = await validate('forever.yaml', `${head}tasks:\n  - id: a\n    prompt: x\n    timeout: 1e308\n`);
  assert.equal(result.exitCode, 2, describeResult(result));
  assert.match(result.stderr, /forever\.yaml:6:\d+ tasks\[0\]\.timeout: must be at most 720h \(30 days\)/);
});

void test("an unknown agent is refused unless the plan, an agents folder or claude's built-ins define it", async () => {
  const unknown = await validate('agent.yaml', `${head}tasks:\n  - id: a\n    prompt: x\n    agent: reviewr\n`);
  assert.equal(unknown.exitCode, 2, describeResult(unknown));
  assert.match(unknown.stderr, /agent\.yaml:6:\d+ tasks\[0\]\.agent: unknown agent "reviewr"/);
  assert.match(unknown.stderr, /claude's own are general-purpose, Explore, Plan/);

  await mkdir(path.join(box.cwd, '.claude', 'agents'), { recursive: true });
  await writeFile(
    path.join(box.cwd, '.claude', 'agents', 'reviewer.md'),
    '---\nname: reviewer\ndescription: Reviews code\n---\nYou review code.\n',
  );
  const defined =
    `${head}agents:\n  coder: { description: Writes code, prompt: You write code. }\ntasks:\n` +
    '  - id: a\n    prompt: x\n    agent: coder\n  - id: b\n    prompt: x\n    agent: reviewer\n' +
    '  - id: c\n    prompt: x\n    agent: Explore\n';
  const known = await validate('known.yaml', defined);
  assert.equal(known.exitCode, 0, describeResult(known));
  const typo = await validate('typo.yaml', `${head}tasks:\n  - id: a\n    prompt: x\n    agent: reviewr\n`);
  assert.match(typo.stderr, /unknown agent "reviewr" \(did you mean "reviewer"\?\)/);
});

void test('--id "", a 2,000-character id and ids with ESC or a newline exit 2 before anything starts, printed escaped', async () => {
  await writeFile(path.join(box.cwd, 'ok.yaml'), `${head}tasks:\n  - id: a\n    prompt: x\n`);
  for (const [id, reason] of [
    ['', /must not be empty/],
    ['x'.repeat(2000), /at most 200 characters \(this one has 2000\)/],
    ['evil\u001b[2Jrun', /spaces or control characters/],
    ['two\nlines', /spaces or control characters/],
  ] as const) {
    for (const command of ['start', 'run']) {
      const result = await box.baton([command, 'ok.yaml', '--id', id]);
      assert.equal(result.exitCode, 2, describeResult(result));
      assert.match(result.stderr, reason, describeResult(result));
      assert.ok(!result.stderr.includes('\u001b') && !result.stderr.includes('two\nlines'), 'never printed raw');
    }
  }
  const runs = await temporal.client.workflow.count(`TaskQueue = '${box.taskQueue}'`);
  assert.equal(runs.count, 0, 'nothing was started');
});

void test('baton list escapes control characters in the ids of runs started around the CLI', async () => {
  const id = `list-\u001b]0;owned\u0007-\n${Date.now().toString(36)}`;
  const handle = await temporal.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: `${box.taskQueue}-nobody-serves`,
    workflowId: id,
    args: [{ goal: 'nothing' }],
  });
  try {
    const list = await box.baton(['list']);
    assert.equal(list.exitCode, 0, describeResult(list));
    assert.ok(!list.stdout.includes('\u001b') && !list.stdout.includes('\u0007'), 'no control character printed');
    assert.ok(list.stdout.includes('list-\\x1b]0;owned\\x07-\\n'), list.stdout);
  } finally {
    await handle.terminate('test over');
  }
});
