// Reading the agents' start/prompt/end log (BENCH_STUB_LOG) and turning it into per-hop latencies.
import { readFileSync } from 'node:fs';
import type { Plan } from '../src/plan/schema.js';

export interface AgentSpan {
  start: number;
  end: number | null;
  /** When its prompt reached it on stdin (the Go stub wrapping the real claude with stream-json input); else null. */
  prompt: number | null;
  pid: number;
  /** Random per agent process. */
  span: string;
}

/** Spans by task, in start order (a retried task has several). Times are epoch milliseconds. */
export function readStubLog(file: string): Map<string, AgentSpan[]> {
  const spans = new Map<string, AgentSpan[]>();
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return spans;
  }
  for (const line of text.split('\n')) {
    const [kind, task, at, pid, span] = line.split(' ');
    if (!task || at === undefined || pid === undefined || span === undefined) continue;
    const list = spans.get(task) ?? [];
    spans.set(task, list);
    if (kind === 'start') list.push({ start: Number(at), end: null, prompt: null, pid: Number(pid), span });
    const open = list.find((s) => s.span === span && s.end === null);
    if (kind === 'end' && open) open.end = Number(at);
    if (kind === 'prompt' && open) open.prompt = Number(at);
  }
  for (const list of spans.values()) list.sort((a, b) => a.start - b.start);
  return spans;
}

/** The span that produced the task's result: the last one. */
function last(spans: Map<string, AgentSpan[]>, id: string): AgentSpan | undefined {
  const list = spans.get(id);
  return list?.[list.length - 1];
}

/**
 * Per-hop latency of every task that has dependencies: from the end of its last dependency to finish
 * (the stub's end line) to the start of its own agent process (the stub's start line).
 */
export function hopLatencies(plan: Plan, spans: Map<string, AgentSpan[]>): number[] {
  const hops: number[] = [];
  for (const task of plan.tasks) {
    if (task.dependsOn.length === 0) continue;
    const own = last(spans, task.id);
    const ends = task.dependsOn.map((d) => last(spans, d)?.end ?? null);
    if (!own || ends.some((e) => e === null)) continue;
    hops.push(own.start - Math.max(...(ends as number[])));
  }
  return hops;
}

/** From the first agent's start to the last agent's end. */
export function agentSpanMs(spans: Map<string, AgentSpan[]>): number | null {
  const all = [...spans.values()].flat();
  if (all.length === 0 || all.some((s) => s.end === null)) return null;
  return Math.max(...all.map((s) => s.end!)) - Math.min(...all.map((s) => s.start));
}
