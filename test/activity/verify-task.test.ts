// The verifyTask activity (DESIGN.md §11) with real processes, in Temporal's MockActivityEnvironment: argv run as
// given, never by a shell; in the task's folder with the agents' environment; the first failure ends the round and
// comes back with its exit code and the end of its output; a round past the task's timeout is stopped with what it
// started; output is bounded; a --no-commands worker refuses; a cancelled round ends its command.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createVerifyActivities } from '../../src/activities/verify/verify-task.js';
import type { ActivityDeps } from '../../src/activities/index.js';
import {
  VERIFY_OUTPUT_BYTES,
  VERIFY_TAIL_BYTES,
  type VerifyTaskInput,
  type VerifyTaskResult,
} from '../../src/contract/verify.js';
import { failureOf, rejectionOf } from '../helpers/failures.js';
import { tempFolderForAllTests } from '../helpers/for-all-tests.js';
import { pidsWith, processesWith } from '../helpers/processes.js';
import { testPolicy } from '../helpers/policy.js';

const root = tempFolderForAllTests('baton-verify-');
const cwd = path.join(root, 'work');
const artifactsDir = path.join(root, 'artifacts');
before(() => mkdir(cwd));

let runs = 0;
function input(commands: string[][], more: Partial<VerifyTaskInput> = {}): VerifyTaskInput {
  return {
    runId: `baton-v-${++runs}`,
    taskId: 'login',
    generation: 1,
    round: 0,
    cwd,
    commands,
    timeout: '30s',
    ...more,
  };
}

function verify(task: VerifyTaskInput, deps: Partial<ActivityDeps> = {}) {
  const env = new MockActivityEnvironment({ attempt: 1 }, { logger: new DefaultLogger('ERROR') });
  const { verifyTask } = createVerifyActivities({
    artifactsDir,
    claudeBin: 'claude',
    heartbeatMs: 100,
    killGraceMs: 500,
    policy: testPolicy(),
    env: { BATON_VERIFY_PROBE: 'seen' },
    ...deps,
  });
  const promise: Promise<VerifyTaskResult> = env.run(verifyTask, task);
  return { env, promise };
}

const node = (code: string): string[] => [process.execPath, '-e', code];

void test('passing commands run in order in the task folder with the agents environment; output kept in the artifacts', async () => {
  const result = await verify(
    input([
      node('console.log("cwd=" + process.cwd())'),
      node('console.log("probe=" + process.env.BATON_VERIFY_PROBE)'),
    ]),
  ).promise;
  assert.equal(result.passed, true);
  assert.equal(result.failure, undefined);
  assert.match(result.outputPath, /baton-v-\d+\/login\/g1\/verify-0\.log$/);
  const output = await readFile(result.outputPath, 'utf8');
  assert.ok(output.includes(`cwd=${cwd}`), output);
  assert.ok(output.includes('probe=seen'), output);
  assert.match(output, /\[exit code 0 after [\d.]+ s\]/);
  assert.equal((await stat(result.outputPath)).mode & 0o777, 0o600);
});

void test('an argv with ; and $(…) is passed literally: no shell runs it', async () => {
  const marker = path.join(cwd, 'injected');
  const result = await verify(
    input([
      [
        process.execPath,
        '-e',
        'console.log(JSON.stringify(process.argv.slice(1)))',
        `a; touch ${marker}`,
        '$(touch x)',
        '`id`',
      ],
    ]),
  ).promise;
  assert.equal(result.passed, true);
  const output = await readFile(result.outputPath, 'utf8');
  assert.ok(output.includes(JSON.stringify([`a; touch ${marker}`, '$(touch x)', '`id`'])), output);
  assert.equal(existsSync(marker), false);
  assert.equal(existsSync(path.join(cwd, 'x')), false);
});

void test('a program named like an option is run as that program, never read by the sandbox as its option', async () => {
  // Read by unshare, `--version` would print its version and pass.
  const result = await verify(input([['--version']])).promise;
  assert.equal(result.passed, false, await readFile(result.outputPath, 'utf8'));
  assert.doesNotMatch(await readFile(result.outputPath, 'utf8'), /util-linux/);
});

void test('the first failing command ends the round: its argv, exit code and output end come back', async () => {
  const result = await verify(
    input([
      node('console.log("first ok")'),
      node('console.error("boom: the login test failed"); process.exit(3)'),
      node('require("fs").writeFileSync("never", "")'),
    ]),
  ).promise;
  assert.equal(result.passed, false);
  assert.equal(result.failure?.exitCode, 3);
  assert.equal(result.failure?.command[1], '-e');
  assert.match(result.failure?.tail ?? '', /boom: the login test failed/);
  assert.match(result.message ?? '', /^verification failed: `.*node.* -e .*` exited with exit code 3/);
  assert.match(result.message ?? '', /boom: the login test failed/);
  assert.ok(result.message?.includes(result.outputPath));
  assert.equal(existsSync(path.join(cwd, 'never')), false, 'a command after the failure ran');
});

void test('a program that does not exist fails the round, not the activity', async () => {
  const result = await verify(input([['baton-no-such-program-here', '--version']])).promise;
  assert.equal(result.passed, false);
  assert.notEqual(result.failure?.exitCode, 0);
});

void test("a round past the task's timeout is stopped, with what its command started", async () => {
  const tag = `verify-timeout-${process.pid}-${Date.now()}`;
  // The command starts a child in its own session (as a test runner's workers might) and both sleep.
  const script = `require('child_process').spawn(process.execPath, ['-e', 'setTimeout(()=>{}, 60000)', '${tag}'], { detached: true, stdio: 'ignore' }); console.log('started'); setTimeout(() => {}, 60000)`;
  const started = Date.now();
  const result = await verify(input([node(script)], { timeout: '2s' })).promise;
  assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
  assert.equal(result.passed, false);
  assert.equal(result.failure?.timedOut, true);
  assert.match(result.message ?? '', /stopped: the round ran past the task's timeout of 2s/);
  assert.match(result.failure?.tail ?? '', /started/);
  await sleep(500);
  assert.deepEqual(await pidsWith(tag), [], 'the command left a process behind');
});

void test('output is bounded: the file keeps its start and the end; the agent gets the last 4 KB', async () => {
  // 3 MB of numbered lines, then a last line.
  const script = `const line = 'x'.repeat(99) + '\\n'; for (let i = 0; i < 30000; i++) process.stdout.write(line); console.log('THE LAST LINE'); process.exitCode = 1`;
  const result = await verify(input([node(script)])).promise;
  const size = (await stat(result.outputPath)).size;
  assert.ok(size < VERIFY_OUTPUT_BYTES + 2 * VERIFY_TAIL_BYTES, `output file of ${size} bytes`);
  const output = await readFile(result.outputPath, 'utf8');
  // Not assert.match: a failure would print a megabyte.
  assert.ok(output.includes('output past 1048576 bytes left out'), 'no note of the output left out');
  assert.ok(output.includes('THE LAST LINE\n'), 'the end of the output is not in the file');
  assert.equal(result.failure?.exitCode, 1);
  assert.ok(Buffer.byteLength(result.failure?.tail ?? '') <= VERIFY_TAIL_BYTES);
  assert.match(result.failure?.tail ?? '', /THE LAST LINE/);
});

void test('a --no-commands worker refuses verify commands, non-retryably, naming the flag', async () => {
  const { promise } = verify(input([['true']]), { policy: testPolicy({ noCommands: true }) });
  const failure = await failureOf(promise, 'PolicyRefused');
  assert.equal(failure.nonRetryable, true);
  assert.match(failure.message, /--no-commands.*its verify commands were not run/);
});

void test('a cancelled round ends its command', async () => {
  const tag = `verify-cancel-${process.pid}-${Date.now()}`;
  const { env, promise } = verify(input([node(`setTimeout(() => {}, 60000); // ${tag}`)]));
  await sleep(1500);
  assert.notDeepEqual(await processesWith(tag), [], 'the command runs');
  env.cancel();
  const err = await rejectionOf(promise, 'a cancelled round passed');
  assert.ok(err instanceof CancelledFailure, String(err));
  await sleep(300);
  assert.deepEqual(await processesWith(tag), [], 'the cancelled command is still running');
});
