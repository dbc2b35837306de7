// Where a hop's time goes, from the workflow history's event times (server clock, same machine as the
// agents): for each task with dependencies, from its last dependency's agent ending to its own agent starting.
import { appendFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { Plan } from '../src/plan/schema.js';
import { median, round } from './stats.js';
import type { AgentSpan } from './stub-log.js';

type Event = temporal.api.history.v1.IHistoryEvent;

/** BENCH_HOPS_LOG=<file>: one line per hop, `<task> <the five parts, ms> <its workflow task's start, epoch ms>`. */
const hopsLog = process.env.BENCH_HOPS_LOG;

/** Medians over hops, ms. */
export interface HopBreakdown {
  hops: number;
  /** Dependency's agent ends → its ActivityTaskCompleted (process exit, runAgent's wrap-up, the completion RPC). */
  agentEndToActivityCompleted: number | null;
  /** → the workflow task that reacts starts on the worker (server dispatch, sticky queue poll). */
  completedToWorkflowTaskStarted: number | null;
  /** → that workflow task completes, scheduling the dependent (workflow code, activation, commands). */
  workflowTask: number | null;
  /** Dependent's ActivityTaskScheduled → ActivityTaskStarted (matching to an activity poller). */
  scheduledToActivityStarted: number | null;
  /** ActivityTaskStarted → its agent process starts (runAgent: files, PID namespace, spawn); a warm one: before. */
  activityStartedToAgentStart: number | null;
  /** ActivityTaskStarted → its prompt reaches the agent's stdin (the real claude's wrapper logs it; else null). */
  activityStartedToPrompt: number | null;
}

const ms = (e: Event | undefined): number | null => {
  const t = e?.eventTime;
  if (!t) return null;
  return Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6;
};

export async function hopBreakdown(
  client: Client,
  workflowId: string,
  runIds: string[],
  plan: Plan,
  spans: Map<string, AgentSpan[]>,
): Promise<HopBreakdown> {
  const events: Event[] = [];
  for (const runId of runIds) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    events.push(...(history.events ?? []));
  }
  // Event ids restart in every run: index each run's events apart, keyed by the run's position.
  const byTask = new Map<string, { scheduled: Event; started?: Event; completed?: Event; wftStarted?: Event }>();
  let run = 0;
  const index = new Map<string, Event>();
  const key = (id: unknown) => `${run}:${String(id)}`;
  for (const e of events) {
    if (e.workflowExecutionStartedEventAttributes) run++;
    index.set(key(e.eventId), e);
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled?.activityId) {
      const task = scheduled.activityId.replace(/\.\d+$/, '');
      const wftCompleted = index.get(key(scheduled.workflowTaskCompletedEventId));
      const wftStarted = index.get(key(wftCompleted?.workflowTaskCompletedEventAttributes?.startedEventId));
      byTask.set(task, { scheduled: e, wftStarted });
    }
    const started = e.activityTaskStartedEventAttributes;
    const completed = e.activityTaskCompletedEventAttributes;
    const ref = started?.scheduledEventId ?? completed?.scheduledEventId;
    if (ref !== undefined && ref !== null) {
      const scheduledEvent = index.get(key(ref));
      const task = scheduledEvent?.activityTaskScheduledEventAttributes?.activityId?.replace(/\.\d+$/, '');
      const entry = task ? byTask.get(task) : undefined;
      if (entry && started) entry.started = e;
      if (entry && completed) entry.completed = e;
    }
  }
  const parts: Record<Exclude<keyof HopBreakdown, 'hops'>, number[]> = {
    agentEndToActivityCompleted: [],
    completedToWorkflowTaskStarted: [],
    workflowTask: [],
    scheduledToActivityStarted: [],
    activityStartedToAgentStart: [],
    activityStartedToPrompt: [],
  };
  let hops = 0;
  for (const task of plan.tasks) {
    if (task.dependsOn.length === 0) continue;
    const own = byTask.get(task.id);
    const agent = spans.get(task.id)?.at(-1);
    const deps = task.dependsOn.map((d) => ({ d, end: spans.get(d)?.at(-1)?.end ?? null }));
    if (!own || !agent || deps.some((x) => x.end === null)) continue;
    const lastDep = deps.reduce((a, b) => (b.end! > a.end! ? b : a));
    const dep = byTask.get(lastDep.d);
    const values = [
      ms(dep?.completed) !== null ? ms(dep?.completed)! - lastDep.end! : null,
      ms(own.wftStarted) !== null && ms(dep?.completed) !== null ? ms(own.wftStarted)! - ms(dep?.completed)! : null,
      ms(own.scheduled) !== null && ms(own.wftStarted) !== null ? ms(own.scheduled)! - ms(own.wftStarted)! : null,
      ms(own.started) !== null ? ms(own.started)! - ms(own.scheduled)! : null,
      ms(own.started) !== null ? agent.start - ms(own.started)! : null,
    ];
    if (values.some((v) => v === null)) continue;
    hops++;
    if (agent.prompt !== null) parts.activityStartedToPrompt.push(agent.prompt - ms(own.started)!);
    if (hopsLog)
      appendFileSync(hopsLog, `${task.id} ${values.map((v) => v!.toFixed(1)).join(' ')} ${ms(own.wftStarted)}\n`);
    const names = (Object.keys(parts) as (keyof typeof parts)[]).filter((n) => n !== 'activityStartedToPrompt');
    names.forEach((name, i) => parts[name].push(values[i]!));
  }
  const m = (xs: number[]) => round(median(xs), 1);
  return {
    hops,
    agentEndToActivityCompleted: m(parts.agentEndToActivityCompleted),
    completedToWorkflowTaskStarted: m(parts.completedToWorkflowTaskStarted),
    workflowTask: m(parts.workflowTask),
    scheduledToActivityStarted: m(parts.scheduledToActivityStarted),
    activityStartedToAgentStart: m(parts.activityStartedToAgentStart),
    activityStartedToPrompt: m(parts.activityStartedToPrompt),
  };
}
