// A run's status and its task views as the workflow reports them, for unit tests of what reads them (the CLI's
// tables, the snapshot, the server's pending activities): every field at its empty value unless a test sets it.
import type { RunStatus, TaskView } from '../../src/workflows/status.js';

export function taskView(id: string, more: Partial<TaskView> = {}): TaskView {
  return {
    id,
    title: id,
    state: 'succeeded',
    attempts: 1,
    startedAt: null,
    endedAt: null,
    costUsd: 0,
    summary: null,
    artifactPath: null,
    error: null,
    errorType: null,
    errorKind: null,
    verification: null,
    sessionId: null,
    dependsOn: [],
    taskQueue: null,
    guidance: [],
    question: null,
    ...more,
  };
}

export function runStatus(tasks: TaskView[], more: Partial<RunStatus> = {}): RunStatus {
  return {
    runId: 'baton-x-1',
    name: 'x',
    goal: null,
    phase: 'running',
    waitingOn: [],
    costUsd: 0,
    budgetUsd: null,
    startedAt: '2026-12-05T00:00:00.000Z',
    updatedAt: '2026-12-05T00:00:00.000Z',
    endedAt: null,
    reason: null,
    taskCount: tasks.length,
    tasks,
    refusals: [],
    notes: [],
    noteCount: 0,
    ...more,
  };
}
