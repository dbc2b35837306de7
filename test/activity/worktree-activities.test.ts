// The workspace activities as Temporal runs them (MockActivityEnvironment): typed failures, retryable or
// not; the repository lock left by a killed worker is taken over; task paths moved onto a worktree.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createWorkspaceActivities, worktreesDirOf } from '../../src/activities/workspace/activities.js';
import { WorkspaceFailureType } from '../../src/activities/workspace/failures.js';
import type { PreparedWorktree, WorkspaceBase } from '../../src/contract/workspace.js';
import { rebasePath, rebaseTask, worktreeRebase } from '../../src/activities/workspace/rebase-paths.js';
import { withRepoLock } from '../../src/activities/workspace/repo-lock.js';
import { effectiveTask, TaskSchema } from '../../src/plan/schema.js';
import { tempRepo, type TempRepo } from '../helpers/git-repo.js';
import { testPolicy } from '../helpers/policy.js';

let repo: TempRepo;
beforeEach(async () => {
  repo = await tempRepo('baton-ws-activities-');
});
afterEach(async () => {
  await repo.remove();
});

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a failure');
}

void describe('workspace activities', () => {
  void it('report a folder outside git as a non-retryable WorkspaceNotARepository', async () => {
    const env = new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
    const activities = createWorkspaceActivities({
      artifactsDir: path.join(repo.root, 'artifacts'),
      policy: testPolicy(),
    });
    const outside = path.join(repo.root, 'plain');
    await mkdir(outside);
    const failure = await failureOf(env.run(activities.recordBase, { repo: outside }));
    assert.equal(failure.type, WorkspaceFailureType.NotARepository);
    assert.equal(failure.nonRetryable, true);
  });

  void it('report a git command that failed as a retryable WorkspaceGitFailed naming the command', async () => {
    const env = new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
    const activities = createWorkspaceActivities({
      artifactsDir: '/unused',
      worktreesDir: repo.worktreesDir,
      policy: testPolicy(),
    });
    const base: WorkspaceBase = await env.run(activities.recordBase, { repo: repo.repo });
    // A person holds the integration branch in the main checkout: git refuses a second worktree of it.
    await repo.git(['branch', 'baton/run-1/integration']);
    await repo.git(['checkout', '--quiet', 'baton/run-1/integration']);
    const prepared: PreparedWorktree = await env.run(activities.prepareWorktree, {
      runId: 'run-1',
      taskId: 'a',
      base,
      dependencies: [],
    });
    await writeFile(path.join(prepared.path, 'a.txt'), 'a\n');
    await env.run(activities.commitTask, { runId: 'run-1', taskId: 'a', title: 'a', path: prepared.path });
    const failure = await failureOf(env.run(activities.mergeTask, { runId: 'run-1', taskId: 'a', title: 'a', base }));
    assert.equal(failure.type, WorkspaceFailureType.GitFailed);
    assert.equal(failure.nonRetryable, false);
    assert.match(failure.message, /git worktree add/);
  });

  void it('put worktrees beside the artifacts when no worktreesDir is given', () => {
    assert.equal(worktreesDirOf({ artifactsDir: '/home/x/.baton/artifacts' }), '/home/x/.baton/worktrees');
    assert.equal(worktreesDirOf({ artifactsDir: '/a', worktreesDir: '/w' }), '/w');
  });
});

void describe('withRepoLock', () => {
  void it('takes over a lock file left by a process that is gone, and waits for a live one', async () => {
    const common = path.join(repo.repo, '.git');
    // A pid that cannot be running: above the kernel's pid_max.
    await writeFile(path.join(common, 'baton.lock'), `${hostname()} 2147483646\n`);
    assert.equal(await withRepoLock(common, () => Promise.resolve('ran')), 'ran');

    await writeFile(path.join(common, 'baton.lock'), `${hostname()} ${process.ppid}\n`);
    let waited = 0;
    const held = withRepoLock(common, () => Promise.resolve('after'), { onWait: () => waited++ });
    await new Promise((resolve) => setTimeout(resolve, 350));
    assert.ok(waited >= 2, `waited ${waited} times`);
    await import('node:fs/promises').then((fs) => fs.rm(path.join(common, 'baton.lock')));
    assert.equal(await held, 'after');
  });

  void it('runs the holders of one repository one at a time, in order', async () => {
    const common = path.join(repo.repo, '.git');
    const events: string[] = [];
    const step = (name: string) => async () => {
      events.push(`${name} in`);
      await new Promise((resolve) => setTimeout(resolve, 30));
      events.push(`${name} out`);
    };
    await Promise.all([
      withRepoLock(common, step('a')),
      withRepoLock(common, step('b')),
      withRepoLock(common, step('c')),
    ]);
    assert.deepEqual(events, ['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
  });
});

void describe('rebasePath', () => {
  const rules = worktreeRebase('/home/me/repo/app', '/real/repo', '/wt/run/a', '/wt/run/a/app');
  void it("moves a path under workspace.repo onto the agent's folder in the worktree", () => {
    assert.equal(rebasePath('/home/me/repo/app/src/x.js', rules), '/wt/run/a/app/src/x.js');
    assert.equal(rebasePath('/home/me/repo/app', rules), '/wt/run/a/app');
  });
  void it("moves a path elsewhere in the repository onto the worktree's top, and leaves outside paths alone", () => {
    assert.equal(rebasePath('/real/repo/docs/y.md', rules), '/wt/run/a/docs/y.md');
    assert.equal(rebasePath('/home/me/repo/application/z', rules), '/home/me/repo/application/z');
    assert.equal(rebasePath('/tmp/out.txt', rules), '/tmp/out.txt');
  });
  void it("rebases a task's contextFiles and expectedOutputs", () => {
    const task = effectiveTask(
      {},
      TaskSchema.parse({
        id: 't',
        prompt: 'p',
        contextFiles: ['/home/me/repo/app/in.txt'],
        expectedOutputs: ['/home/me/repo/app/out.txt'],
      }),
    );
    const moved = rebaseTask(task, rules);
    assert.deepEqual(moved.contextFiles, ['/wt/run/a/app/in.txt']);
    assert.deepEqual(moved.expectedOutputs, ['/wt/run/a/app/out.txt']);
  });
});
