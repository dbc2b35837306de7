// `baton list [--waiting]`: the runs in this namespace.
import type { Config } from '../../config/index.js';
import { listRuns } from '../../client/runs.js';
import { printable, table } from '../format.js';
import { openClient } from '../temporal.js';

export async function listCommand(config: Config, options: { waiting?: boolean; json?: boolean }): Promise<number> {
  const { client, close } = await openClient(config);
  try {
    const runs = await listRuns(client, { waiting: options.waiting });
    if (options.json) {
      process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
    } else if (runs.length === 0) {
      process.stdout.write(options.waiting ? 'No run waits on a person.\n' : 'No runs yet.\n');
    } else {
      const rows = runs.map((r) => [
        // Any workflow id may be a run's: one with control characters must not reach the terminal raw.
        printable(r.runId),
        r.status.toLowerCase(),
        r.startTime.toISOString(),
        r.closeTime?.toISOString() ?? '',
      ]);
      process.stdout.write(`${table(['RUN', 'STATUS', 'STARTED', 'ENDED'], rows)}\n`);
    }
    return 0;
  } finally {
    await close();
  }
}
