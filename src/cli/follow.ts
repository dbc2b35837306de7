// Follow a run until it ends, handing each status to a callback. An outage of Temporal is waited out (issue 18):
// the run lives in Temporal, not in this process, so losing the server for a while is no reason to give it up.
import { isGrpcServiceError, type Client } from '@temporalio/client';
import { getStatus, waitForResult } from '../client/runs.js';
import type { RunStatus } from '../workflows/status.js';

export interface FollowOptions {
  intervalMs?: number;
  /** Told once when Temporal stops answering, and once when it answers again. */
  outage?: { down(err: unknown): void; back(): void };
  /** How long to wait between tries while Temporal is unreachable. */
  retryMs?: number;
}

export async function follow(
  client: Client,
  runId: string,
  onStatus: (status: RunStatus) => void,
  options: FollowOptions = {},
): Promise<RunStatus> {
  const { intervalMs = 500, retryMs = 2000 } = options;
  let down = false;
  let ask: (() => void) | undefined;
  const unreachable = (err: unknown): void => {
    if (!down) options.outage?.down(err);
    down = true;
  };
  const answered = (): void => {
    if (!down) return;
    down = false;
    options.outage?.back();
    // The call waiting for the result may sit in gRPC's back-off for seconds more: ask afresh now.
    ask?.();
  };
  const result = new Promise<RunStatus>((resolve, reject) => {
    let current: AbortController | undefined;
    ask = () => {
      current?.abort();
      const controller = new AbortController();
      current = controller;
      client
        .withAbortSignal(controller.signal, () => waitForResult(client, runId))
        .then(
          (final) => {
            answered();
            resolve(final);
          },
          (err: unknown) => {
            if (controller.signal.aborted) return; // replaced by a newer call
            if (!isTemporalUnreachable(err)) return reject(err as Error);
            unreachable(err);
            setTimeout(() => current === controller && ask?.(), retryMs);
          },
        );
    };
    ask();
  });
  let ended = false;
  result.then(
    () => (ended = true),
    () => (ended = true),
  );
  while (!ended) {
    try {
      onStatus(await getStatus(client, runId));
      answered();
    } catch (err) {
      // A status read can fail while the run moves on (no worker yet, a restart): try again.
      if (isTemporalUnreachable(err)) unreachable(err);
    }
    await Promise.race([result.catch(() => undefined), new Promise((r) => setTimeout(r, intervalMs))]);
  }
  const final = await result;
  onStatus(final);
  return final;
}

/** gRPC codes of a server that does not answer (down, restarting, a network between). */
const UNREACHABLE_CODES = new Set([
  14, // UNAVAILABLE
  4, // DEADLINE_EXCEEDED
]);

/** Whether `err` says Temporal could not be reached, rather than that it answered no. */
export function isTemporalUnreachable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (isGrpcServiceError(e)) return UNREACHABLE_CODES.has(e.code);
  }
  return false;
}
