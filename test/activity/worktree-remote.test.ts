// Worktrees across hosts through `workspace.remote` (DESIGN §12), against real repositories in temp folders: two
// "hosts" (worktrees folders of their own, each with its own clone of the remote) share a bare remote. A task
// prepared on host A, its uncommitted files checkpointed there, is made again on host B with those files; the
// commit and the merges land on the remote. Also: the remote string git may never be given, and a host whose
// workspace roots leave out a remote folder never gives it to git. No Temporal server here.
import assert from 'node:assert/strict';
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { execa } from 'execa';
import { createActivities } from '../../src/activities/run-agent.js';
import { recordBase } from '../../src/activities/workspace/base.js';
import { Checkpoints, worktreeHere } from '../../src/activities/workspace/checkpoints.js';
import { createVerifyActivities } from '../../src/activities/verify/verify-task.js';
import { commitTask } from '../../src/activities/workspace/commit.js';
import { WorkspaceError, WorkspaceFailureType } from '../../src/activities/workspace/failures.js';
import { mergeTask } from '../../src/activities/workspace/integrate.js';
import { integrationBranch, taskBranch } from '../../src/activities/workspace/names.js';
import { prepareWorktree } from '../../src/activities/workspace/prepare.js';
import {
  baseRef,
  checkRemote,
  checkpointRef,
  hostClone,
  snapshotWorktree,
} from '../../src/activities/workspace/remote.js';
import { runRepo } from '../../src/activities/workspace/run-repo.js';
import { taskPlace } from '../../src/activities/workspace/shared.js';
import { resolveRemote } from '../../src/plan/resolve.js';
import { effectiveTask, PlanSchema, TaskSchema } from '../../src/plan/schema.js';
import type { RunAgentInput } from '../../src/contract/agent.js';
import type { VerifyTaskResult } from '../../src/contract/verify.js';
import type { WorkspaceBase } from '../../src/contract/workspace.js';
import type { WorkerPolicy } from '../../src/policy/worker-policy.js';
import { tempRepo, type TempRepo } from '../helpers/git-repo.js';
import { testPolicy } from '../helpers/policy.js';

const RUN = 'baton-remote-9f8e';
let repo: TempRepo;
let remote: string;
let hostA: string;
let hostB: string;
let base: WorkspaceBase;

/** git in the bare remote: the ref's commit, or '' when it has none. */
async function remoteRef(ref: string): Promise<string> {
  const result = await execa('git', ['rev-parse', '--verify', '--quiet', ref], { cwd: remote, reject: false });
  return result.exitCode === 0 ? result.stdout.trim() : '';
}

beforeEach(async () => {
  repo = await tempRepo('baton-remote-');
  remote = path.join(repo.root, 'shared.git');
  await execa('git', ['clone', '--quiet', '--bare', repo.repo, remote]);
  hostA = path.join(repo.root, 'host-a', 'worktrees');
  hostB = path.join(repo.root, 'host-b', 'worktrees');
  await mkdir(hostA, { recursive: true });
  await mkdir(hostB, { recursive: true });
  base = await recordBase({ repo: repo.repo, remote, runId: RUN });
});
afterEach(async () => {
  await repo.remove();
});

const prepareOn = (host: string, taskId: string, dependencies: string[] = []) =>
  prepareWorktree(host, {
    runId: RUN,
    taskId,
    base,
    remote,
    dependencies: dependencies.map((id) => ({ id, branch: taskBranch(RUN, id) })),
  });

const agentInput = (
  taskId: string,
  preparedAt: string,
): RunAgentInput & { sharedWorktree: { remote: string; path: string } } => ({
  runId: RUN,
  task: { id: taskId } as RunAgentInput['task'],
  generation: 1,
  cwd: preparedAt,
  dependencies: [],
  guidance: [],
  sessionId: '00000000-0000-4000-8000-000000000000',
  pathRebase: [{ from: repo.repo, to: preparedAt }],
  sharedWorktree: { remote, path: preparedAt },
});

/** Host B's worker deps: its own worktrees and artifacts, and the policy given. */
const hostBDeps = (policy: WorkerPolicy) => ({
  artifactsDir: path.join(repo.root, 'host-b', 'artifacts'),
  worktreesDir: hostB,
  claudeBin: path.join(repo.root, 'no-claude-here'),
  heartbeatMs: 100,
  policy,
  usePidNamespace: false,
});

/** A policy whose only workspace root is the remote's folder. */
const remoteOnly = (): WorkerPolicy => testPolicy({ workspaceRoots: [realpathSync(remote)] });

/** A verify round of task login on host B, reading a.txt in its workspace. */
const verifyOnHostB = (
  cwd: string,
  sharedWorktree: { remote: string; path: string } | undefined,
  policy: WorkerPolicy,
) => {
  const { verifyTask } = createVerifyActivities(hostBDeps(policy));
  return new MockActivityEnvironment({ attempt: 1 }, { logger: new DefaultLogger('ERROR') }).run(verifyTask, {
    runId: RUN,
    taskId: 'login',
    generation: 1,
    round: 0,
    cwd,
    commands: [[process.execPath, '-e', "process.stdout.write(require('fs').readFileSync('a.txt', 'utf8'))"]],
    timeout: '30s',
    ...(sharedWorktree ? { sharedWorktree } : {}),
  });
};

/** Every ref of the bare remote with its commit. */
const remoteRefs = async (): Promise<string> =>
  (await execa('git', ['for-each-ref', '--format=%(objectname) %(refname)'], { cwd: remote })).stdout;

void describe('workspace.remote: the remote string', () => {
  void it('is refused when git could read it as an option or a command-running transport', () => {
    for (const bad of ['--upload-pack=touch x', '-oProxyCommand=x', 'ext::sh -c touch% x', 'fd::3', 'a\nb', '']) {
      assert.throws(
        () => checkRemote(bad),
        (err: unknown) => err instanceof WorkspaceError && err.type === WorkspaceFailureType.RemoteRefused,
        bad,
      );
    }
    for (const good of ['/srv/git/app.git', 'https://example.com/app.git', 'git@example.com:team/app.git']) {
      assert.equal(checkRemote(good), good);
    }
  });

  void it('is refused by the plan schema too, and needs worktree isolation', () => {
    const plan = (workspace: object) =>
      PlanSchema.safeParse({ version: 1, name: 'p', workspace, tasks: [{ id: 'a', prompt: 'x' }] });
    assert.equal(plan({ isolation: 'worktree', remote: '../shared.git' }).success, true);
    const option = plan({ isolation: 'worktree', remote: '--upload-pack=x' });
    assert.match(JSON.stringify(option.error?.issues), /must not start with \\"-\\"/);
    assert.match(JSON.stringify(plan({ isolation: 'worktree', remote: 'ext::sh' }).error?.issues), /transport/);
    assert.match(JSON.stringify(plan({ remote: '/srv/app.git' }).error?.issues), /isolation: worktree/);
  });

  void it('a relative path is resolved against the start folder; URLs and host:path addresses stay', () => {
    assert.equal(resolveRemote('../shared.git', '/work/app'), '/work/shared.git');
    assert.equal(resolveRemote('https://h/app.git', '/work/app'), 'https://h/app.git');
    assert.equal(resolveRemote('git@h:team/app.git', '/work/app'), 'git@h:team/app.git');
  });
});

void describe('workspace.remote: worktrees across hosts', () => {
  void it('records the base on the remote and pushes the prepared branch there', async () => {
    assert.equal(await remoteRef(baseRef(RUN)), base.commit);
    const prepared = await prepareOn(hostA, 'login');
    assert.ok(prepared.path.startsWith(hostA), prepared.path);
    assert.equal(await remoteRef(`refs/heads/${taskBranch(RUN, 'login')}`), base.commit);
    assert.equal(await readFile(path.join(prepared.path, 'README.md'), 'utf8'), 'hello\n');
    // Each host has its own clone; the user's repository has no run branch (the remote holds them).
    assert.notEqual(await hostClone(hostA, remote), await hostClone(hostB, remote));
    assert.equal(await repo.git(['branch', '--list', 'baton/*']), '');
  });

  void it('a snapshot commits the files as they are without touching the branch, index or files', async () => {
    const prepared = await prepareOn(hostA, 'snap');
    await writeFile(path.join(prepared.path, 'new.txt'), 'new\n');
    await writeFile(path.join(prepared.path, 'README.md'), 'changed\n');
    const before = await repo.git(['status', '--porcelain'], prepared.path);
    const { commit, tree } = await snapshotWorktree(prepared.path, 'checkpoint');
    assert.equal(await repo.git(['status', '--porcelain'], prepared.path), before);
    assert.equal(await repo.git(['rev-parse', 'HEAD'], prepared.path), prepared.head);
    assert.equal(await repo.git(['rev-parse', `${commit}^`], prepared.path), prepared.head);
    assert.equal(await repo.git(['show', `${tree}:new.txt`], prepared.path), 'new');
    assert.equal(await repo.git(['show', `${commit}:README.md`], prepared.path), 'changed');
  });

  void it('host B makes the worktree from the branch and the newest checkpoint: the files where host A left them', async () => {
    const prepared = await prepareOn(hostA, 'login');
    const place = taskPlace(await runRepo(hostA, RUN, '', remote), hostA, { runId: RUN, taskId: 'login' });
    const checkpoints = new Checkpoints(place, 0, 'test');
    await checkpoints.flush();
    assert.equal(checkpoints.count, 0, 'nothing changed: no checkpoint');
    await writeFile(path.join(prepared.path, 'a.txt'), 'from host A\n');
    await rm(path.join(prepared.path, 'README.md'));
    await checkpoints.flush();
    await checkpoints.flush();
    assert.equal(checkpoints.count, 1, 'the same files again: no second checkpoint');
    assert.equal(checkpoints.failure, undefined);
    const checkpoint = await remoteRef(checkpointRef(RUN, 'login'));
    assert.ok(checkpoint, 'a checkpoint on the remote');
    assert.equal(await remoteRef(`refs/heads/${taskBranch(RUN, 'login')}`), base.commit, 'the branch unmoved');

    // Host A is gone. Host B's attempt: its own worktree, the agent's folders moved onto it.
    const here = await worktreeHere(hostBDeps(remoteOnly()), agentInput('login', prepared.path));
    const folderB = here.place.folder;
    assert.ok(folderB.startsWith(hostB), folderB);
    assert.equal(here.input.cwd, folderB);
    assert.deepEqual(here.input.pathRebase, [{ from: repo.repo, to: folderB }]);
    assert.equal(await readFile(path.join(folderB, 'a.txt'), 'utf8'), 'from host A\n');
    assert.equal(existsSync(path.join(folderB, 'README.md')), false, 'a file host A deleted stays deleted');
    assert.equal(await repo.git(['rev-parse', 'HEAD'], folderB), base.commit, 'uncommitted, as on host A');
    assert.match(await repo.git(['status', '--porcelain'], folderB), /\?\? a\.txt/);

    // Host B's agent goes on; the commit (on host B) lands on the remote, the checkpoint is done with.
    await writeFile(path.join(folderB, 'b.txt'), 'from host B\n');
    const committed = await commitTask(
      { runId: RUN, taskId: 'login', title: 'Login', path: prepared.path, remote },
      hostB,
    );
    assert.ok(committed.commit);
    assert.equal(await remoteRef(`refs/heads/${taskBranch(RUN, 'login')}`), committed.commit);
    assert.equal(await remoteRef(checkpointRef(RUN, 'login')), '', 'no checkpoint left');
    const files = await execa('git', ['ls-tree', '--name-only', committed.commit!], { cwd: remote });
    assert.deepEqual(files.stdout.split('\n'), ['a.txt', 'b.txt']);

    // The merge, on host A this time: the integration branch on the remote has it.
    const merged = await mergeTask(hostA, { runId: RUN, taskId: 'login', title: 'Login', base, remote });
    assert.equal(merged.outcome, 'merged');
    assert.equal(await remoteRef(`refs/heads/${integrationBranch(RUN)}`), merged.head);
    assert.equal(await repo.git(['show', `${merged.head}:b.txt`], remote), 'from host B');
  });

  void it('a stale worktree on a host is made again from the remote; merges on either host add up', async () => {
    const first = await prepareOn(hostA, 'one');
    await writeFile(path.join(first.path, 'one.txt'), 'one\n');
    await commitTask({ runId: RUN, taskId: 'one', title: 'one', path: first.path, remote }, hostA);
    const m1 = await mergeTask(hostB, { runId: RUN, taskId: 'one', title: 'one', base, remote });
    assert.equal(m1.outcome, 'merged');

    // Task two depends on one, prepared on host A: it gets one's work from the remote.
    const two = await prepareOn(hostA, 'two', ['one']);
    assert.equal(await readFile(path.join(two.path, 'one.txt'), 'utf8'), 'one\n');
    await writeFile(path.join(two.path, 'two.txt'), 'two\n');
    await commitTask({ runId: RUN, taskId: 'two', title: 'two', path: two.path, remote }, hostA);
    // Host A's integration worktree was never made; host B's is behind nothing: merge on A, then on B again.
    const m2 = await mergeTask(hostA, { runId: RUN, taskId: 'two', title: 'two', base, remote });
    assert.equal(m2.outcome, 'merged');
    assert.equal(await repo.git(['rev-parse', `${m2.head}^1`], remote), m1.head, 'on top of host B’s merge');
    const again = await mergeTask(hostB, { runId: RUN, taskId: 'two', title: 'two', base, remote });
    assert.equal(again.outcome, 'already-merged', 'host B caught up with the remote');
    assert.equal(again.head, m2.head);

    // A checkpoint on host B of task two's worktree (made there from the remote) makes host A's copy stale.
    const onB = await prepareOn(hostB, 'two', ['one']);
    await writeFile(path.join(onB.path, 'late.txt'), 'late\n');
    const placeB = taskPlace(await runRepo(hostB, RUN, '', remote), hostB, { runId: RUN, taskId: 'two' });
    await new Checkpoints(placeB, 0, 'test').flush();
    const backOnA = await prepareOn(hostA, 'two', ['one']);
    assert.equal(backOnA.restored, await remoteRef(checkpointRef(RUN, 'two')));
    assert.equal(await readFile(path.join(backOnA.path, 'late.txt'), 'utf8'), 'late\n');
  });
  void it("a verify round on a host without the task's worktree makes it there and checks the agent's files", async () => {
    const prepared = await prepareOn(hostA, 'login');
    await writeFile(path.join(prepared.path, 'a.txt'), 'from host A\n');
    const placeA = taskPlace(await runRepo(hostA, RUN, '', remote), hostA, { runId: RUN, taskId: 'login' });
    await new Checkpoints(placeA, 0, 'test').flush();

    // Host A is gone after its agent's attempt, its folder with it; host B runs the round, in a worktree of its own.
    await rm(prepared.path, { recursive: true, force: true });
    // Host B's only workspace root is the remote: its own worktrees may be worked in, never host A's folder.
    const round = (sharedWorktree?: { remote: string; path: string }, policy = remoteOnly()) =>
      verifyOnHostB(prepared.path, sharedWorktree, policy);
    const result = (await round({ remote, path: prepared.path })) as VerifyTaskResult;
    assert.equal(result.passed, true, result.message);
    const folderB = taskPlace(await runRepo(hostB, RUN, '', remote), hostB, { runId: RUN, taskId: 'login' }).folder;
    assert.equal(await readFile(path.join(folderB, 'a.txt'), 'utf8'), 'from host A\n', 'made on host B');

    // Without the remote, a host that lacks the folder cannot check it: a retryable failure, nothing run.
    await assert.rejects(round(undefined, testPolicy()), /does not exist on this worker/);
  });

  void it("an attempt or a verify round on a host whose workspace roots leave out the remote's folder is refused, git untouched", async () => {
    const prepared = await prepareOn(hostA, 'login');
    await writeFile(path.join(prepared.path, 'a.txt'), 'from host A\n');
    const placeA = taskPlace(await runRepo(hostA, RUN, '', remote), hostA, { runId: RUN, taskId: 'login' });
    await new Checkpoints(placeA, 0, 'test').flush();
    const refsBefore = await remoteRefs();
    assert.match(refsBefore, /checkpoints\/login/, 'host A left a checkpoint');

    // Host B allows another folder only: the remote, a folder of host B too, is none of its business.
    const elsewhere = path.join(repo.root, 'elsewhere');
    await mkdir(elsewhere);
    const policy = testPolicy({ workspaceRoots: [realpathSync(elsewhere)] });
    const refused = (err: unknown): boolean => {
      assert.ok(err instanceof ApplicationFailure, String(err));
      assert.equal(err.type, 'PolicyRefused');
      assert.equal(err.nonRetryable, true);
      assert.ok(err.message.includes(`the run's workspace.remote works in ${realpathSync(remote)}`), err.message);
      assert.match(err.message, /outside this worker's workspace roots .*BATON_WORKSPACE_ROOTS/);
      return true;
    };
    const { runAgent } = createActivities(hostBDeps(policy));
    const env = new MockActivityEnvironment({ attempt: 2 }, { logger: new DefaultLogger('ERROR') });
    const task = effectiveTask({}, TaskSchema.parse({ id: 'login', prompt: 'Go on with the login page.' }));
    const attempt = { ...agentInput('login', prepared.path), task };
    await assert.rejects(env.run(runAgent, attempt), refused);
    await assert.rejects(verifyOnHostB(prepared.path, { remote, path: prepared.path }, policy), refused);
    // A file:// URL names the same folder: refused the same.
    const url = pathToFileURL(remote).href;
    await assert.rejects(verifyOnHostB(prepared.path, { remote: url, path: prepared.path }, policy), refused);

    // Nothing fetched (host B has no clone of the remote, no worktree of the run), nothing pushed.
    assert.equal(existsSync(path.join(hostB, '.remotes')), false, 'no clone of the remote on host B');
    assert.deepEqual(await readdir(hostB), [], 'no worktree on host B');
    assert.equal(await remoteRefs(), refsBefore, "the remote's refs unchanged");

    // With the remote's folder among its roots, the same round on host B works from the remote.
    const result = (await verifyOnHostB(
      prepared.path,
      { remote, path: prepared.path },
      remoteOnly(),
    )) as VerifyTaskResult;
    assert.equal(result.passed, true, result.message);
  });
});
