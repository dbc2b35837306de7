// What the runs of one tree of plans (DESIGN.md §10) tell each other: a child run reports itself to its parent run
// (its tasks, what it waits on, its cost, and at last how it ended); a parent that continues as new tells its
// running children first (./guard.ts). Signals, not interventions: no person sends them.
import { defineSignal } from '@temporalio/workflow';
import type { Phase, TaskView } from '../status.js';

export interface ChildReport {
  /** The child's workflow id: a report of an earlier run of the task (before a retry) is dropped. */
  runId: string;
  /** The parent's task the child does. */
  taskId: string;
  /** 1, 2, …: a report older than one applied is dropped. */
  seq: number;
  phase: Phase;
  /** While its planner's plan waits on a person. */
  planWaiting?: 'approval' | 'fix';
  costUsd: number;
  /** Views of the child's tasks and its descendants', with path ids from the root run: those changed since the last report. */
  tasks: TaskView[];
  /** Everything the child and its descendants wait on a person for, worded from the root run. */
  waitingOn: string[];
  /** The last report: how the child ended. */
  end?: ChildEnd;
}

export interface ChildEnd {
  outcome: 'completed' | 'failed' | 'cancelled';
  /** A completed child's result: the results of its tasks that nothing in it depends on. */
  synthesis: string;
  /** Why it did not complete. */
  message: string | null;
  /** What it spent in all, when its last report did not say (its workflow ended without one). */
  costUsd?: number;
}

export interface ParentContinued {
  /** The parent's run (execution) that continues as new: its close cancels the children it started. */
  runId: string;
}

export const childReportSignal = defineSignal<[ChildReport]>('childReport');
export const parentContinuedSignal = defineSignal<[ParentContinued]>('parentContinued');
