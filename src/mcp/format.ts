// What a tool answers, for a language model: a few plain lines saying what matters, then the JSON.
import { isFinalPhase, type RunStatus } from '../workflows/status.js';

/** The CLI's hints in `waitingOn` ("baton retry|skip <run> x") named as the MCP tools that do the same. */
const TOOL_OF_COMMAND: Record<string, string> = {
  approve: 'baton_approve',
  reject: 'baton_reject',
  resume: 'baton_resume',
  retry: 'baton_retry_task',
  skip: 'baton_skip_task',
  abort: 'baton_abort',
  answer: 'baton_answer',
};

export function toolHint(waiting: string, runId: string): string {
  return waiting.replaceAll('<run>', runId).replace(/\bbaton ([a-z]+(?:\|[a-z]+)*)/g, (_, commands: string) =>
    commands
      .split('|')
      .map((command) => TOOL_OF_COMMAND[command] ?? `baton ${command}`)
      .join(' or '),
  );
}

function oneLine(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A short account of a run: phase, counts, cost, what it waits on, and one line per task. */
export function describeRun(status: RunStatus): string {
  const counts = new Map<string, number>();
  for (const task of status.tasks) counts.set(task.state, (counts.get(task.state) ?? 0) + 1);
  const states = [...counts].map(([state, n]) => `${n} ${state}`).join(', ');
  const budget = status.budgetUsd === null ? '' : ` of $${status.budgetUsd.toFixed(2)}`;
  const lines = [
    `Run ${status.runId}: ${status.phase}${isFinalPhase(status.phase) ? ' (ended)' : ''} · ${status.tasks.length} tasks (${states}) · cost $${status.costUsd.toFixed(2)}${budget}`,
  ];
  if (status.reason) lines.push(`Reason: ${oneLine(status.reason)}`);
  if (status.waitingOn.length > 0) {
    lines.push('Waiting on you:', ...status.waitingOn.map((w) => `- ${toolHint(w, status.runId)}`));
  }
  lines.push('Tasks:');
  for (const t of status.tasks) {
    const attempts = t.attempts === 1 ? '1 attempt' : `${t.attempts} attempts`;
    const detail = t.error ? ` — error: ${oneLine(t.error)}` : t.summary ? ` — ${oneLine(t.summary)}` : '';
    lines.push(`- ${t.id}: ${t.state} (${attempts})${detail}`);
  }
  return lines.join('\n');
}
