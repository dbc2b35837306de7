// The Temporal floor's worker (temporal-floor.ts) in a process of its own, as baton's bench worker is, so that its
// CPU is its own and the bench's process stays as small as it spawns the lower bound's agents from. Started with its
// settings as one JSON argument; prints "ready" once the worker is created, shuts down on SIGTERM, and exits when
// the bench's end of stdin closes.
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { FloorActivities } from './temporal-floor-workflow.js';
import { serveUntilStopped } from './serve-worker.js';

export interface FloorProcessSettings {
  address: string;
  taskQueue: string;
  /** The stub's log (BENCH_STUB_LOG), where the stand-in agents write their start and end. */
  log: string;
  /** How long each task's stand-in agent takes, ms (its prompt's `sleep-ms:`). */
  sleepMs: Record<string, number>;
  maxConcurrentActivities: number;
  /** The workflow bundle, made by the first floor worker of the bench and read by the others. */
  bundleFile: string;
}

const WORKFLOWS = fileURLToPath(new URL('./temporal-floor-workflow.js', import.meta.url));

async function workflowCode(file: string): Promise<string> {
  if (existsSync(file)) return readFileSync(file, 'utf8');
  const quiet = { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} };
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS, logger: quiet });
  writeFileSync(file, code);
  return code;
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2] ?? '{}') as FloorProcessSettings;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const code = await workflowCode(settings.bundleFile);
  const connection = await NativeConnection.connect({ address: settings.address });
  const activities: FloorActivities = {
    // As the stub logs: "start|end <task> <epoch ms> <pid> <span>", the time its prompt asks for in between.
    floorAgent: async (id) => {
      const span = randomBytes(8).toString('hex');
      const record = (kind: string) =>
        appendFileSync(
          settings.log,
          `${kind} ${id} ${(performance.timeOrigin + performance.now()).toFixed(3)} ${process.pid} ${span}\n`,
        );
      record('start');
      const ms = settings.sleepMs[id] ?? 0;
      if (ms > 0) await sleep(ms);
      record('end');
      return `floor: task ${id} done`;
    },
  };
  const worker = await Worker.create({
    connection,
    taskQueue: settings.taskQueue,
    workflowBundle: { code },
    activities,
    maxConcurrentActivityTaskExecutions: settings.maxConcurrentActivities,
  });
  await serveUntilStopped(worker, connection);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
