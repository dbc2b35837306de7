// Details of the built CLI that scripts and newcomers lean on: `validate --json` prints the problems on stdout;
// `--help` says which flags are required and which commands take --json and --reason; `graph` marks approval
// gates; `artifact` works from any folder and ends its output with a newline; `watch --json` prints the status
// JSON. Against the suite's real Temporal server, a `baton run --rehearse` (the real claude, the scripted model).
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import type { RunStatus } from '../../src/workflows/status.js';
import {
  BATON_CLI,
  describeResult,
  jsonOf,
  sandbox,
  statusShapeProblems,
  type CliResult,
  type Sandbox,
} from '../helpers/cli.js';
import { testTemporal, type TestTemporal } from '../helpers/temporal.js';

let temporal: TestTemporal;
let box: Sandbox;
before(async () => {
  temporal = await testTemporal();
  // BATON_HOME unset: state goes to .baton/ in the folder a command runs in, as for a newcomer.
  box = await sandbox('cli-details', { TEMPORAL_ADDRESS: temporal.address, BATON_HOME: undefined });
});
after(async () => {
  await box.cleanup();
  await temporal.close();
});

const GATED = `version: 1
name: gated
tasks:
  - id: design
    prompt: Write design.md.
    expectedOutputs: [design.md]
  - id: build
    title: Build it
    prompt: Build what design.md says.
    dependsOn: [design]
    approval: before
  - id: ship
    prompt: Ship it.
    dependsOn: [build]
    approval: after
`;

void test('validate --json prints {valid: false, problems: [{path, line, column, message}]} on stdout and exits 2', async () => {
  await writeFile(path.join(box.cwd, 'bad.yaml'), GATED.replace('dependsOn: [design]', 'dependsOn: [desing]'));
  const bad = await box.baton(['validate', 'bad.yaml', '--json']);
  assert.equal(bad.exitCode, 2, describeResult(bad));
  assert.deepEqual(jsonOf(bad), {
    valid: false,
    problems: [
      {
        path: 'tasks[1].dependsOn[0]',
        line: 10,
        column: 17,
        message: 'task "build" depends on "desing", but no task has that id (did you mean "design"?)',
        file: 'bad.yaml',
      },
    ],
  });
  assert.match(bad.stderr, /bad\.yaml:10:17 tasks\[1\]\.dependsOn\[0\]/, 'people still read it on stderr');

  const missing = await box.baton(['validate', 'no-such.yaml', '--json']);
  assert.equal(missing.exitCode, 2, describeResult(missing));
  assert.deepEqual(jsonOf(missing), {
    valid: false,
    problems: [
      { path: '', line: null, column: null, message: 'cannot read the plan file: no such file', file: 'no-such.yaml' },
    ],
  });

  await writeFile(path.join(box.cwd, 'gated.yaml'), GATED);
  const good = await box.baton(['validate', 'gated.yaml', '--json']);
  assert.equal(good.exitCode, 0, describeResult(good));
  assert.deepEqual(jsonOf(good), {
    valid: true,
    name: 'gated',
    tasks: 3,
    tasksInAll: 3,
    levels: 1,
    criticalPath: ['design', 'build', 'ship'],
    taskQueues: {},
    problems: [],
    // What a worker refuses unless told to (bypassPermissions): none here.
    warnings: [],
  });
});

void test('--help says that reject needs --reason, that cancel takes --reason, and that watch and graph take --json', async () => {
  const help = async (command: string) => {
    const result = await box.baton([command, '--help']);
    assert.equal(result.exitCode, 0, describeResult(result));
    return result.stdout;
  };
  assert.match(await help('reject'), /--reason <reason>\s+required: /);
  assert.match(await help('cancel'), /--reason <reason>\s+why/);
  assert.match(await help('watch'), /--json\s+print the status JSON/);
  assert.match(await help('graph'), /--json\s+/);
  assert.match(await help('server'), /status/);
  // And reject without it is bad input, as the help says.
  const noReason = await box.baton(['reject', 'some-run', 'some-task']);
  assert.equal(noReason.exitCode, 2, describeResult(noReason));
  assert.match(noReason.stderr, /required option '--reason <reason>' not specified/);
});

void test('graph draws tasks with an approval gate as hexagons naming the gate; --json gives the same with the tasks', async () => {
  await writeFile(path.join(box.cwd, 'gated.yaml'), GATED);
  const graph = await box.baton(['graph', 'gated.yaml']);
  assert.equal(graph.exitCode, 0, describeResult(graph));
  const lines = graph.stdout.split('\n');
  assert.ok(lines.includes('  t0["design"]'), graph.stdout);
  assert.ok(lines.includes('  t1{{"Build it<br/>approval: before"}}'), graph.stdout);
  assert.ok(lines.includes('  t2{{"ship<br/>approval: after"}}'), graph.stdout);

  const json = await box.baton(['graph', 'gated.yaml', '--json']);
  assert.equal(json.exitCode, 0, describeResult(json));
  const shape = jsonOf<{ name: string; mermaid: string; tasks: unknown[] }>(json);
  assert.equal(shape.name, 'gated');
  assert.equal(shape.mermaid.trimEnd(), graph.stdout.trimEnd());
  assert.deepEqual(shape.tasks[1], { id: 'build', title: 'Build it', dependsOn: ['design'], approval: 'before' });
});

/** `baton <args>` in `cwd`, stdout exactly as printed (execa would strip its final newline). */
async function batonIn(cwd: string, args: string[]): Promise<CliResult> {
  const started = Date.now();
  const result = await execa(process.execPath, [BATON_CLI, ...args], {
    cwd,
    env: box.env,
    extendEnv: false,
    stdin: 'ignore',
    reject: false,
    stripFinalNewline: false,
    timeout: 60_000,
  });
  return {
    command: `(in ${cwd}) baton ${args.join(' ')}`,
    exitCode: result.exitCode,
    signal: result.signal,
    stdout: result.stdout,
    stderr: result.stderr,
    durationMs: Date.now() - started,
  };
}

void test('artifact prints a task result from any folder, ending with a newline; watch --json prints the status JSON', async () => {
  const plan = 'version: 1\nname: details\ntasks:\n  - id: only\n    prompt: Say something.\n';
  await writeFile(path.join(box.cwd, 'details.yaml'), plan);
  const runId = `cli-details-${Date.now().toString(36)}`;
  const run = await box.baton(['run', '--rehearse', 'details.yaml', '--id', runId, '--json'], { timeoutMs: 120_000 });
  assert.equal(run.exitCode, 0, describeResult(run));
  const artifactPath = jsonOf<RunStatus>(run).tasks[0]?.artifactPath;
  assert.ok(artifactPath && path.isAbsolute(artifactPath), describeResult(run));
  assert.ok(artifactPath.startsWith(path.join(box.cwd, '.baton')), artifactPath);
  const result = await readFile(artifactPath, 'utf8');
  assert.ok(result.length > 0 && !result.endsWith('\n'), 'the result itself has no final newline');

  // From the run's folder (its BATON_HOME) and from another one (whose .baton has nothing): the same text.
  const elsewhere = path.join(box.root, 'elsewhere');
  await mkdir(elsewhere, { recursive: true });
  for (const cwd of [box.cwd, elsewhere]) {
    const artifact = await batonIn(cwd, ['artifact', runId, 'only']);
    assert.equal(artifact.exitCode, 0, describeResult(artifact));
    assert.equal(artifact.stdout, `${result}\n`, describeResult(artifact));
  }
  const list = await batonIn(elsewhere, ['artifact', runId, 'only', '--list', '--json']);
  assert.equal(list.exitCode, 0, describeResult(list));
  assert.ok(
    jsonOf<Array<{ name: string }>>(list).some((f) => f.name === 'g1/result.md'),
    list.stdout,
  );
  // An unknown task is still bad input, named.
  const unknown = await batonIn(elsewhere, ['artifact', runId, 'nope']);
  assert.equal(unknown.exitCode, 2, describeResult(unknown));
  assert.match(unknown.stderr, /no artifacts of task nope of run/);

  const watch = await box.baton(['watch', runId, '--json']);
  assert.equal(watch.exitCode, 0, describeResult(watch));
  const lines = watch.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'an ended run: one status');
  const status = JSON.parse(lines[0]!) as RunStatus;
  assert.deepEqual(statusShapeProblems(status), []);
  assert.equal(status.runId, runId);
  assert.equal(status.phase, 'completed');
});
