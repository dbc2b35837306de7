// Follow a run until it ends, handing each status to a callback.
import type { Client } from '@temporalio/client';
import { getStatus, waitForResult } from '../client/runs.js';
import type { RunStatus } from '../workflows/status.js';

export async function follow(
  client: Client,
  runId: string,
  onStatus: (status: RunStatus) => void,
  intervalMs = 500,
): Promise<RunStatus> {
  const result = waitForResult(client, runId);
  let ended = false;
  result.then(
    () => (ended = true),
    () => (ended = true),
  );
  while (!ended) {
    try {
      onStatus(await getStatus(client, runId));
    } catch {
      // A status read can fail while the run moves on (no worker yet, a restart): try again.
    }
    await Promise.race([result.catch(() => undefined), new Promise((r) => setTimeout(r, intervalMs))]);
  }
  const final = await result;
  onStatus(final);
  return final;
}
