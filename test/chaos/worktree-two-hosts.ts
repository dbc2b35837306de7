// The scenario of worktrees across hosts (issue 18), on any Temporal server (the dev server of
// test/chaos/worktree-two-hosts.test.ts, the real cluster of test/cluster/worktree-two-hosts.test.ts): two workers
// stand for two hosts — each its own artifacts folder (and so its own worktrees folder), CLAUDE_CONFIG_DIR, HOME and
// clone of the repository — sharing only the Temporal server, an S3 bucket (moto's server: the conversation) and a
// bare git remote (`workspace.remote`: the run's branches and checkpoints). Host A's agent writes a file in its
// worktree and is SIGKILLed while it waits for the model; host B's attempt makes the task's worktree from the
// remote's newest checkpoint, continues the conversation, and its agent reads the file host A's wrote. The run
// completes; its merge lands on the remote's integration branch. Real claude, the scripted model.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { Client } from '@temporalio/client';
import { execa } from 'execa';
import { checkpointRef } from '../../src/activities/workspace/remote.js';
import { integrationBranch, taskBranch, taskWorktree } from '../../src/activities/workspace/names.js';
import { finalStatus } from '../../src/client/runs.js';
import { statusQuery } from '../../src/workflows/messages.js';
import { initRepo } from '../helpers/git-repo.js';
import type { TestS3 } from '../helpers/s3-server.js';
import { processesOf } from '../helpers/workflow-harness.js';
import { scene, startRun, startWorker, until } from './chaos.js';
import { nextRequest } from './conversations.js';

const HEARTBEAT_TIMEOUT_MS = 3000;
const PREFIX = 'worktree-two-hosts';

/** git in `cwd`, stdout trimmed; null when it fails (a ref or file not there yet). */
async function gitIn(cwd: string, args: string[]): Promise<string | null> {
  const result = await execa('git', args, { cwd, reject: false, stdin: 'ignore' });
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

export type AcrossHostsFigures = {
  killToOtherHostFirstRequestMs: number;
  heartbeatTimeoutMs: number;
  assistantTurnsSeenByHostB: number;
  attempts: number | undefined;
};

/** The scenario against the Temporal server at `address` (namespace default) whose client is `client`. */
export async function worktreeAcrossHosts(
  temporal: { address: string; client: Client },
  s3: TestS3,
): Promise<AcrossHostsFigures> {
  // Slow answers: host A is killed while it waits for its second. The second turn reads what the first wrote.
  // A resumed conversation may hold a placeholder answer of claude's own (the turn it was waiting for): the turn that
  // reads comes twice, so that host B runs it whichever of them it is asked for.
  const read = { bash: 'cat a.txt > seen.txt && echo b > b.txt' };
  const turns = [{ bash: 'echo a > a.txt' }, read, read, { text: 'done' }, { text: 'done' }, { text: 'done' }];
  const s = await scene({ cross: { turns, delayMs: 6000 } });
  try {
    const origin = path.join(s.root, 'origin');
    await mkdir(origin);
    await initRepo(origin);
    const shared = path.join(s.root, 'shared.git');
    await execa('git', ['clone', '--quiet', '--bare', origin, shared]);
    const hosts = await Promise.all(
      ['host-a', 'host-b'].map(async (name) => {
        const dir = path.join(s.root, name);
        const host = {
          dir,
          checkout: path.join(dir, 'checkout'),
          configDir: path.join(dir, 'claude-config'),
          artifactsDir: path.join(dir, 'artifacts'),
          worktreesDir: path.join(dir, 'worktrees'), // beside artifacts: the worker's default
          home: path.join(dir, 'home'),
        };
        await Promise.all([host.configDir, host.artifactsDir, host.home].map((d) => mkdir(d, { recursive: true })));
        await execa('git', ['clone', '--quiet', shared, host.checkout]);
        return host;
      }),
    );
    const [hostA, hostB] = hosts as [(typeof hosts)[0], (typeof hosts)[0]];
    const worker = (host: (typeof hosts)[0]) =>
      startWorker(s, temporal.address, [], {
        artifactsDir: host.artifactsDir,
        env: { ...s3.env(PREFIX), CLAUDE_CONFIG_DIR: host.configDir, HOME: host.home },
      });
    const a = worker(hostA);
    await a.ready;
    const plan = {
      version: 1 as const,
      name: 'worktree-two-hosts',
      defaults: { timeout: '5m', retries: 3 },
      workspace: { repo: '.', isolation: 'worktree' as const, remote: shared },
      tasks: [{ id: 'cross', prompt: 'Cross over to the other host.' }],
    };
    const handle = await startRun(temporal.client, { ...s, cwd: hostA.checkout }, plan, {
      heartbeatTimeout: `${HEARTBEAT_TIMEOUT_MS}ms`,
    });
    const runId = handle.workflowId;
    const folderA = taskWorktree(hostA.worktreesDir, runId, 'cross');
    await until('host A to run the agent', async () => {
      const status = await handle.query(statusQuery);
      return status.tasks[0]?.state === 'running' && s.fake.requestsFor('cross').length > 0;
    });
    const b = worker(hostB);
    await b.ready;
    await until('host A’s agent to write a.txt in its worktree', () => existsSync(path.join(folderA, 'a.txt')));
    // The remote holds the file (a checkpoint: uncommitted work), the bucket the conversation with an answer.
    await until('a checkpoint on the remote holding a.txt', async () =>
      (await gitIn(shared, ['show', `${checkpointRef(runId, 'cross')}:a.txt`])) === 'a' ? true : undefined,
    );
    const key = `${PREFIX}/artifacts/${runId}/cross/g1`;
    await until('the bucket’s conversation to hold a model answer', async () => {
      const index = await objectText(s3, `${key}/conversations.json`);
      if (!index) return undefined;
      const { conversations } = JSON.parse(index) as { conversations: { sessionId: string }[] };
      const text = await objectText(s3, `${key}/conversations/${conversations[0]!.sessionId}.jsonl`);
      return /"type":"assistant"/.test(text ?? '') || undefined;
    });
    assert.equal(s.fake.requestsFor('cross').filter((r) => r.answeredAt !== null).length, 1, 'one answer so far');

    const killedAt = Date.now();
    a.child.kill('SIGKILL');
    await a.exited;
    await until('host A’s agent to be gone', async () => (await processesOf(folderA)).length === 0, 10_000);
    const goneAt = Date.now();
    s.fake.setScript('cross', { turns }); // answer at once from now on

    const final = await finalStatus(handle);
    assert.equal(final?.phase, 'completed', JSON.stringify(final?.tasks.map((t) => [t.id, t.state, t.error])));
    const next = nextRequest(s.fake, 'cross', goneAt);
    assert.ok(next, 'host B asked the model');
    assert.equal(next.outcome, 'resumed', `host B continued the conversation: ${JSON.stringify(next.request)}`);
    // Attempts beyond 2 happen: a retry handed to host A's poll in flight when it died times out before host B gets it.
    assert.ok((final.tasks[0]?.attempts ?? 0) >= 2, `attempts: ${final.tasks[0]?.attempts}`);

    // Host B's agent worked in host B's own worktree, made from the remote, and found host A's file there.
    const entries = JSON.parse((await objectText(s3, `${key}/conversations.json`))!) as {
      conversations: { attempt: number; mode: string; cwd: string }[];
    };
    // Host B may run more than one attempt (one timed out under load, its successor went on): each continued.
    const [first, ...onB] = entries.conversations.map((e) => [e.mode, e.cwd]);
    assert.deepEqual(first, ['new', folderA]);
    assert.ok(onB.length >= 1, JSON.stringify(entries.conversations));
    for (const entry of onB) assert.deepEqual(entry, ['resumed', taskWorktree(hostB.worktreesDir, runId, 'cross')]);
    assert.equal(entries.conversations[0]!.attempt, 1);
    assert.ok(entries.conversations[1]!.attempt > 1, 'host B’s attempt came after host A’s');
    const integration = `refs/heads/${integrationBranch(runId)}`;
    assert.equal(
      await gitIn(shared, ['show', `${integration}:seen.txt`]),
      'a',
      `host B’s agent read host A’s a.txt (${JSON.stringify(s.fake.requestsFor('cross').map((r) => r.assistantTurns))})`,
    );
    assert.equal(await gitIn(shared, ['show', `${integration}:b.txt`]), 'b');
    assert.equal(await gitIn(shared, ['show', `${integration}:README.md`]), 'hello');
    const task = `refs/heads/${taskBranch(runId, 'cross')}`;
    assert.equal(await gitIn(shared, ['merge-base', '--is-ancestor', task, integration]), '', 'the task is merged');
    assert.match((await gitIn(shared, ['log', '-1', '--format=%s', integration])) ?? '', /cross.*\(merged\)/);
    assert.equal(await gitIn(shared, ['rev-parse', '--verify', '--quiet', checkpointRef(runId, 'cross')]), null);
    // Host A's own clone of the repository never got a run branch: the remote holds them.
    assert.equal(await gitIn(hostA.checkout, ['branch', '--list', 'baton/*']), '');
    assert.equal(await readFile(path.join(folderA, 'a.txt'), 'utf8'), 'a\n', 'host A’s worktree as it was left');

    b.child.kill('SIGTERM');
    await b.exited;
    return {
      killToOtherHostFirstRequestMs: next.request.receivedAt - killedAt,
      heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
      assistantTurnsSeenByHostB: next.request.assistantTurns,
      attempts: final.tasks[0]?.attempts,
    };
  } finally {
    await s.cleanup();
  }
}

async function objectText(s3: TestS3, key: string): Promise<string | undefined> {
  try {
    const answer = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    return await answer.Body?.transformToString();
  } catch {
    return undefined;
  }
}
