// The agent activity's side of live guidance (contract/guidance.ts): it reads the task's waiting notes from its
// run's memo, and tells the run which reached the model. Through the worker's own client, so it reaches the run
// wherever its workflow is served, with the worker's data converter.
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { guidanceDeliveredSignal, guidanceMemoKey, type PendingNote } from '../contract/guidance.js';
import type { LiveChannel } from './live-input.js';

/** How often a running agent's run is read for guidance (default): the upper bound of a note's wait to be written. */
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
    pending: async () => notesOf((await run.describe()).memo?.[guidanceMemoKey(task.taskId)], task.generation),
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

/** The notes of a memo entry for this agent's generation (a person's retry starts another: not for this one). */
export function notesOf(entry: unknown, generation: number): PendingNote[] {
  if (typeof entry !== 'object' || entry === null) return [];
  const { generation: of, notes } = entry as { generation?: unknown; notes?: unknown };
  if (of !== generation || !Array.isArray(notes)) return [];
  return notes.filter(
    (note): note is PendingNote =>
      typeof (note as PendingNote | null)?.seq === 'number' && typeof (note as PendingNote).message === 'string',
  );
}
