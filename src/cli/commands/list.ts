// `baton list [--waiting]`: the runs in this namespace, each with its phase and what it waits on a person for.
import type { Config } from '../../config/index.js';
import { listQuery, listRuns } from '../../client/list-runs.js';
import { listUrl } from '../../client/target.js';
import { phaseLabel, printable, table } from '../format.js';
import { note, openClient } from '../temporal.js';

export async function listCommand(config: Config, options: { waiting?: boolean; json?: boolean }): Promise<number> {
  const { client, target, close } = await openClient(config);
  try {
    const runs = await listRuns(client, { waiting: options.waiting });
    if (options.json) {
      process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
      return 0;
    }
    if (runs.length === 0) {
      process.stdout.write(options.waiting ? 'No run waits on a person.\n' : 'No runs yet.\n');
    } else {
      const rows = runs.map((r) => [
        // Any workflow id may be a run's: one with control characters must not reach the terminal raw.
        printable(r.runId),
        phaseLabel(r.phase),
        waitingSummary(r.waitingOn),
        r.startedAt,
        r.endedAt ?? '',
      ]);
      process.stdout.write(`${table(['RUN', 'PHASE', 'WAITING ON YOU', 'STARTED', 'ENDED'], rows)}\n`);
    }
    // The same list in the Web UI: its filter is the query baton asks (BatonWaiting marks runs that wait on a person).
    const url = listUrl(target, listQuery(options.waiting));
    if (url) note(`Web UI: ${url}`);
    return 0;
  } finally {
    await close();
  }
}

/** The first thing a run waits on, without its command (`baton status <run>` shows all), and how many more. */
function waitingSummary(waitingOn: string[]): string {
  const first = waitingOn[0];
  if (first === undefined) return '';
  const more = waitingOn.length > 1 ? ` (+${waitingOn.length - 1})` : '';
  return printable(`${first.split(' — ')[0]}${more}`);
}
