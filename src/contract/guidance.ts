// How a person's guidance reaches a running agent (DESIGN §11): the workflow records each note; the agent activity
// asks for the notes not yet delivered (the `guidance` query, polled while claude works), writes them to claude's
// stdin, and says which reached the model (the `guidanceDelivered` signal). The query adds nothing to history and
// goes to whichever worker holds the run, wherever the agent runs; each delivery is one small signal.
import type { QueryDefinition, SignalDefinition } from '@temporalio/common';

export interface GuidanceQueryInput {
  taskId: string;
  /** The agent's generation: a note waits for the run of the task that asks (a person's retry starts another). */
  generation: number;
}

/** A note not yet delivered; `seq` numbers a task's notes. */
export interface PendingNote {
  seq: number;
  message: string;
}

export interface GuidanceDeliveredInput {
  taskId: string;
  generation: number;
  seqs: number[];
}

export const guidanceQuery = { type: 'query', name: 'guidance' } as QueryDefinition<
  PendingNote[],
  [GuidanceQueryInput]
>;
export const guidanceDeliveredSignal = { type: 'signal', name: 'guidanceDelivered' } as SignalDefinition<
  [GuidanceDeliveredInput]
>;
