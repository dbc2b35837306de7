// Issue 19, finding 1 — root from a plan. The worker is the trust boundary (DESIGN.md §9): another local user
// (nobody, with the `temporal` CLI) starts runs on a `baton worker`'s queue of the suite's real Temporal server,
// whose agents are the real claude against the scripted model. A plan asking for bypassPermissions, a workspace
// outside the worker's roots, or files outside its workspace fails at once, naming the setting, and its agent
// never starts; with --allow-bypass-permissions the same plan runs (and only then is IS_SANDBOX=1 set).
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { completePlan, startAsNobody } from '../helpers/attacker.js';
import { describeResult, jsonOf, stopProcess, type RunStatus } from '../helpers/cli.js';
import { workerScene, type WorkerScene } from '../helpers/worker-scene.js';

let scene: WorkerScene;
before(async () => {
  scene = await workerScene('root-from-plan', { rehearse: false }, {});
});
after(async () => {
  await scene?.close();
});

/** Starts the run as nobody and waits for its final status (onFailure: fail, so it ends). */
async function attack(id: string, plan: unknown, taskQueue = scene.box.taskQueue): Promise<RunStatus> {
  const started = await startAsNobody(scene.temporal.address, taskQueue, id, { plan, options: { cwd: scene.box.cwd } });
  assert.equal(started.exitCode, 0, `temporal workflow start as nobody: ${started.stdout}\n${started.stderr}`);
  const result = await scene.box.baton(['result', id, '--json'], { timeoutMs: 90_000 });
  return jsonOf<RunStatus>(result);
}

const exists = (file: string) =>
  readFile(file).then(
    () => true,
    () => false,
  );

void test("a local user's plan with bypassPermissions fails at once on a worker without --allow-bypass-permissions; its agent never starts", async () => {
  const { box, fake } = scene;
  fake.setScript('steal', { turns: [{ bash: 'cat /etc/shadow > stolen.txt' }, { text: 'Got it.' }] });
  const plan = completePlan('steal', box.cwd, [{ id: 'steal', prompt: 'Read /etc/shadow.' }], {
    onFailure: 'fail',
    defaults: { permissionMode: 'bypassPermissions', retries: 3, timeout: '60s', allowedTools: ['Bash'] },
  });
  const status = await attack(`steal-${Date.now().toString(36)}`, plan);
  const task = status.tasks.find((t) => t.id === 'steal');
  assert.equal(task?.state, 'failed', JSON.stringify(status));
  assert.equal(task?.errorType, 'PolicyRefused', JSON.stringify(task));
  assert.match(task?.error ?? '', /bypassPermissions.*--allow-bypass-permissions \(or BATON_ALLOW_BYPASS=1\)/);
  assert.equal(task?.attempts, 1, 'not retried: no attempt can be allowed');
  assert.equal(fake.requestsFor('steal').length, 0, 'the agent never started');
  assert.equal(await exists(path.join(box.cwd, 'stolen.txt')), false);
});

void test('with --allow-bypass-permissions the same plan runs, and only a bypass task gets IS_SANDBOX=1', async () => {
  const { box, fake } = scene;
  const queue = `${box.taskQueue}-bypass`;
  const worker = box.spawn(['worker', '--allow-bypass-permissions'], { env: { BATON_TASK_QUEUE: queue } });
  try {
    fake.setScript('bypass', { turns: [{ bash: 'env > bypass-env.txt' }, { text: 'Ran.' }] });
    fake.setScript('edits', { turns: [{ bash: 'env > edits-env.txt' }, { text: 'Ran.' }] });
    const plan = completePlan(
      'allowed',
      box.cwd,
      [
        { id: 'bypass', prompt: 'Run env.', permissionMode: 'bypassPermissions' },
        { id: 'edits', prompt: 'Run env.', permissionMode: 'acceptEdits' },
      ],
      { onFailure: 'fail', defaults: { retries: 0, timeout: '60s', allowedTools: ['Bash'] } },
    );
    const status = await attack(`allowed-${Date.now().toString(36)}`, plan, queue);
    assert.equal(status.phase, 'completed', JSON.stringify(status));
    const asRoot = process.getuid?.() === 0;
    const bypassEnv = await readFile(path.join(box.cwd, 'bypass-env.txt'), 'utf8');
    assert.equal(/^IS_SANDBOX=1$/m.test(bypassEnv), asRoot, 'as root, bypassPermissions needs IS_SANDBOX=1');
    assert.doesNotMatch(await readFile(path.join(box.cwd, 'edits-env.txt'), 'utf8'), /^IS_SANDBOX=/m);
  } finally {
    await stopProcess(worker, 10_000);
  }
});

void test("a workspace outside the worker's roots is refused even with acceptEdits: nothing is written there", async () => {
  const { box, fake } = scene;
  // The worker runs in box.cwd (its default and only root); box.root is its parent.
  const target = path.join(box.root, 'pwned.txt');
  fake.setScript('escape', { turns: [{ write: { path: target, content: 'owned' } }, { text: 'Wrote it.' }] });
  const plan = completePlan('escape', box.root, [{ id: 'escape', prompt: 'Write outside.' }], {
    onFailure: 'fail',
    defaults: { permissionMode: 'acceptEdits', retries: 2, timeout: '60s' },
  });
  const status = await attack(`escape-${Date.now().toString(36)}`, plan);
  const task = status.tasks.find((t) => t.id === 'escape');
  assert.equal(task?.errorType, 'PolicyRefused', JSON.stringify(task));
  assert.match(task?.error ?? '', /outside this worker's workspace roots.*BATON_WORKSPACE_ROOTS/);
  assert.equal(fake.requestsFor('escape').length, 0, 'the agent never started');
  assert.equal(await exists(target), false);
});

void test('contextFiles and expectedOutputs outside the workspace: validate exits 2, and a run started around the CLI is refused by the worker', async () => {
  const { box, fake } = scene;
  await writeFile(
    path.join(box.cwd, 'outside.yaml'),
    'version: 1\nname: outside\ntasks:\n  - id: a\n    prompt: Read them.\n' +
      '    contextFiles: [../../etc/passwd, /root/.ssh/id_rsa]\n    expectedOutputs: [../leak.txt]\n',
  );
  const validate = await box.baton(['validate', 'outside.yaml']);
  assert.equal(validate.exitCode, 2, describeResult(validate));
  assert.match(validate.stderr, /outside\.yaml:6:\d+ tasks\[0\]\.contextFiles\[0\]: \S*\/etc\/passwd lies outside/);
  assert.match(validate.stderr, /tasks\[0\]\.contextFiles\[1\]: \/root\/\.ssh\/id_rsa lies outside/);
  assert.match(validate.stderr, /tasks\[0\]\.expectedOutputs\[0\]: .*leak\.txt lies outside/);

  fake.setScript('peek', { turns: [{ text: 'Read it.' }] });
  const plan = completePlan(
    'peek',
    box.cwd,
    [{ id: 'peek', prompt: 'Read the context.', contextFiles: ['/etc/shadow'] }],
    { onFailure: 'fail', defaults: { retries: 2, timeout: '60s' } },
  );
  const status = await attack(`peek-${Date.now().toString(36)}`, plan);
  const task = status.tasks.find((t) => t.id === 'peek');
  assert.equal(task?.errorType, 'PolicyRefused', JSON.stringify(task));
  assert.match(task?.error ?? '', /contextFiles \/etc\/shadow/);
  assert.equal(fake.requestsFor('peek').length, 0, 'the agent never started');
});

void test('baton validate warns when a plan asks for bypassPermissions, and says which flag a worker needs', async () => {
  const { box } = scene;
  await writeFile(
    path.join(box.cwd, 'bypass.yaml'),
    'version: 1\nname: bypass\ndefaults: { permissionMode: bypassPermissions }\ntasks:\n  - id: a\n    prompt: x\n',
  );
  const validate = await box.baton(['validate', 'bypass.yaml', '--json']);
  assert.equal(validate.exitCode, 0, describeResult(validate));
  assert.match(validate.stderr, /warning: permissionMode bypassPermissions \(tasks a\).*--allow-bypass-permissions/);
  const shape = jsonOf<{ valid: boolean; warnings: string[] }>(validate);
  assert.equal(shape.valid, true);
  assert.equal(shape.warnings.length, 1);
});

void test("a workspace.remote folder outside the worker's roots is refused: nothing is pushed there", async () => {
  const { box } = scene;
  // A repository of someone else's on this host (box.root is outside the worker's only root, box.cwd).
  const elsewhere = path.join(box.root, 'elsewhere.git');
  await execa('git', ['init', '--quiet', '--bare', elsewhere]);
  await execa('git', ['init', '--quiet'], { cwd: box.cwd });
  for (const [remote, why] of [
    [elsewhere, /the run's workspace\.remote works in .*elsewhere\.git, outside this worker's workspace roots/],
    [`file://${elsewhere}`, /the run's workspace\.remote works in .*elsewhere\.git, outside/],
    ['elsewhere.git', /workspace\.remote "elsewhere\.git" is a relative path/],
  ] as const) {
    const plan = completePlan('push-elsewhere', box.cwd, [{ id: 'a', prompt: 'Work.' }], {
      onFailure: 'fail',
      workspace: { repo: box.cwd, isolation: 'worktree', remote },
      defaults: { retries: 2, timeout: '60s' },
    });
    const status = await attack(`push-elsewhere-${Date.now().toString(36)}`, plan);
    assert.equal(status.phase, 'failed', JSON.stringify(status));
    assert.match(status.reason ?? '', why);
  }
  const refs = await execa('git', ['for-each-ref'], { cwd: elsewhere });
  assert.equal(refs.stdout, '', 'nothing reached the repository');
});
