// `baton watch <run>`: a live view that redraws every task's state, attempts, time and cost until
// the run ends, and says what it waits on and which command answers it.
import type { Config } from '../../config/index.js';
import { runUrl } from '../../client/connection.js';
import { getStatus } from '../../client/runs.js';
import { isFinalPhase, type RunStatus } from '../../workflows/status.js';
import { dim, statusReport } from '../format.js';
import { openClient } from '../temporal.js';
import { waitingForWorkers } from './status.js';

export interface WatchOptions {
  runId: string;
  intervalMs?: number;
  /** One status JSON per line (NDJSON) each time it changes, instead of the table. */
  json?: boolean;
}

export async function watchCommand(config: Config, options: WatchOptions): Promise<number> {
  const connected = await openClient(config);
  const { client, target, close } = connected;
  const tty = process.stdout.isTTY;
  const interval = options.intervalMs ?? 1000;
  let last = '';
  try {
    for (;;) {
      const status = await getStatus(client, options.runId);
      if (options.json) {
        // NDJSON: a script reads one status per line, each time something other than the clock changed.
        const key = changeKey(status, []);
        if (key !== last) process.stdout.write(`${JSON.stringify(status)}\n`);
        last = key;
      } else {
        const unserved = await waitingForWorkers(connected, status);
        const view = statusReport(status, runUrl(target, status.runId), unserved);
        if (tty) {
          // Clear the screen and draw again: elapsed times move even when no state changes.
          process.stdout.write(
            `\u001b[H\u001b[2J${view}\n\n${dim(`updated ${new Date().toLocaleTimeString()} · Ctrl-C to stop watching (the run goes on)`)}\n`,
          );
        } else {
          // Without a terminal to redraw, print only when something other than the clock changed.
          const key = changeKey(status, unserved);
          if (key !== last) process.stdout.write(`${view}\n\n`);
          last = key;
        }
      }
      if (isFinalPhase(status.phase)) return exitCodeOf(status);
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  } finally {
    await close();
  }
}

/** What a change worth printing is: anything but the clock. */
function changeKey(status: RunStatus, unserved: string[]): string {
  return JSON.stringify([
    status.phase,
    status.waitingOn,
    status.tasks.map((t) => [t.id, t.state, t.attempts]),
    unserved,
  ]);
}

function exitCodeOf(status: RunStatus): number {
  return status.phase === 'completed' ? 0 : 1;
}
