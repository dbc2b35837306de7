// How a bench worker process (worker-process.ts, temporal-floor-process.ts) serves: "ready" on stdout once its worker
// runs, a shutdown on SIGTERM, an exit when the bench's end of stdin closes (the bench died).
import type { NativeConnection, Worker } from '@temporalio/worker';

export async function serveUntilStopped(worker: Worker, connection: NativeConnection): Promise<never> {
  process.once('SIGTERM', () => worker.shutdown());
  process.stdin.on('end', () => process.exit(1)).resume();
  const running = worker.run();
  process.stdout.write('ready\n');
  await running;
  await connection.close();
  // Exit, not wait for the bench's stdin to end: a --cpu-prof profile is written at a normal exit only.
  process.exit(0);
}
