// Chaos (issue 18, item 1): resume is decided from the conversation itself. 20 agent runs — five rounds of four
// agents, each round's worker SIGKILLed at a moment drawn at random within a target (before the first answer,
// mid-turn, during a tool call, between turns, anywhere) — with a standby worker taking over. Every agent whose
// stored conversation held a model answer when its worker died continues that conversation; the others start
// over. Real Temporal dev server, real claude, the scripted model; figures printed as `[chaos]` lines.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { attemptPaths } from '../../src/activities/artifact-paths.js';
import { finalStatus } from '../../src/client/runs.js';
import { processesOf } from '../helpers/workflow-harness.js';
import { testTemporal, type TestTemporal } from '../helpers/temporal.js';
import { report, scene, startRun, startWorker, until, type WorkerProcess } from './chaos.js';
import {
  answeredBefore,
  median,
  nextRequest,
  Phase,
  phaseAt,
  seeded,
  storedConversation,
  toolScript,
} from './conversations.js';

let temporal: TestTemporal;
before(async () => {
  temporal = await testTemporal();
});
after(async () => {
  await temporal.close();
});

const HEARTBEAT_TIMEOUT_MS = 3000;
const TARGETS = [Phase.BeforeFirstAnswer, Phase.MidTurn, Phase.ToolCall, Phase.BetweenTurns, 'anywhere'] as const;
const AGENTS = ['a', 'b', 'c', 'd'];

interface Killed {
  id: string;
  phase: Phase;
  /** Model answers claude had stored in the conversation when its worker died. */
  stored: number;
  /** Answers the model had sent by then (one still streaming or not yet written is not stored). */
  answered: number;
  outcome: 'resumed' | 'restarted';
  /** From the kill to the next attempt's first request to the model. */
  toFirstRequestMs: number;
  /** From the kill to the next attempt's start (its conversation chosen): Temporal's part of the above. */
  toAttemptStartMs: number;
  /** From the attempt's claude spawned (its transcript created) to its first request: claude's own start. */
  spawnToFirstRequestMs: number;
  /** Attempts after the kill beyond the one that took over (each a heartbeat timeout more). */
  extraAttempts: number;
}

void describe('chaos: workers SIGKILLed at random moments of 20 agent runs', () => {
  void it('every conversation that held a model answer is continued, none restarted', async () => {
    const seed = Number(process.env.BATON_CHAOS_SEED ?? randomInt(2 ** 31));
    const random = seeded(seed);
    const s = await scene({});
    const killed: Killed[] = [];
    const details: string[] = [];
    try {
      let worker: WorkerProcess = startWorker(s, temporal.address);
      await worker.ready;
      for (const [round, target] of TARGETS.entries()) {
        const ids = AGENTS.map((agent) => `r${round}-${agent}`);
        // Agents of a round move at different paces; before the first answer, the model holds its answers.
        const scripts = new Map(ids.map((id) => [id, toolScript(id, Math.round(200 + random() * 1300), 4)]));
        for (const id of ids)
          s.fake.setScript(id, target === Phase.BeforeFirstAnswer ? { hang: true } : scripts.get(id)!);
        const plan = {
          version: 1 as const,
          name: `resume-r${round}`,
          maxParallel: AGENTS.length,
          defaults: { timeout: '5m', retries: 3 },
          tasks: ids.map((id) => ({ id, prompt: `Work on ${id}.` })),
        };
        const started = Date.now();
        const handle = await startRun(temporal.client, s, plan, { heartbeatTimeout: `${HEARTBEAT_TIMEOUT_MS}ms` });
        await until(`round ${round}'s agents to ask the model`, () =>
          ids.every((id) => s.fake.requestsFor(id).length > 0),
        );
        // The host that takes over, ready before the kill, as another host of a deployment would be.
        const standby = startWorker(s, temporal.address);
        await standby.ready;
        const someAgentIn = (phase: Phase) => () =>
          ids.some((id) => phaseAt(s.fake, id, s.cwd, Date.now(), 4) === phase);
        if (target === Phase.BeforeFirstAnswer) await sleep(random() * 1000);
        else if (target === 'anywhere') await sleep(random() * 5000);
        else {
          await until(`an agent ${target}`, someAgentIn(target), 60_000).catch((err: unknown) => {
            const log = ids.map(
              (id) =>
                `${id}: ${JSON.stringify(s.fake.requestsFor(id).map((r) => [r.assistantTurns, r.status, r.receivedAt - started, r.answeredAt === null ? null : r.answeredAt - started]))}`,
            );
            throw new Error(`${(err as Error).message}\n${log.join('\n')}`);
          });
          if (target !== Phase.BetweenTurns) await sleep(random() * 300);
        }
        const at = Date.now();
        worker.child.kill('SIGKILL');
        await worker.exited;
        await until('the dead worker’s agents to be gone', async () => (await processesOf(s.cwd)).length === 0, 10_000);
        // A dying claude may still send a request; the next attempt's come after (the heartbeat timeout is longer).
        const goneAt = Date.now();
        const atKill = new Map<string, { phase: Phase; stored: number; answered: number }>();
        for (const id of ids) {
          const conversation = await storedConversation(s, handle.workflowId, id);
          atKill.set(id, {
            phase: phaseAt(s.fake, id, s.cwd, at, 4),
            stored: conversation?.answers ?? 0,
            answered: answeredBefore(s.fake, id, at),
          });
        }
        for (const id of ids) s.fake.setScript(id, scripts.get(id)!);
        worker = standby;
        const final = await finalStatus(handle);
        assert.equal(final?.phase, 'completed', JSON.stringify(final?.tasks.map((t) => [t.id, t.state, t.error])));
        for (const task of final.tasks) {
          if (task.attempts < 2) continue; // it had finished before the kill
          const next = nextRequest(s.fake, task.id, goneAt);
          assert.ok(next, `${task.id} asked the model again`);
          details.push(
            `${task.id}: ${JSON.stringify(atKill.get(task.id))} → ${next.outcome} (turns ${next.request.assistantTurns}, "${next.request.lastUserText.slice(0, 60)}")`,
          );
          const seen = atKill.get(task.id)!;
          const paths = await firstAttemptAfterKill(s.artifactsDir, handle.workflowId, task.id, task.attempts);
          killed.push({
            id: task.id,
            ...seen,
            outcome: next.outcome,
            toFirstRequestMs: next.request.receivedAt - at,
            toAttemptStartMs: (await stat(paths.session)).mtimeMs - at,
            spawnToFirstRequestMs: next.request.receivedAt - (await stat(paths.transcript)).birthtimeMs,
            extraAttempts: task.attempts - 2,
          });
        }
      }
      worker.child.kill('SIGTERM');
      await worker.exited;
    } finally {
      await s.cleanup();
    }

    const withAnswer = killed.filter((k) => k.stored > 0);
    const restartedWithAnswer = withAnswer.filter((k) => k.outcome === 'restarted');
    const resumed = killed.filter((k) => k.outcome === 'resumed');
    const phases: Record<string, number> = {};
    for (const k of killed) phases[k.phase] = (phases[k.phase] ?? 0) + 1;
    const toResumed = resumed.map((k) => k.toFirstRequestMs);
    const toStart = resumed.map((k) => k.toAttemptStartMs);
    report('resume from the conversation', {
      seed,
      agentRuns: TARGETS.length * AGENTS.length,
      killedMidRun: killed.length,
      phases,
      resumed: resumed.length,
      restarted: killed.length - resumed.length,
      restartedThatHadAnAnswer: restartedWithAnswer.length,
      answeredButNotYetStored: killed.filter((k) => k.answered > k.stored).length,
      killToResumedFirstRequestMs: {
        min: Math.min(...toResumed),
        median: median(toResumed),
        max: Math.max(...toResumed),
      },
      killToAttemptStartMs: {
        min: Math.round(Math.min(...toStart)),
        median: Math.round(median(toStart)),
        max: Math.round(Math.max(...toStart)),
      },
      extraAttempts: killed.reduce((sum, k) => sum + k.extraAttempts, 0),
      claudeSpawnToFirstRequestMs: Math.round(median(resumed.map((k) => k.spawnToFirstRequestMs))),
      heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
    });
    assert.deepEqual(
      restartedWithAnswer,
      [],
      `no conversation that held an answer was started over:\n${details.join('\n')}`,
    );
    for (const k of killed.filter((k) => k.stored === 0)) {
      assert.equal(k.outcome, 'restarted', `${k.id}: nothing stored to continue`);
    }
    assert.ok(killed.length >= 12, `most agents were killed mid-run (${killed.length})`);
    assert.ok(withAnswer.length >= 6, `enough of them had an answer to continue (${withAnswer.length})`);
    assert.ok(Object.keys(phases).length >= 3, `the kills landed in different places: ${JSON.stringify(phases)}`);
    // The attempt that takes over is not presumed dead in its turn: it once asked the run for the task's question
    // without heartbeating, and the query waited 10 s for the dead worker (most kills took a third attempt). A retry
    // Temporal hands to the dead worker's poll still in flight is its own, rarer, cause: a few are allowed.
    const extra = killed.filter((k) => k.extraAttempts > 0).map((k) => `${k.id}: ${k.extraAttempts}`);
    assert.ok(extra.length <= 2, `attempts after the one that took over: ${extra.join(', ')}`);
    // How soon the next attempts start (killToAttemptStartMs) is a figure the report prints, not an assertion: it
    // is Temporal's heartbeat timeout plus the machine's load, and a timed check flakes on a shared 2-core runner.
  });
});

/**
 * The paths of the first attempt that started after the kill: usually attempt 2, but a retry Temporal handed to
 * the dead worker's poll still in flight never starts (it times out), and the next one is the first here.
 */
async function firstAttemptAfterKill(artifactsDir: string, runId: string, taskId: string, attempts: number) {
  for (let attempt = 2; attempt <= attempts; attempt += 1) {
    const paths = attemptPaths(artifactsDir, { runId, taskId, generation: 1, attempt });
    if (
      await stat(paths.session).then(
        () => true,
        () => false,
      )
    )
      return paths;
  }
  throw new Error(`${taskId}: no attempt from 2 to ${attempts} left a session file`);
}
