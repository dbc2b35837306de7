// The run's "current details" in the Temporal Web UI: a markdown table of task states.
import { ATTENTION_ORDER, type Overview } from './status.js';

/** Rows of the table: the tasks most worth a look (see Overview.highlights). */
export const DETAILS_ROWS = 60;

/** `runId` takes the place of `<run>` in the commands it names: they can be copied as they are. */
export function renderDetails(overview: Overview, runId: string): string {
  const { counts } = overview;
  const summary = ATTENTION_ORDER.filter((s) => counts[s] !== undefined)
    .map((s) => `${s} ${counts[s]}`)
    .join(' · ');
  const lines = [
    `**${overview.phase}** — ${overview.taskCount} tasks: ${summary} — cost $${overview.costUsd.toFixed(2)}`,
    '',
  ];
  if (overview.waitingOn.length > 0) {
    lines.push('Waiting on a person:', ...overview.waitingOn.map((w) => `- ${w.replaceAll('<run>', runId)}`), '');
  }
  // The most interesting tasks first: running, waiting, failed; then the rest in plan order.
  const rows = overview.highlights.slice(0, DETAILS_ROWS);
  lines.push('| task | state | attempts | cost | note |', '|---|---|---|---|---|');
  for (const t of rows) {
    const note = (t.error ?? t.summary ?? '').replace(/\s+/g, ' ').replace(/\|/g, '\\|').slice(0, 80);
    // A running task's attempt in progress may be a retry the run does not know of yet (its activity's Attempt, in
    // Pending Activities, says which): at least the count the run knows.
    const attempts = t.state === 'running' || t.state === 'verifying' ? `≥${t.attempts}` : String(t.attempts);
    lines.push(`| ${t.id} | ${t.state} | ${attempts} | $${t.costUsd.toFixed(2)} | ${note} |`);
  }
  if (overview.taskCount > rows.length) lines.push('', `… and ${overview.taskCount - rows.length} more tasks`);
  const verified = rows.filter((t) => t.verification);
  if (verified.length > 0) {
    // DESIGN.md §11: how each task's verify commands went, and where their output is.
    lines.push('', 'Verification (the last round):');
    for (const t of verified) {
      const v = t.verification!;
      const how = v.passed ? 'passed' : t.state === 'verifying' || t.state === 'running' ? 'failed, fixing' : 'failed';
      // The plan's verify failed on the integration branch: its merge was undone, a person decides.
      const where =
        t.state === 'verification-failed'
          ? "the plan's verify failed after its merge (undone); approve, retry or skip it"
          : `${how} in round ${v.rounds}`;
      lines.push(`- ${t.id}: ${where} — output: \`${plain(v.outputPath)}\``);
    }
  }
  const refusals = (overview.refusals ?? []).slice(-REFUSAL_ROWS);
  if (refusals.length > 0) {
    // A refused signal has nobody to answer: `temporal workflow signal` said "succeeded" all the same.
    lines.push('', 'Refused signals (latest last):');
    for (const r of refusals) lines.push(`- ${r.at} ${plain(r.operation)}: ${plain(r.reason).slice(0, 200)}`);
  }
  if (overview.notes.length > 0) {
    // Agents' words, shown as data: flattened, escaped, cut short (`baton notes <run>` has them whole).
    lines.push('', 'Latest notes of the agents:');
    for (const n of overview.notes) lines.push(`- **${cell(n.key, 60)}** (${n.taskId}): ${cell(n.text, 120)}`);
  }
  return lines.join('\n');
}

/** Refusals the details show (status lists up to 20). */
const REFUSAL_ROWS = 5;

/** Text from a payload as one markdown line: no control characters, no markup that changes the page. */
function plain(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/[`*[\]<>|\\]/g, (c) => `\\${c}`);
}

function cell(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const cut = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  return cut.replace(/[|*_`<>[\]\\]/g, (c) => `\\${c}`);
}
