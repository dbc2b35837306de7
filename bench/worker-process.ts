// A baton worker in a process of its own, so the bench can read its peak RSS (/proc/<pid>/status VmHWM)
// and SIGKILL it. Started by worker-handle.ts with its settings as one JSON argument; prints "ready"
// once the worker is created, shuts down on SIGTERM, and exits when the bench's end of stdin closes.
import { appendFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createBatonWorker } from '../src/workers/worker.js';
import { loadConfig } from '../src/config/index.js';
import { serveUntilStopped } from './serve-worker.js';

export interface WorkerProcessSettings {
  address: string;
  taskQueue: string;
  claudeBin: string;
  artifactsDir: string;
  env: Record<string, string>;
  maxConcurrentAgents: number;
  /** Claudes started ahead at most at once (the worker's default when absent). */
  warmAgents?: number;
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2] ?? '{}') as WorkerProcessSettings;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const connection = await NativeConnection.connect({ address: settings.address });
  const worker = await createBatonWorker({
    connection,
    namespace: 'default',
    taskQueue: settings.taskQueue,
    activities: {
      artifactsDir: settings.artifactsDir,
      claudeBin: settings.claudeBin,
      env: settings.env,
      // The bench's plans work in temporary folders.
      policy: { allowBypassPermissions: false, workspaceRoots: [realpathSync(tmpdir())], agentEnv: [] },
    },
    maxConcurrentAgents: settings.maxConcurrentAgents,
    ...(settings.warmAgents === undefined ? {} : { warmAgents: settings.warmAgents }),
    // BATON_WORKER_MEMORY=large in the bench's environment: the worker's heap sized by V8 (README, the worker).
    memory: loadConfig(process.env, process.cwd()).workerMemory,
    shutdownGraceTime: '2s',
  });
  // BENCH_WORKER_MEMORY_LOG=<file>: the worker's memory every second, to see where its peak RSS goes.
  const memoryLog = process.env.BENCH_WORKER_MEMORY_LOG;
  if (memoryLog) {
    const mb = (n: number) => Math.round(n / 1e6);
    setInterval(() => {
      const m = process.memoryUsage();
      const line = `${Date.now()} rss ${mb(m.rss)} heapTotal ${mb(m.heapTotal)} heapUsed ${mb(m.heapUsed)} external ${mb(m.external)} arrayBuffers ${mb(m.arrayBuffers)}\n`;
      appendFileSync(memoryLog, line);
    }, 1000).unref();
  }
  await serveUntilStopped(worker, connection);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
