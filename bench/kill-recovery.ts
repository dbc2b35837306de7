// Target 5: SIGKILL the worker while an agent runs, start a new worker at once, and measure until the
// interrupted task's agent starts again (Temporal notices the dead attempt by its heartbeat timeout,
// then retries it on the new worker).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { finalStatus, startRun } from '../src/client/runs.js';
import { DEFAULT_HEARTBEAT_TIMEOUT } from '../src/workflows/proxies.js';
import { durationMs, PlanSchema } from '../src/plan/schema.js';
import { median } from './stats.js';
import type { Stub } from './stub.js';
import { readStubLog, type AgentSpan } from './stub-log.js';
import { startWorker } from './worker-handle.js';

export interface KillRecovery {
  shape: string;
  heartbeatTimeoutMs: number;
  /** Heartbeat timeout + 2 s: the target. */
  limitMs: number;
  /** SIGKILL → the interrupted task's agent started again on the new worker. */
  recoveryMs: { all: number[]; median: number | null; max: number | null };
  /** The hop after that: the resumed task's end → its dependent's start (the workflow moves to the new worker). */
  nextHopMs: { all: number[]; median: number | null };
  /** Whether the agent of the killed worker ran on to its end (it was not killed with its worker). */
  orphanSurvived: boolean[];
}

const AGENT_MS = 3000;
const KILL_AFTER_MS = 500;

const plan = PlanSchema.parse({
  version: 1,
  name: 'bench-kill',
  maxParallel: 1,
  defaults: { timeout: '5m', retries: 2 },
  tasks: [
    { id: 'k0', prompt: 'sleep-ms: 0' },
    { id: 'k1', prompt: `sleep-ms: ${AGENT_MS}`, dependsOn: ['k0'] },
    { id: 'k2', prompt: 'sleep-ms: 0', dependsOn: ['k1'] },
  ],
});

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`kill-recovery: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function measureKillRecovery(
  ctx: { client: Client; address: string; stub: Stub },
  runs: number,
): Promise<KillRecovery> {
  const heartbeatTimeoutMs = durationMs(DEFAULT_HEARTBEAT_TIMEOUT);
  const recovery: number[] = [];
  const nextHop: number[] = [];
  const orphanSurvived: boolean[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(path.join(tmpdir(), 'baton-bench-kill-'));
    const cwd = path.join(dir, 'cwd');
    mkdirSync(cwd);
    const log = path.join(dir, 'stub.log');
    const taskQueue = `bench-kill-${Date.now().toString(36)}-${i}`;
    const settings = {
      address: ctx.address,
      taskQueue,
      claudeBin: ctx.stub.bin,
      artifactsDir: path.join(dir, 'artifacts'),
      env: { BENCH_STUB_LOG: log },
      maxConcurrentAgents: 4,
    };
    const spansOf = (id: string): AgentSpan[] => readStubLog(log).get(id) ?? [];
    let worker = await startWorker(settings);
    try {
      const handle = await startRun(ctx.client, { plan, taskQueue, workflowId: taskQueue, options: { cwd } });
      await until('k1 to start', () => spansOf('k1')[0]);
      await new Promise((r) => setTimeout(r, KILL_AFTER_MS));
      const killedAt = Date.now();
      await worker.kill();
      worker = await startWorker(settings);
      const resumed = await until('k1 to start again', () => spansOf('k1')[1], 120_000);
      recovery.push(resumed.start - killedAt);
      const final = await finalStatus(handle);
      if (final?.phase !== 'completed') throw new Error(`kill-recovery run ended ${final?.phase}`);
      const k1 = spansOf('k1');
      const k2 = spansOf('k2');
      const k1End = k1[k1.length - 1]?.end;
      if (k1End && k2[0]) nextHop.push(k2[0].start - k1End);
      orphanSurvived.push(k1[0]?.end !== null && k1[0]?.end !== undefined);
      process.stderr.write(
        `  kill-recovery run ${i + 1}/${runs}: resumed ${((resumed.start - killedAt) / 1000).toFixed(2)} s after SIGKILL\n`,
      );
    } finally {
      await worker.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return {
    shape: `k0 (0 ms) → k1 (${AGENT_MS} ms) → k2 (0 ms); SIGKILL ${KILL_AFTER_MS} ms into k1, new worker started at once`,
    heartbeatTimeoutMs,
    limitMs: heartbeatTimeoutMs + 2000,
    recoveryMs: { all: recovery, median: median(recovery), max: recovery.length ? Math.max(...recovery) : null },
    nextHopMs: { all: nextHop, median: median(nextHop) },
    orphanSurvived,
  };
}
