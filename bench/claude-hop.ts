// The hop with the real claude (issue 22, warm agents): from a dependency's claude exiting to its dependent's first
// request reaching the model — what a person waits for between one agent's end and the next one's work. Read from
// the Go stub's log (it wraps claude: start, prompt on stdin, end) and the fake model's request log (same clock).
import { appendFileSync } from 'node:fs';
import type { Plan } from '../src/plan/schema.js';
import type { RequestLogEntry } from '../src/rehearsal/fake-model.js';
import { median, round } from './stats.js';
import type { AgentSpan } from './stub-log.js';

/** Medians over the run's hops, ms. */
export interface ClaudeHop {
  hops: number;
  /** Dependency's claude exits → the dependent's first model request. */
  p50: number | null;
  max: number | null;
  /** Before the hop: the dependency's last model answer sent → its claude exits (claude's own wrap-up). */
  depAnswerToAgentEnd: number | null;
  /** Dependency's claude exits → the dependent's prompt reaches its claude's stdin. */
  agentEndToPrompt: number | null;
  /** → its first model request (a cold claude starts first; a warm one has). */
  promptToFirstRequest: number | null;
}

export function claudeHop(plan: Plan, spans: Map<string, AgentSpan[]>, requests: RequestLogEntry[]): ClaudeHop {
  const first = new Map<string, number>();
  const lastAnswer = new Map<string, number>();
  for (const entry of requests) {
    if (!entry.key) continue;
    if (!first.has(entry.key)) first.set(entry.key, entry.receivedAt);
    if (entry.answeredAt !== null)
      lastAnswer.set(entry.key, Math.max(lastAnswer.get(entry.key) ?? 0, entry.answeredAt));
  }
  // The span that ran the task: the one its prompt reached (a warm claude never taken has none).
  const ran = (id: string) => spans.get(id)?.findLast((s) => s.prompt !== null) ?? spans.get(id)?.at(-1);
  const hop: number[] = [];
  const answerToEnd: number[] = [];
  const endToPrompt: number[] = [];
  const promptToRequest: number[] = [];
  for (const task of plan.tasks) {
    if (task.dependsOn.length === 0) continue;
    const own = ran(task.id);
    const request = first.get(task.id);
    const ends = task.dependsOn.map((id) => ({ id, end: ran(id)?.end ?? null }));
    if (!own || request === undefined || ends.some((e) => e.end === null)) continue;
    const dep = ends.reduce((a, b) => (b.end! > a.end! ? b : a));
    hop.push(request - dep.end!);
    const answered = lastAnswer.get(dep.id);
    if (answered !== undefined) answerToEnd.push(dep.end! - answered);
    if (own.prompt !== null) {
      endToPrompt.push(own.prompt - dep.end!);
      promptToRequest.push(request - own.prompt);
    }
    // BENCH_HOPS_LOG=<file>: one line per hop, `claude <task> <hop> <answer → end> <end → prompt> <prompt → request>`.
    const log = process.env.BENCH_HOPS_LOG;
    if (log) {
      const parts = [
        request - dep.end!,
        answered && dep.end! - answered,
        own.prompt && own.prompt - dep.end!,
        own.prompt && request - own.prompt,
      ];
      appendFileSync(
        log,
        `claude ${task.id} ${parts.map((v) => (typeof v === 'number' ? v.toFixed(1) : '–')).join(' ')}\n`,
      );
    }
  }
  const m = (xs: number[]) => round(median(xs), 1);
  return {
    hops: hop.length,
    p50: m(hop),
    max: hop.length ? round(Math.max(...hop), 1) : null,
    depAnswerToAgentEnd: m(answerToEnd),
    agentEndToPrompt: m(endToPrompt),
    promptToFirstRequest: m(promptToRequest),
  };
}
