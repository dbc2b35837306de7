// What the server recorded of a bench run: the history of every run of the continue-as-new chain, and for a plan of
// sub-plans (DESIGN.md §10) every child run's too — Temporal's limits hold per workflow run, so the largest counts.
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { RunStatus } from '../src/workflows/status.js';

export interface HistoryFacts {
  /** Workflow runs in the continue-as-new chain (1: it never continued as new). */
  runs: number;
  events: number;
  maxEventsPerRun: number;
  maxBytesPerRun: number;
  /** Largest input payload of a run (the plan, or the state carried over continue-as-new). */
  maxInputBytes: number;
  /** The root run's chain; the figures above are the root's (the largest input: of every workflow measured). */
  runIds: string[];
  /** Workflows measured: the root and, for a plan of sub-plans, every child run of every level. */
  workflows: number;
  /** Over all of them: events (summed), and the largest run's events and bytes, and its workflow id. */
  tree: { events: number; maxEventsPerRun: number; maxBytesPerRun: number; largestWorkflowId: string };
  /** By level of plans (1: the root run; 2: its tasks' sub-plans; …): workflows, the largest run's events and bytes. */
  levels: LevelFacts[];
}

export interface LevelFacts {
  level: number;
  workflows: number;
  maxEventsPerRun: number;
  maxBytesPerRun: number;
}

function addToLevel(levels: LevelFacts[], level: number, run: { maxEventsPerRun: number; maxBytesPerRun: number }) {
  let entry = levels.find((l) => l.level === level);
  if (!entry) {
    entry = { level, workflows: 0, maxEventsPerRun: 0, maxBytesPerRun: 0 };
    levels.push(entry);
    levels.sort((a, b) => a.level - b.level);
  }
  entry.workflows++;
  entry.maxEventsPerRun = Math.max(entry.maxEventsPerRun, run.maxEventsPerRun);
  entry.maxBytesPerRun = Math.max(entry.maxBytesPerRun, run.maxBytesPerRun);
}

/** Walk the continue-as-new chain from the first run: events, sizes and input payloads of each run. */
export async function historyFacts(
  client: Client,
  workflowId: string,
  firstRunId: string,
): Promise<Omit<HistoryFacts, 'workflows' | 'tree' | 'levels'>> {
  const facts: Omit<HistoryFacts, 'workflows' | 'tree' | 'levels'> = {
    runs: 0,
    events: 0,
    maxEventsPerRun: 0,
    maxBytesPerRun: 0,
    maxInputBytes: 0,
    runIds: [],
  };
  const namespace = client.options.namespace;
  let runId: string | undefined = firstRunId;
  while (runId) {
    const description = await client.workflow.getHandle(workflowId, runId).describe();
    facts.runs++;
    facts.runIds.push(runId);
    facts.events += description.historyLength;
    facts.maxEventsPerRun = Math.max(facts.maxEventsPerRun, description.historyLength);
    facts.maxBytesPerRun = Math.max(facts.maxBytesPerRun, description.historySize ?? 0);
    const execution: { workflowId: string; runId: string } = { workflowId, runId };
    const first = await client.workflowService.getWorkflowExecutionHistory({
      namespace,
      execution,
      maximumPageSize: 1,
    });
    const input = first.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
    const inputBytes = input.reduce((sum, p) => sum + (p.data?.length ?? 0), 0);
    facts.maxInputBytes = Math.max(facts.maxInputBytes, inputBytes);
    const lastPage: temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryReverseResponse =
      await client.workflowService.getWorkflowExecutionHistoryReverse({
        namespace,
        execution,
        maximumPageSize: 1,
      });
    const closing: temporal.api.history.v1.IHistoryEvent | undefined = lastPage.history?.events?.[0];
    runId = closing?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return facts;
}

/** The root's chain, then every child run the final status names (each level lists its sub-plans' tasks). */
export async function treeHistoryFacts(
  client: Client,
  workflowId: string,
  firstRunId: string,
  final: RunStatus,
): Promise<HistoryFacts> {
  const root = await historyFacts(client, workflowId, firstRunId);
  const facts: HistoryFacts = {
    ...root,
    workflows: 1,
    tree: {
      events: root.events,
      maxEventsPerRun: root.maxEventsPerRun,
      maxBytesPerRun: root.maxBytesPerRun,
      largestWorkflowId: workflowId,
    },
    levels: [],
  };
  addToLevel(facts.levels, 1, root);
  const children = [...new Set(final.tasks.flatMap((t) => (t.child ? [t.child.runId] : [])))];
  for (const childId of children) {
    const latest = await client.workflow.getHandle(childId).describe();
    const first = latest.raw.workflowExecutionInfo?.firstRunId || latest.runId;
    const child = await historyFacts(client, childId, first);
    facts.workflows++;
    // A child run's id is its parent's and its task's: `<run>/a1/a1-b2` is of level 3.
    addToLevel(facts.levels, 1 + childId.slice(workflowId.length).split('/').length - 1, child);
    facts.tree.events += child.events;
    facts.maxInputBytes = Math.max(facts.maxInputBytes, child.maxInputBytes);
    facts.tree.maxBytesPerRun = Math.max(facts.tree.maxBytesPerRun, child.maxBytesPerRun);
    if (child.maxEventsPerRun > facts.tree.maxEventsPerRun) {
      facts.tree.maxEventsPerRun = child.maxEventsPerRun;
      facts.tree.largestWorkflowId = childId;
    }
  }
  return facts;
}
