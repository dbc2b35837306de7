// The agent activity's side of live guidance (contract/guidance.ts): it asks its run for the task's notes not yet
// delivered, and tells it which reached the model. Through the worker's own client, so it goes wherever the run's
// workflow is served, with the worker's data converter.
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { guidanceDeliveredSignal, guidanceQuery } from '../contract/guidance.js';
import type { LiveChannel } from './live-input.js';

/** How often a running agent's run is asked for guidance (default): the upper bound of a note's wait to be written. */
export const GUIDANCE_POLL_MS = 1000;

/** The channel of the task's notes; undefined where the activity has no client (a test's mock environment). */
export function guidanceChannel(
  task: { taskId: string; generation: number },
  pollMs = GUIDANCE_POLL_MS,
): LiveChannel | undefined {
  const ctx = Context.current();
  const workflowId = ctx.info.workflowExecution?.workflowId;
  let client: Client;
  try {
    client = ctx.client;
  } catch {
    return undefined;
  }
  if (!workflowId || !client) return undefined;
  const run = client.workflow.getHandle(workflowId);
  return {
    pollMs,
    pending: () => run.query(guidanceQuery, task),
    delivered: (notes) => {
      const seqs = notes.map((note) => note.seq);
      run
        .signal(guidanceDeliveredSignal, { ...task, seqs })
        .catch((err: unknown) =>
          ctx.log.warn(`could not tell the run that guidance ${seqs.join(', ')} was delivered: ${String(err)}`),
        );
    },
  };
}
