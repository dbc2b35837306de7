// The Temporal floor: the same plan run by the least a Temporal workflow can do, on the same fresh dev server — a
// workflow that only orders the tasks (temporal-floor-workflow.ts) and an activity that stands in for the agent
// without a process (it logs its start and end as the stub does and sleeps the time the task's prompt asks for),
// in a worker process of its own with the SDK's defaults (temporal-floor-process.ts). Its hop is what Temporal (its
// server and the TypeScript SDK) costs on this machine before any agent starts; the lower bound's hop is what
// starting the agent costs. Their sum is the least an executor built on Temporal can reach here
// (docs/BENCHMARKS.md).
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@temporalio/client';
import type { Plan } from '../src/plan/schema.js';
import { StalledRunError, watchForStall } from './baton-run.js';
import type { FloorProcessSettings } from './temporal-floor-process.js';
import { cpuFromNow, cpuSeconds, startWorkerProcess } from './worker-handle.js';

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
  sleepMs: (taskId: string) => number,
  log: string,
  label: string,
): Promise<FloorRun> {
  const settings: FloorProcessSettings = {
    address: ctx.address,
    taskQueue: `floor-${label}`,
    log,
    sleepMs: Object.fromEntries(plan.tasks.map((t) => [t.id, sleepMs(t.id)])),
    maxConcurrentActivities: Math.max(plan.maxParallel, 16),
    bundleFile: BUNDLE_FILE,
  };
  const worker = await startWorkerProcess(ENTRY, settings);
  try {
    const tasks = plan.tasks.map((t) => ({ id: t.id, dependsOn: t.dependsOn }));
    const workerCpu = cpuFromNow(() => worker.cpuSeconds());
    const serverCpu = cpuFromNow(() => (ctx.serverPid ? cpuSeconds(ctx.serverPid) : null));
    // The SDK's default data converter on both sides, as the floor's worker has it: baton's client compresses a
    // large input (scale-5000's plan), which the floor's worker could not read.
    const client = new Client({ connection: ctx.client.connection, namespace: ctx.client.options.namespace });
    const started = performance.now();
    const handle = await client.workflow.start('temporalFloor', {
      taskQueue: settings.taskQueue,
      workflowId: `floor-${label}`,
      args: [tasks, plan.maxParallel],
    });
    const result = handle.result();
    // As a baton run is: a floor that stops making progress fails the run instead of holding the bench forever.
    const stalled = watchForStall(client, handle.workflowId, log, result);
    const outcome = await Promise.race([result.then(() => null), stalled]);
    if (outcome !== null) throw new StalledRunError(`Temporal floor: ${outcome}`);
    const makespanMs = performance.now() - started;
    return { makespanMs, cpu: { workerS: workerCpu(), serverS: serverCpu() } };
  } finally {
    await worker.stop();
  }
}
