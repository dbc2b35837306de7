// Warm agents' edge cases (DESIGN §5, warm-pool.ts). One that does not fit its attempt: started for another generation, or with a
// command line other than the attempt's, it is stopped — and its exit awaited — before the attempt starts its own
// claude, so that two claudes of one conversation never run at once. The real claude binary against the scripted
// model; the processes as /proc shows them (the first two fail when claim or adopt does not await the warm claude's
// end; the third, sampling /proc every few ms, shows the whole attempt but would miss a short overlap). And a warm
// start waits while attempts start on the worker (their claude's start would share the CPU with its own).
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { claudeLaunch } from '../../src/activities/claude-attempt.js';
import { createActivities } from '../../src/activities/index.js';
import { WarmPool, type WarmPoolDeps } from '../../src/activities/warm-pool.js';
import type { RunAgentInput, RunAgentResult } from '../../src/contract/agent.js';
import type { WarmAgentSpec } from '../../src/contract/warm.js';
import { effectiveTask, TaskSchema } from '../../src/plan/schema.js';
import { FakeModel } from '../../src/rehearsal/fake-model.js';
import { CLAUDE_BIN, claudeEnv } from '../helpers/claude-env.js';
import { forAllTests, tempFolderForAllTests } from '../helpers/for-all-tests.js';
import { testPolicy } from '../helpers/policy.js';
import { pidsWith } from '../helpers/processes.js';

const root = tempFolderForAllTests('baton-warm-mismatch-');
const fake = forAllTests(
  () => FakeModel.start({ rehearse: false }),
  (model) => model.stop(),
);
const RUN_ID = 'baton-warm-mismatch';

async function scene(taskId: string, settleMs?: number) {
  const cwd = path.join(root, taskId, 'cwd');
  const configDir = path.join(root, taskId, 'config');
  await mkdir(cwd, { recursive: true });
  await mkdir(configDir, { recursive: true });
  const deps: WarmPoolDeps = {
    artifactsDir: path.join(root, 'artifacts'),
    policy: testPolicy({}),
    claudeBin: CLAUDE_BIN,
    env: claudeEnv(fake, configDir),
    killGraceMs: 2000,
    // One claude process per conversation in /proc (a PID namespace's first process would carry the argv too).
    usePidNamespace: false,
    remoteStore: false,
    agentTools: false,
  };
  const pool = new WarmPool(deps, {
    max: 4,
    slots: 16,
    memoryReserveBytes: 0,
    deferMs: 60_000,
    ...(settleMs === undefined ? {} : { settleMs }),
    warn: () => undefined,
  });
  const sessionId = crypto.randomUUID();
  const spec: WarmAgentSpec = {
    runId: RUN_ID,
    taskId,
    generation: 1,
    task: { permissionMode: 'default' },
    cwd,
    sessionId,
    dependencies: [],
  };
  return { cwd, deps, pool, sessionId, spec };
}

/** The warm claude's pid, once it runs. */
async function warmPid(sessionId: string): Promise<number> {
  for (let i = 0; i < 300; i++) {
    const pids = await pidsWith(sessionId);
    if (pids.length === 1) return pids[0]!;
    assert.ok(pids.length === 0, `one claude per conversation, found ${pids.length}`);
    await sleep(20);
  }
  throw new Error('the warm claude did not start within 6 s');
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

void describe('a warm agent that does not fit its attempt', () => {
  void it('claimed for another generation: stopped, and gone, when claim returns', async () => {
    const { pool, sessionId, spec } = await scene('other-generation');
    pool.warm(spec);
    const pid = await warmPid(sessionId);
    const agent = await pool.claim({ runId: RUN_ID, taskId: spec.taskId, generation: 2 }, sessionId);
    assert.equal(agent, undefined);
    assert.equal(alive(pid), false, 'the warm claude has exited (and was reaped) before claim returned');
    assert.equal(pool.size, 0);
    await pool.close();
  });

  void it('adopted with another command line: stopped, and gone, when adopt returns null', async () => {
    const { cwd, deps, pool, sessionId, spec } = await scene('other-launch');
    pool.warm(spec);
    const pid = await warmPid(sessionId);
    const agent = await pool.claim({ runId: RUN_ID, taskId: spec.taskId, generation: 1 }, sessionId);
    assert.ok(agent, 'the warm claude of this generation and conversation is handed over');
    const dir = path.join(root, 'other-launch');
    const other = await claudeLaunch(
      deps,
      {
        command: { task: { permissionMode: 'default', model: 'claude-other' }, session: { kind: 'new', sessionId } },
        cwd,
        transcriptFile: path.join(dir, 'transcript.jsonl'),
        stderrFile: path.join(dir, 'stderr.log'),
      },
      null,
      true,
    );
    assert.equal(await agent.adopt(other), null);
    assert.equal(alive(pid), false, 'the warm claude has exited (and was reaped) before adopt returned');
    await agent.discard();
    await pool.close();
  });

  void it("runAgent with a warm claude of another model: the task's own claude answers, never beside the warm one", async () => {
    const { cwd, deps, pool, sessionId, spec } = await scene('run-other-model');
    // Warmed for a model the task does not ask for: runAgent's launch differs.
    pool.warm({ ...spec, task: { permissionMode: 'default', model: 'claude-warmed-for-another' } });
    const warm = await warmPid(sessionId);
    const seen: number[][] = [];
    let watching = true;
    const watch = (async () => {
      while (watching) {
        seen.push(await pidsWith(sessionId));
        await sleep(2);
      }
    })();
    const input: RunAgentInput = {
      runId: RUN_ID,
      goal: 'Prove the mismatch path',
      task: effectiveTask({}, TaskSchema.parse({ id: spec.taskId, prompt: 'Say done.' })),
      generation: 1,
      cwd,
      dependencies: [],
      guidance: [],
      sessionId,
    };
    const { runAgent } = createActivities({ ...deps, warmAgents: pool });
    const env = new MockActivityEnvironment({ attempt: 1 }, { logger: new DefaultLogger('ERROR') });
    const result = (await env.run(runAgent, input).finally(() => (watching = false))) as RunAgentResult;
    await watch;
    await pool.close();
    assert.equal(result.sessionId, sessionId);
    const requests = fake.requestsFor(spec.taskId);
    assert.equal(requests.length, 1, 'one model request, from the claude the attempt started');
    assert.equal(requests[0]!.model.includes('claude-warmed-for-another'), false, 'not from the warm claude');
    assert.ok(
      seen.every((pids) => pids.length <= 1),
      `two claudes of one conversation at once: ${JSON.stringify(seen.filter((p) => p.length > 1))}`,
    );
    const own = new Set(seen.flat().filter((pid) => pid !== warm));
    assert.equal(own.size, 1, `the attempt started one claude of its own (seen: ${JSON.stringify([...own])})`);
    assert.equal(alive(warm), false);
  });
});

void describe('a warm start while attempts start on the worker', () => {
  void it('waits until they are under way; claimed meanwhile, it never starts', async () => {
    const { pool, sessionId, spec } = await scene('deferred');
    const done = pool.starting();
    pool.warm(spec);
    await sleep(500);
    assert.deepEqual(await pidsWith(sessionId), [], 'no claude started while an attempt starts');
    done();
    done(); // idempotent: the count does not go below zero
    await warmPid(sessionId);
    await pool.close();

    const other = await scene('deferred-claimed');
    const busy = other.pool.starting();
    other.pool.warm(other.spec);
    const ids = { runId: RUN_ID, taskId: other.spec.taskId, generation: 1 };
    assert.equal(
      await other.pool.claim(ids, other.sessionId),
      undefined,
      'not spawned yet: the attempt starts its own',
    );
    busy();
    await sleep(500);
    assert.deepEqual(await pidsWith(other.sessionId), [], 'the abandoned warm start never spawns');
    assert.equal(other.pool.size, 0);
    await other.pool.close();
  });
});

void describe('a warm start and its dependencies', () => {
  const dependency = { id: 'dep', generation: 1, skipped: false };
  const second = { id: 'dep-2', generation: 1, skipped: false };
  const finished = { id: 'dep-done', generation: 1, skipped: false, artifactPath: 'results/dep-done.md' };

  void it('goes on once its running dependencies have begun their attempts here, not its whole settle period', async () => {
    // Settle periods of a minute: a claude within seconds is one that did not wait for it.
    const { pool, sessionId, spec } = await scene('settle-begun', 60_000);
    pool.warm({ ...spec, dependencies: [dependency, second, finished] });
    pool.starting({ runId: RUN_ID, taskId: 'not-a-dependency' })();
    pool.starting({ runId: 'another-run', taskId: dependency.id })();
    pool.starting({ runId: RUN_ID, taskId: dependency.id })();
    await sleep(400);
    assert.deepEqual(await pidsWith(sessionId), [], 'no claude while one of its running dependencies has not begun');
    const done = pool.starting({ runId: RUN_ID, taskId: second.id });
    await sleep(400);
    assert.deepEqual(await pidsWith(sessionId), [], "none while the last dependency's attempt starts either");
    done();
    await warmPid(sessionId);
    await pool.close();

    // The dependency's activity may reach the worker before the word to warm its dependent does.
    const early = await scene('settle-begun-before', 60_000);
    early.pool.starting({ runId: RUN_ID, taskId: dependency.id })();
    early.pool.warm({ ...early.spec, dependencies: [dependency] });
    await warmPid(early.sessionId);
    await early.pool.close();
  });
});
