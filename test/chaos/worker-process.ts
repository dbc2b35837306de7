// A baton worker in a process of its own, for the chaos tests to kill: what `baton worker` runs (the
// worker, its shutdown handling), configured by arguments. claude inherits this process's environment
// (ANTHROPIC_BASE_URL of the scripted model, CLAUDE_CONFIG_DIR). With BATON_ARTIFACTS=s3://… in its environment,
// it keeps artifacts and conversations in that store, as `baton worker` does. Prints "ready" once it polls.
//   node dist/test/chaos/worker-process.js --address A --task-queue Q --artifacts DIR --claude BIN [--grace 30s]
//     [--sync-ms N]
import { parseArgs } from 'node:util';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { loadArtifactsConfig } from '../../src/config/artifacts.js';
import { S3ArtifactStore } from '../../src/artifacts/s3-store.js';
import { durationMs } from '../../src/plan/schema.js';
import { handleShutdownSignals } from '../../src/workers/shutdown.js';
import { createBatonWorker, DEFAULT_SHUTDOWN_GRACE } from '../../src/workers/worker.js';
import { testPolicy } from '../helpers/policy.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      address: { type: 'string' },
      'task-queue': { type: 'string' },
      artifacts: { type: 'string' },
      claude: { type: 'string' },
      grace: { type: 'string' },
      'sync-ms': { type: 'string' },
    },
    strict: true,
  });
  const { address, artifacts, claude } = values;
  const taskQueue = values['task-queue'];
  if (!address || !taskQueue || !artifacts || !claude)
    throw new Error('--address, --task-queue, --artifacts and --claude are required');
  const grace = values.grace ?? DEFAULT_SHUTDOWN_GRACE;
  // As the CLI does: the Runtime keeps its default shutdown signals.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const artifactsConfig = loadArtifactsConfig(process.env);
  const store = artifactsConfig.kind === 's3' ? new S3ArtifactStore(artifactsConfig) : undefined;
  const syncMs = values['sync-ms'] === undefined ? undefined : Number(values['sync-ms']);
  const connection = await NativeConnection.connect({ address });
  const worker = await createBatonWorker({
    connection,
    namespace: 'default',
    taskQueue,
    activities: {
      artifactsDir: artifacts,
      store,
      claudeBin: claude,
      killGraceMs: 500,
      conversationSyncMs: syncMs,
      policy: testPolicy(),
    },
    shutdownGraceTime: grace,
  });
  const note = (line: string) => process.stderr.write(`${line}\n`);
  const stop = handleShutdownSignals({ worker, graceMs: durationMs(grace), note });
  const running = worker.run();
  process.stdout.write('ready\n');
  try {
    await running;
  } finally {
    stop();
  }
  await connection.close();
  process.stdout.write('stopped\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`worker process: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
