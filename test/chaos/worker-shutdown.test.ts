// Chaos (issue 5): a worker asked to stop loses nothing. SIGTERM: it takes no new work and lets running agents
// finish within the grace time; past it, the agents are cancelled (their process trees killed) and the task
// resumes on another worker. A second signal kills the agents and exits at once. No process is left either way.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { finalStatus } from '../../src/client/runs.js';
import type { TaskScript } from '../../src/rehearsal/fake-model.js';
import { FORCED_EXIT_CODE } from '../../src/workers/shutdown.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import { processesOf } from '../helpers/workflow-harness.js';
import { testTemporal } from '../helpers/temporal.js';
import { report, resumedRequests, scene, startRun, startWorker, until, type Scene } from './chaos.js';

const temporal = forAllTests(testTemporal);

const twoTurns = (id: string, delayMs?: number): TaskScript => ({
  turns: [{ bash: `echo ${id} > ${id}.txt` }, { text: `${id} finished` }, { text: `${id} finished` }],
  ...(delayMs ? { delayMs } : {}),
});

const plan = (name: string) => ({
  version: 1 as const,
  name,
  defaults: { timeout: '5m', retries: 3 },
  tasks: [
    { id: 'work', prompt: 'Work on it.' },
    { id: 'next', prompt: 'Then this.', dependsOn: ['work'] },
  ],
});

/** Wait until the `work` agent is in its second turn and a heartbeat has told Temporal so. */
async function midConversation(s: Scene): Promise<void> {
  await until('the agent’s second turn', () => s.fake.requestsFor('work').some((r) => r.assistantTurns >= 1));
  await sleep(2000);
}

/** Only the worker process itself (its argv names the scene) may remain: no claude, no tool. */
async function agentProcesses(s: Scene, workerPid: number | undefined): Promise<string[]> {
  return (await processesOf(s.root)).filter((line) => !line.startsWith(`${workerPid}:`));
}

void describe('chaos: worker shutdown on SIGTERM', () => {
  void it('lets a running agent finish within the grace time, takes no new work, exits 0', async () => {
    const s = await scene({ work: twoTurns('work', 2500), next: {} });
    try {
      const worker = startWorker(s, temporal.address, ['--grace', '30s']);
      await worker.ready;
      const handle = await startRun(temporal.client, s, plan('chaos-grace'));
      await midConversation(s);
      worker.child.kill('SIGTERM');
      const signalledAt = Date.now();
      const exit = await worker.exited;
      assert.equal(exit.code, 0, worker.stderr());
      assert.match(worker.stderr(), /SIGTERM: stopping — no new work; 1 running agent may finish within 30s/);
      assert.deepEqual(await agentProcesses(s, worker.child.pid), []);
      // (No query here: with no worker polling, Temporal cannot answer one.)
      const answered = s.fake.requestsFor('work').map((r) => r.answeredAt);
      assert.ok(
        answered.length === 2 && answered.every((at) => at !== null && at <= exit.at),
        'the agent finished first',
      );
      assert.equal(s.fake.requestsFor('next').length, 0, 'the stopping worker took no new work');

      const successor = startWorker(s, temporal.address);
      const final = await finalStatus(handle);
      assert.equal(final?.phase, 'completed');
      assert.equal(s.fake.requestsFor('work').length, 2, 'work was not run again');
      assert.equal(final?.tasks.find((t) => t.id === 'work')?.attempts, 1);
      assert.ok(s.fake.requestsFor('next')[0]!.receivedAt >= successor.spawnedAt);
      successor.child.kill('SIGTERM');
      await successor.exited;
      report('SIGTERM within grace', { signalToExitMs: exit.at - signalledAt, workRequests: 2, attempts: 1 });
    } finally {
      await s.cleanup();
    }
  });

  void it('past the grace time cancels the agent, kills its tree, and the task resumes on the next worker', async () => {
    const s = await scene({ work: twoTurns('work', 20_000), next: {} });
    try {
      const worker = startWorker(s, temporal.address, ['--grace', '2s']);
      await worker.ready;
      const handle = await startRun(temporal.client, s, plan('chaos-grace-over'));
      await midConversation(s);
      worker.child.kill('SIGTERM');
      const signalledAt = Date.now();
      const exit = await worker.exited;
      assert.equal(exit.code, 0, worker.stderr());
      assert.deepEqual(await processesOf(s.root), [], 'no claude or tool process left');

      s.fake.setScript('work', twoTurns('work'));
      const successor = startWorker(s, temporal.address);
      const final = await finalStatus(handle);
      assert.equal(final?.phase, 'completed');
      const resumed = resumedRequests(s.fake, 'work');
      assert.ok(resumed.length >= 1, 'the next attempt resumed the conversation');
      successor.child.kill('SIGTERM');
      await successor.exited;
      report('SIGTERM past grace', {
        grace: '2s',
        signalToExitMs: exit.at - signalledAt,
        successorStartToResumedRequestMs: resumed[0]!.receivedAt - successor.spawnedAt,
        attempts: final?.tasks.find((t) => t.id === 'work')?.attempts,
      });
    } finally {
      await s.cleanup();
    }
  });

  void it('a second signal kills the agents and exits at once; the task resumes on the next worker', async () => {
    const s = await scene({ work: twoTurns('work', 20_000), next: {} });
    try {
      const worker = startWorker(s, temporal.address, ['--grace', '60s']);
      await worker.ready;
      const handle = await startRun(temporal.client, s, plan('chaos-double'), { heartbeatTimeout: '3s' });
      await midConversation(s);
      worker.child.kill('SIGTERM');
      await sleep(500);
      worker.child.kill('SIGINT');
      const signalledAt = Date.now();
      const exit = await worker.exited;
      assert.equal(exit.code, FORCED_EXIT_CODE, worker.stderr());
      assert.match(worker.stderr(), /SIGINT again: killing 1 agent\(s\) and exiting now/);
      assert.deepEqual(await processesOf(s.root), [], 'no claude or tool process left');

      s.fake.setScript('work', twoTurns('work'));
      const successor = startWorker(s, temporal.address);
      const final = await finalStatus(handle);
      assert.equal(final?.phase, 'completed');
      const resumed = resumedRequests(s.fake, 'work');
      assert.ok(resumed.length >= 1, 'the next attempt resumed the conversation');
      successor.child.kill('SIGTERM');
      await successor.exited;
      report('second signal', {
        secondSignalToExitMs: exit.at - signalledAt,
        successorStartToResumedRequestMs: resumed[0]!.receivedAt - successor.spawnedAt,
      });
    } finally {
      await s.cleanup();
    }
  });
});
