// The run's "current details" in the Temporal Web UI: a markdown table of task states.
import type { RunStatus, TaskState } from './status.js';

const MAX_ROWS = 60;
const ORDER: TaskState[] = [
  'running',
  'awaiting-approval',
  'awaiting-review',
  'merge-conflict',
  'failed',
  'cancelled',
  'blocked',
  'ready',
  'pending',
  'succeeded',
  'skipped',
];

export function renderDetails(status: RunStatus): string {
  const counts = new Map<TaskState, number>();
  for (const t of status.tasks) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
  const summary = ORDER.filter((s) => counts.has(s))
    .map((s) => `${s} ${counts.get(s)}`)
    .join(' · ');
  const lines = [
    `**${status.phase}** — ${status.tasks.length} tasks: ${summary} — cost $${status.costUsd.toFixed(2)}`,
    '',
  ];
  if (status.waitingOn.length > 0) {
    lines.push('Waiting on a person:', ...status.waitingOn.map((w) => `- ${w}`), '');
  }
  // The most interesting tasks first: running, waiting, failed; then the rest in plan order.
  const rank = (s: TaskState) => ORDER.indexOf(s);
  const rows = [...status.tasks].sort((a, b) => rank(a.state) - rank(b.state)).slice(0, MAX_ROWS);
  lines.push('| task | state | attempts | cost | note |', '|---|---|---|---|---|');
  for (const t of rows) {
    const note = (t.error ?? t.summary ?? '').replace(/\s+/g, ' ').replace(/\|/g, '\\|').slice(0, 80);
    lines.push(`| ${t.id} | ${t.state} | ${t.attempts} | $${t.costUsd.toFixed(2)} | ${note} |`);
  }
  if (status.tasks.length > rows.length) lines.push('', `… and ${status.tasks.length - rows.length} more tasks`);
  return lines.join('\n');
}
