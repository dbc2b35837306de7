// Chaos (issue 5): a worker asked to stop loses nothing. SIGTERM: it takes no new work and lets running agents
// finish within the grace time; past it, the agents are cancelled (their process trees killed) and the task
// resumes on another worker. A second signal kills the agents and exits at once. No process is left either way.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { finalStatus } from '../../src/client/runs.js';
import { FORCED_EXIT_CODE } from '../../src/workers/shutdown.js';
import type { OrchestrateOptions } from '../../src/workflows/orchestrate.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import { processesOf } from '../helpers/workflow-harness.js';
import { testTemporal } from '../helpers/temporal.js';
import { report, resumedRequests, startRun, startWorker, twoTurns, until, withScene, type Scene } from './chaos.js';

const temporal = forAllTests(testTemporal);

const plan = (name: string) => ({
  version: 1 as const,
  name,
  defaults: { timeout: '5m', retries: 3 },
  tasks: [
    { id: 'work', prompt: 'Work on it.' },
    { id: 'next', prompt: 'Then this.', dependsOn: ['work'] },
  ],
});

/**
 * A worker with `--grace <grace>` runs the plan until the `work` agent is in its second turn and a heartbeat has
 * told Temporal so.
 */
async function midConversation(s: Scene, grace: string, runName: string, options?: OrchestrateOptions) {
  const worker = startWorker(s, temporal.address, ['--grace', grace]);
  await worker.ready;
  const handle = await startRun(temporal.client, s, plan(runName), options);
  await until('the agent’s second turn', () => s.fake.requestsFor('work').some((r) => r.assistantTurns >= 1));
  await sleep(2000);
  return { worker, handle };
}

/** A successor worker takes the run to its end; it is stopped once the run has its final status. */
async function finishOnSuccessor(s: Scene, handle: WorkflowHandle) {
  const successor = startWorker(s, temporal.address);
  const final = await finalStatus(handle);
  successor.child.kill('SIGTERM');
  await successor.exited;
  return { successor, final };
}

/** `work` answers at once from now on: a successor worker resumes its conversation and ends the run. */
async function resumeOnSuccessor(s: Scene, handle: WorkflowHandle) {
  s.fake.setScript('work', twoTurns('work'));
  const { successor, final } = await finishOnSuccessor(s, handle);
  return { successor, final, resumed: resumedRequests(s.fake, 'work') };
}

/** Only the worker process itself (its argv names the scene) may remain: no claude, no tool. */
async function agentProcesses(s: Scene, workerPid: number | undefined): Promise<string[]> {
  return (await processesOf(s.root)).filter((line) => !line.startsWith(`${workerPid}:`));
}

void describe('chaos: worker shutdown on SIGTERM', () => {
  void it('lets a running agent finish within the grace time, takes no new work, exits 0', async () => {
    await withScene({ work: twoTurns('work', 2500), next: {} }, async (s) => {
      const { worker, handle } = await midConversation(s, '30s', 'chaos-grace');
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

      const { successor, final } = await finishOnSuccessor(s, handle);
      assert.equal(final?.phase, 'completed');
      assert.equal(s.fake.requestsFor('work').length, 2, 'work was not run again');
      assert.equal(final?.tasks.find((t) => t.id === 'work')?.attempts, 1);
      assert.ok(s.fake.requestsFor('next')[0]!.receivedAt >= successor.spawnedAt);
      report('SIGTERM within grace', { signalToExitMs: exit.at - signalledAt, workRequests: 2, attempts: 1 });
    });
  });

  void it('past the grace time cancels the agent, kills its tree, and the task resumes on the next worker', async () => {
    await withScene({ work: twoTurns('work', 20_000), next: {} }, async (s) => {
      const { worker, handle } = await midConversation(s, '2s', 'chaos-grace-over');
      worker.child.kill('SIGTERM');
      const signalledAt = Date.now();
      const exit = await worker.exited;
      assert.equal(exit.code, 0, worker.stderr());
      assert.deepEqual(await processesOf(s.root), [], 'no claude or tool process left');

      const { successor, final, resumed } = await resumeOnSuccessor(s, handle);
      assert.equal(final?.phase, 'completed');
      assert.ok(resumed.length >= 1, 'the next attempt resumed the conversation');
      report('SIGTERM past grace', {
        grace: '2s',
        signalToExitMs: exit.at - signalledAt,
        successorStartToResumedRequestMs: resumed[0]!.receivedAt - successor.spawnedAt,
        attempts: final?.tasks.find((t) => t.id === 'work')?.attempts,
      });
    });
  });

  void it('a second signal kills the agents and exits at once; the task resumes on the next worker', async () => {
    await withScene({ work: twoTurns('work', 20_000), next: {} }, async (s) => {
      const { worker, handle } = await midConversation(s, '60s', 'chaos-double', { heartbeatTimeout: '3s' });
      worker.child.kill('SIGTERM');
      await sleep(500);
      worker.child.kill('SIGINT');
      const signalledAt = Date.now();
      const exit = await worker.exited;
      assert.equal(exit.code, FORCED_EXIT_CODE, worker.stderr());
      assert.match(worker.stderr(), /SIGINT again: killing 1 agent\(s\) and exiting now/);
      assert.deepEqual(await processesOf(s.root), [], 'no claude or tool process left');

      const { successor, final, resumed } = await resumeOnSuccessor(s, handle);
      assert.equal(final?.phase, 'completed');
      assert.ok(resumed.length >= 1, 'the next attempt resumed the conversation');
      report('second signal', {
        secondSignalToExitMs: exit.at - signalledAt,
        successorStartToResumedRequestMs: resumed[0]!.receivedAt - successor.spawnedAt,
      });
    });
  });
});
