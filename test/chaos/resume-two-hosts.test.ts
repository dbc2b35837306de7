// Chaos (issue 18, item 2): a conversation store every host reaches. Two workers stand for two hosts — each its own
// artifacts folder, CLAUDE_CONFIG_DIR and HOME, sharing only an S3 bucket (moto's server) and the Temporal server.
// The task's folder is a path whose real folder is host A's checkout while A runs and host B's after (claude names
// a conversation's folder by the real path, so B's claude looks elsewhere than A's did). Host A is SIGKILLed
// mid-agent; host B fetches the conversation from the bucket and continues it: the scripted model sees the earlier
// turns. Real Temporal dev server, real claude, the scripted model.
import assert from 'node:assert/strict';
import { readFile, mkdir, realpath, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { sessionFile } from '../../src/activities/session-store.js';
import { finalStatus } from '../../src/client/runs.js';
import { statusQuery } from '../../src/workflows/messages.js';
import { startTestS3, type TestS3 } from '../helpers/s3-server.js';
import { testTemporal, type TestTemporal } from '../helpers/temporal.js';
import { processesOf } from '../helpers/workflow-harness.js';
import { report, scene, startRun, startWorker, until } from './chaos.js';
import { nextRequest } from './conversations.js';

let temporal: TestTemporal;
let s3: TestS3;
before(async () => {
  temporal = await testTemporal();
  s3 = await startTestS3();
});
after(async () => {
  await s3.close();
  await temporal.close();
});

const HEARTBEAT_TIMEOUT_MS = 3000;
const PREFIX = 'two-hosts';

async function objectText(key: string): Promise<string | undefined> {
  try {
    const answer = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `${PREFIX}/${key}` }));
    return await answer.Body?.transformToString();
  } catch {
    return undefined;
  }
}

void describe('chaos: host A SIGKILLed mid-agent, host B continues its conversation from the bucket', () => {
  void it('the scripted model sees the earlier turns in host B’s first request; the run completes', async () => {
    // Slow answers: host A is killed while it waits for its second or third.
    const turns = [{ bash: 'echo a > a.txt' }, { bash: 'echo b > b.txt' }, { text: 'crossed over' }];
    const s = await scene({ cross: { turns: [...turns, turns[2]!, turns[2]!], delayMs: 4000 } });
    try {
      const hosts = ['host-a', 'host-b'].map((name) => {
        const dir = path.join(s.root, name);
        return {
          checkout: path.join(dir, 'checkout'),
          configDir: path.join(dir, 'claude-config'),
          artifactsDir: path.join(dir, 'artifacts'),
          home: path.join(dir, 'home'),
        };
      });
      for (const host of hosts) {
        await Promise.all(
          [host.checkout, host.configDir, host.artifactsDir, host.home].map((d) => mkdir(d, { recursive: true })),
        );
      }
      const [hostA, hostB] = hosts as [(typeof hosts)[0], (typeof hosts)[0]];
      const taskFolder = path.join(s.root, 'task-folder');
      await symlink(hostA.checkout, taskFolder);
      const worker = (host: (typeof hosts)[0]) =>
        startWorker(s, temporal.address, [], {
          artifactsDir: host.artifactsDir,
          env: { ...s3.env(PREFIX), CLAUDE_CONFIG_DIR: host.configDir, HOME: host.home },
        });
      const a = worker(hostA);
      await a.ready;
      const plan = {
        version: 1 as const,
        name: 'two-hosts',
        defaults: { timeout: '5m', retries: 3 },
        tasks: [{ id: 'cross', prompt: 'Cross over to the other host.' }],
      };
      const handle = await startRun(temporal.client, { ...s, cwd: taskFolder }, plan, {
        heartbeatTimeout: `${HEARTBEAT_TIMEOUT_MS}ms`,
      });
      await until('host A to run the agent', async () => {
        const status = await handle.query(statusQuery);
        return status.tasks[0]?.state === 'running' && s.fake.requestsFor('cross').length > 0;
      });
      const b = worker(hostB);
      await b.ready;
      // The bucket holds the conversation with the model's first answer (kept as it grows, not only at the end).
      const key = `artifacts/${handle.workflowId}/cross/g1`;
      const index = await until('the conversation recorded in the bucket', async () => {
        const text = await objectText(`${key}/conversations.json`);
        return text ? (JSON.parse(text) as { conversations: { sessionId: string }[] }).conversations : undefined;
      });
      const sessionId = index[0]!.sessionId;
      await until('the bucket’s copy to hold a model answer', async () =>
        /"type":"assistant"/.test((await objectText(`${key}/conversations/${sessionId}.jsonl`)) ?? ''),
      );

      const killedAt = Date.now();
      a.child.kill('SIGKILL');
      await a.exited;
      await until('host A’s agent to be gone', async () => (await processesOf(hostA.checkout)).length === 0, 10_000);
      const goneAt = Date.now();
      s.fake.setScript('cross', { turns: [...turns, turns[2]!, turns[2]!] }); // answer at once from now on
      // Host B's checkout is where the task's folder leads now.
      await rm(taskFolder);
      await symlink(hostB.checkout, taskFolder);

      const final = await finalStatus(handle);
      assert.equal(final?.phase, 'completed', JSON.stringify(final?.tasks.map((t) => [t.id, t.state, t.error])));
      const next = nextRequest(s.fake, 'cross', goneAt);
      assert.ok(next, 'host B asked the model');
      assert.equal(next.outcome, 'resumed', `host B continued the conversation: ${JSON.stringify(next.request)}`);
      assert.ok(next.request.assistantTurns >= 1, 'the model sees the earlier turns');
      assert.match(next.request.firstUserText, /Cross over to the other host\./, 'and the original prompt');
      assert.equal(final.tasks[0]?.sessionId, sessionId, 'the same conversation, by id');
      // Host A's turn happened in A's checkout; B's claude found the conversation under B's own project folder.
      assert.equal(await readFile(path.join(hostA.checkout, 'a.txt'), 'utf8'), 'a\n');
      await readFile(await sessionFile(hostB.configDir, await realpath(taskFolder), sessionId));
      const entries = JSON.parse((await objectText(`${key}/conversations.json`))!) as {
        conversations: { sessionId: string; mode: string; attempt: number }[];
      };
      // Attempt numbers vary: a retry handed to host A's poll in flight when it died times out before host B gets it.
      assert.deepEqual(
        entries.conversations.map((e) => [e.mode, e.sessionId]),
        [
          ['new', sessionId],
          ['resumed', sessionId],
        ],
      );
      assert.equal(entries.conversations[0]!.attempt, 1);
      assert.ok(entries.conversations[1]!.attempt > 1, 'host B’s attempt came after host A’s');
      b.child.kill('SIGTERM');
      await b.exited;
      report('resume on another host (S3)', {
        killToOtherHostFirstRequestMs: next.request.receivedAt - killedAt,
        heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
        assistantTurnsSeenByHostB: next.request.assistantTurns,
        attempts: final.tasks[0]?.attempts,
      });
    } finally {
      await s.cleanup();
    }
  });
});
