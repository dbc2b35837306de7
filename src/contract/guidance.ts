// How a person's guidance reaches a running agent (DESIGN §11): the workflow keeps the notes a running agent may
// still be told in the run's memo, one key per task (`guidance:<task id>`); the agent activity reads them with
// `describe` — answered by the Temporal server, so a poll costs the run's workflow worker nothing — writes them
// to claude's stdin, and says which reached the model (the `guidanceDelivered` signal), which takes them out.
import type { SignalDefinition } from '@temporalio/common';

/** The memo key of a task's waiting notes. */
export const guidanceMemoKey = (taskId: string): string => `guidance:${taskId}`;

/** A task's memo entry: the notes its running agent (of `generation`) has not yet been told. */
export interface GuidanceMemo {
  generation: number;
  notes: PendingNote[];
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

export const guidanceDeliveredSignal = { type: 'signal', name: 'guidanceDelivered' } as SignalDefinition<
  [GuidanceDeliveredInput]
>;
