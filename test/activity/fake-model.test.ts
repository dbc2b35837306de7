// The fake model drives the real `claude` binary offline: answers, tool calls, API errors, rehearsal, hangs.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { FakeModel, TASK_HEADER, type TaskScript } from '../../src/rehearsal/fake-model.js';
import { CLAUDE_BIN, claudeEnv } from '../helpers/claude-env.js';
import { forAllTests, tempFolderForAllTests } from '../helpers/for-all-tests.js';

interface ResultLine {
  type: 'result';
  subtype: string;
  is_error: boolean;
  api_error_status: number | null;
  result?: string;
  num_turns: number;
  total_cost_usd: number;
}

interface ClaudeRun {
  exitCode: number | undefined;
  lines: Array<Record<string, unknown>>;
  result: ResultLine | undefined;
  ms: number;
  cwd: string;
}

const root = tempFolderForAllTests('baton-fake-model-');
const fake = forAllTests(
  () => FakeModel.start({ costPerRequestUsd: 0.01 }),
  (model) => model.stop(),
);

/** A fresh cwd and CLAUDE_CONFIG_DIR, then `claude -p` the way baton's runAgent runs it. */
async function newDirs(name: string): Promise<{ cwd: string; configDir: string }> {
  const cwd = join(root, name, 'cwd');
  const configDir = join(root, name, 'config');
  await mkdir(cwd, { recursive: true });
  await mkdir(configDir, { recursive: true });
  return { cwd, configDir };
}

async function runClaude(
  model: FakeModel,
  dirs: { cwd: string; configDir: string },
  prompt: string,
  extraArgs: string[] = [],
): Promise<ClaudeRun> {
  const started = Date.now();
  const args = ['-p', prompt, '--output-format', 'stream-json', '--verbose', '--permission-mode', 'acceptEdits'];
  const child = await execa(CLAUDE_BIN, [...args, ...extraArgs], {
    cwd: dirs.cwd,
    env: claudeEnv(model, dirs.configDir),
    stdin: 'ignore',
    reject: false,
    timeout: 30_000,
  });
  const lines = child.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const result = lines.findLast((line) => line['type'] === 'result') as ResultLine | undefined;
  return { exitCode: child.exitCode, lines, result, ms: Date.now() - started, cwd: dirs.cwd };
}

function taskPrompt(id: string, body = 'Do the task.'): string {
  return `${TASK_HEADER(id)}\n\n${body}\n`;
}

async function runTask(id: string, script: TaskScript | null, extraArgs: string[] = []): Promise<ClaudeRun> {
  if (script) fake.setScript(id, script);
  return runClaude(fake, await newDirs(id), taskPrompt(id), extraArgs);
}

void describe('FakeModel with the real claude binary', () => {
  void it('a text turn becomes the final result line, not an error, and the cost claude reports', async () => {
    const run = await runTask('plain-text', { turns: [{ text: 'All good here.' }] });
    assert.equal(run.exitCode, 0);
    assert.equal(run.result?.is_error, false);
    assert.equal(run.result?.subtype, 'success');
    assert.equal(run.result?.result, 'All good here.');
    assert.equal(run.result?.num_turns, 1);
    assert.equal(run.result?.total_cost_usd, 0.01);
  });

  void it('write turns create files with their content (absolute path, and relative to the agent cwd)', async () => {
    const dirs = await newDirs('writer');
    const absolute = join(dirs.cwd, 'abs', 'file.txt');
    fake.setScript('writer', {
      turns: [
        { write: { path: absolute, content: 'absolute content\n' } },
        { write: { path: 'rel/dir/file.md', content: '# relative\n' } },
        { text: 'Wrote two files.' },
      ],
    });
    const run = await runClaude(fake, dirs, taskPrompt('writer'));
    assert.equal(run.result?.is_error, false);
    assert.equal(run.result?.result, 'Wrote two files.');
    assert.equal(run.result?.num_turns, 3);
    assert.equal(await readFile(absolute, 'utf8'), 'absolute content\n');
    assert.equal(await readFile(join(dirs.cwd, 'rel', 'dir', 'file.md'), 'utf8'), '# relative\n');
  });

  void it('a bash turn runs the command in the agent cwd and its output comes back as the tool result', async () => {
    const run = await runTask(
      'basher',
      { turns: [{ bash: "printf 'made by bash\\n' > bash-made.txt && echo marker-42" }] },
      ['--allowedTools=Bash'],
    );
    assert.equal(run.result?.is_error, false);
    assert.equal(run.result?.result, 'Done.');
    assert.equal(await readFile(join(run.cwd, 'bash-made.txt'), 'utf8'), 'made by bash\n');
    assert.match(fake.requestsFor('basher')[1]?.lastUserText ?? '', /marker-42/);
  });

  for (const status of [429, 400]) {
    void it(`failFirst ${status}: claude ends at once with is_error and api_error_status ${status}; the next run succeeds`, async () => {
      const id = `fail-${status}`;
      fake.setScript(id, { failFirst: [{ status, message: `scripted ${status}` }], turns: [{ text: 'Recovered.' }] });
      const failed = await runClaude(fake, await newDirs(`${id}-a`), taskPrompt(id));
      assert.notEqual(failed.exitCode, 0);
      assert.equal(failed.result?.is_error, true);
      assert.equal(failed.result?.api_error_status, status);
      assert.match(failed.result?.result ?? '', new RegExp(`scripted ${status}`));
      assert.ok(failed.ms < 10_000, `took ${failed.ms} ms`);

      const next = await runClaude(fake, await newDirs(`${id}-b`), taskPrompt(id));
      assert.equal(next.exitCode, 0);
      assert.equal(next.result?.is_error, false);
      assert.equal(next.result?.result, 'Recovered.');
      assert.deepEqual(
        fake.requestsFor(id).map((entry) => entry.status),
        [status, 200],
      );
    });
  }

  void it('rehearsal writes every missing expected output, never overwrites an existing file, then says done', async () => {
    const dirs = await newDirs('rehearsed');
    const existing = join(dirs.cwd, 'existing.txt');
    await writeFile(existing, 'keep me\n');
    const outputs = [join(dirs.cwd, 'out', 'a.txt'), join(dirs.cwd, 'b.json'), existing];
    const prompt = `${TASK_HEADER('rehearsed')}\n\nBuild it.\n\n## Expected outputs\n${outputs.map((p) => `- ${p}`).join('\n')}\n\n## Notes\n- not a path\n`;
    const run = await runClaude(fake, dirs, prompt);
    assert.equal(run.exitCode, 0);
    assert.equal(run.result?.result, 'Rehearsal: task rehearsed done (wrote 3 files).');
    assert.equal(await readFile(join(dirs.cwd, 'out', 'a.txt'), 'utf8'), 'Rehearsal output of task rehearsed\n');
    assert.equal(await readFile(join(dirs.cwd, 'b.json'), 'utf8'), 'Rehearsal output of task rehearsed\n');
    assert.equal(await readFile(existing, 'utf8'), 'keep me\n');
    assert.equal(existsSync(join(dirs.cwd, 'not a path')), false);
    assert.deepEqual(
      fake.requestsFor('rehearsed').map((entry) => entry.assistantTurns),
      [0, 1, 2, 3],
    );
  });

  void it('rehearsal without expected outputs answers the final text at once', async () => {
    const run = await runTask('no-outputs', null);
    assert.equal(run.result?.result, 'Rehearsal: task no-outputs done (wrote 0 files).');
    assert.equal(run.result?.num_turns, 1);
  });

  void it('the log records the key, model, prompt texts and timing of each request; keyless prompts log key null', async () => {
    const run = await runTask('slow', { delayMs: 400, turns: [{ text: 'Late.' }] });
    assert.equal(run.result?.result, 'Late.');
    const [entry] = fake.requestsFor('slow');
    assert.ok(entry);
    assert.equal(entry.status, 200);
    assert.equal(entry.assistantTurns, 0);
    assert.equal(entry.model, 'claude-opus-4-8');
    assert.match(entry.firstUserText, /# Task: slow/);
    assert.ok(entry.answeredAt !== null && entry.answeredAt - entry.receivedAt >= 400);

    const before = fake.log.length;
    const keyless = await runClaude(fake, await newDirs('keyless'), 'Just say something.', ['--model', 'haiku']);
    assert.equal(keyless.result?.is_error, false);
    const entries = fake.log.slice(before);
    assert.ok(entries.length >= 1);
    assert.ok(entries.every((e) => e.key === null && e.status === 200));
    assert.equal(entries[0]?.model, 'claude-haiku-4-5-20251001');
  });

  void it('a hanging request holds claude until stop() releases it with a connection error', async () => {
    const own = await FakeModel.start({ script: { stuck: { hang: true } } });
    const running = runClaude(own, await newDirs('stuck'), taskPrompt('stuck'));
    const deadline = Date.now() + 15_000;
    while (own.requestsFor('stuck').length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    const [entry] = own.requestsFor('stuck');
    assert.ok(entry, 'claude never asked the fake');
    assert.equal(entry.answeredAt, null);
    assert.equal(entry.status, 0);
    const stoppedAt = Date.now();
    await own.stop();
    const run = await running;
    assert.notEqual(run.exitCode, 0);
    assert.equal(run.result?.is_error, true);
    assert.equal(run.result?.api_error_status, null);
    assert.match(run.result?.result ?? '', /Unable to connect to API/);
    assert.ok(Date.now() - stoppedAt < 10_000, `claude took ${Date.now() - stoppedAt} ms to end after stop()`);
  });
});
