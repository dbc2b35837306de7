// The Temporal floor: the same plan run by the least a Temporal workflow can do, on the same fresh dev server — a
// workflow that only orders the tasks (temporal-floor-workflow.ts) and an activity that stands in for the agent
// without a process (it logs its start and end as the stub does and sleeps the time the task's prompt asks for),
// in a worker process of its own with the SDK's defaults (temporal-floor-process.ts). Its hop is what Temporal (its
// server and the TypeScript SDK) costs on this machine before any agent starts; the lower bound's hop is what
// starting the agent costs. Their sum is the least an executor built on Temporal can reach here
// (docs/BENCHMARKS.md).
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import type { Plan } from '../src/plan/schema.js';
import type { FloorProcessSettings } from './temporal-floor-process.js';
import { cpuSeconds } from './worker-handle.js';

const ENTRY = fileURLToPath(new URL('./temporal-floor-process.js', import.meta.url));
/** One bundle of the floor's workflow for the whole bench (made by its first floor worker). */
const BUNDLE_FILE = path.join(tmpdir(), `baton-bench-floor-${process.pid}.js`);
process.once('exit', () => rmSync(BUNDLE_FILE, { force: true }));

export interface FloorRun {
  makespanMs: number;
  /** CPU seconds over the run: the floor's worker process and the dev server. */
  cpu: { workerS: number | null; serverS: number | null };
}

export async function runOnTemporalFloor(
  ctx: { client: Client; serverPid?: number; address: string },
  plan: Plan,
  log: string,
  label: string,
): Promise<FloorRun> {
  const settings: FloorProcessSettings = {
    address: ctx.address,
    taskQueue: `floor-${label}`,
    log,
    sleepMs: Object.fromEntries(
      plan.tasks.map((t) => [t.id, Number(/^sleep-ms: (\d+)/m.exec(t.prompt ?? '')?.[1] ?? 0)]),
    ),
    maxConcurrentActivities: Math.max(plan.maxParallel, 16),
    bundleFile: BUNDLE_FILE,
  };
  const child = spawn(process.execPath, [ENTRY, JSON.stringify(settings)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('ready\n')) resolve();
      });
      child.once('exit', (code) =>
        reject(new Error(`the floor's worker exited with code ${code} before it was ready`)),
      );
    });
    const tasks = plan.tasks.map((t) => ({ id: t.id, dependsOn: t.dependsOn }));
    const workerBefore = cpuSeconds(child.pid!);
    const serverBefore = ctx.serverPid ? cpuSeconds(ctx.serverPid) : null;
    const started = performance.now();
    await ctx.client.workflow.execute('temporalFloor', {
      taskQueue: settings.taskQueue,
      workflowId: `floor-${label}`,
      args: [tasks, plan.maxParallel],
    });
    const makespanMs = performance.now() - started;
    const workerAfter = cpuSeconds(child.pid!);
    const serverAfter = ctx.serverPid ? cpuSeconds(ctx.serverPid) : null;
    return {
      makespanMs,
      cpu: {
        workerS: workerBefore !== null && workerAfter !== null ? workerAfter - workerBefore : null,
        serverS: serverBefore !== null && serverAfter !== null ? serverAfter - serverBefore : null,
      },
    };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}
