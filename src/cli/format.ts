// How statuses look to people: tables, states, durations, money.
import { GATE_STATES, subPlanTree, type RunStatus, type TaskState, type TaskView } from '../workflows/status.js';

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number) => (text: string) => (useColor ? `\u001b[${code}m${text}\u001b[0m` : text);
export const bold = paint(1);
export const dim = paint(2);
const red = paint(31);
const green = paint(32);
const yellow = paint(33);
const cyan = paint(36);

const STATE_ICON: Record<TaskState, string> = {
  pending: '·',
  ready: '○',
  'awaiting-approval': '?',
  running: '▶',
  verifying: '◇',
  'awaiting-answer': '?',
  'awaiting-review': '?',
  'merge-conflict': '!',
  'verification-failed': '!',
  succeeded: '✔',
  failed: '✖',
  skipped: '↷',
  cancelled: '■',
  blocked: '⊘',
};

export function stateLabel(state: TaskState): string {
  const text = `${STATE_ICON[state]} ${state}`;
  if (state === 'succeeded') return green(text);
  if (state === 'failed' || state === 'cancelled' || state === 'blocked') return red(text);
  if (state === 'running' || state === 'verifying') return cyan(text);
  if (GATE_STATES.includes(state)) return yellow(text);
  return text;
}

export function phaseLabel(phase: RunStatus['phase']): string {
  if (phase === 'completed') return green(phase);
  if (phase === 'failed' || phase === 'cancelled') return red(phase);
  if (phase === 'paused' || phase === 'awaiting-plan-approval') return yellow(phase);
  return cyan(phase);
}

export function usd(value: number): string {
  return `$${value.toFixed(value > 0 && value < 0.01 ? 4 : 2)}`;
}

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function taskElapsed(task: TaskView, now = Date.now()): number | null {
  if (!task.startedAt) return null;
  const end = task.endedAt ? Date.parse(task.endedAt) : now;
  return end - Date.parse(task.startedAt);
}

const visibleLength = (text: string) => text.replace(/\u001b\[\d+m/g, '').length;

/**
 * Text from a run (ids, reasons, results: anyone who reaches Temporal may have written them) as it is safe to
 * print: control characters escaped (`\x1b`, `\n`), so nothing reaches the terminal as a command.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    const code = c.charCodeAt(0);
    return code === 0x0a ? '\\n' : code === 0x09 ? '\\t' : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - visibleLength(c))))
      .join('  ')
      .trimEnd();
  return [bold(line(header)), ...rows.map(line)].join('\n');
}

function oneLine(text: string | null, max: number): string {
  if (!text) return '';
  const flat = printable(text.replace(/\s+/g, ' ').trim());
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Paths longer than this in an error keep their end: the file is what tells, not /tmp/… before it. */
const PATH_KEPT = 32;

/** An error in a line of at most `max`: long paths shortened to their end first, then the text cut. */
export function errorLine(error: string, max: number): string {
  // A path: a word with a slash in it.
  const shortened = error.replace(/[^\s,;:'"()]*\/[^\s,;:'"()]+/g, (p) => {
    if (p.length <= PATH_KEPT) return p;
    const tail = p.slice(p.length - PATH_KEPT);
    const fromSeparator = tail.indexOf('/');
    return `…${fromSeparator >= 0 ? tail.slice(fromSeparator) : tail}`;
  });
  return oneLine(shortened, max);
}

/** A task of the table with what its TASK cell shows: its id, or under its parent `├ db` / `└ db`. */
export interface TreeRow {
  task: TaskView;
  label: string;
}

/**
 * The tasks as a tree (DESIGN.md §10): each task, then the tasks of its sub-plan under it, in the order the status
 * lists them (plan order), at every depth. A task of a sub-plan shows its own id (`db` under `backend`), with
 * `│` lines joining the tasks of one sub-plan; a task whose parent is not listed shows its whole path id.
 */
export function treeRows(tasks: readonly TaskView[]): TreeRow[] {
  const { roots, below } = subPlanTree(tasks);
  const rows: TreeRow[] = [];
  // `rails`: for each level between the top and this task's parent, whether that level's sub-plan goes on below.
  const visit = (task: TaskView, rails: string, last: boolean, top: boolean): void => {
    const prefix = `${task.parent ?? ''}/`;
    const own = !top && task.id.startsWith(prefix) ? task.id.slice(prefix.length) : task.id;
    rows.push({ task, label: top ? printable(own) : `  ${rails}${last ? '└' : '├'} ${printable(own)}` });
    const children = below.get(task.id) ?? [];
    const next = top ? '' : `${rails}${last ? '  ' : '│ '}`;
    children.forEach((c, i) => visit(c, next, i === children.length - 1, false));
  };
  roots.forEach((t) => visit(t, '', true, true));
  return rows;
}

export function statusTable(status: RunStatus): string {
  // The QUEUE column only for a routed plan (a task's `taskQueue`); "-" is the run's own queue.
  const routed = status.tasks.some((t) => t.taskQueue);
  const rows = treeRows(status.tasks).map(({ task: t, label }) => {
    const elapsed = taskElapsed(t);
    return [
      label,
      t.paused ? `${stateLabel(t.state)} ${yellow('(paused)')}` : stateLabel(t.state),
      ...(routed ? [t.taskQueue ?? '-'] : []),
      String(t.attempts),
      elapsed === null ? '' : duration(elapsed),
      usd(t.costUsd),
      t.error ? errorLine(t.error, 70) : oneLine(t.summary, 70),
    ];
  });
  const header = ['TASK', 'STATE', ...(routed ? ['QUEUE'] : []), 'ATTEMPTS', 'TIME', 'COST', 'RESULT / ERROR'];
  return table(header, rows);
}

const listed = (ids: string[]) =>
  ids.length > 5 ? `${ids.slice(0, 5).join(', ')}, … (${ids.length} tasks)` : ids.join(', ');

/** Ready tasks of a running run (not paused) wait for a place under the plan's maxParallel, not for a worker. */
export function readyLine(status: RunStatus): string | undefined {
  if (status.phase !== 'running') return undefined;
  const ready = status.tasks.filter((t) => t.state === 'ready').map((t) => t.id);
  if (ready.length === 0) return undefined;
  const running = status.tasks.filter((t) => t.state === 'running').length;
  const one = ready.length === 1;
  return `${one ? 'task' : 'tasks'} ${listed(ready)} ${one ? 'is' : 'are'} ready and ${one ? 'waits' : 'wait'} for the plan's maxParallel (${running} running)`;
}

/**
 * A run's status for people. `unserved`: lines about tasks that wait for a worker (routed to a queue nobody serves,
 * or held for a free agent slot: see unservedQueues, heldForWorkers), which the workflow itself cannot know.
 */
export function statusReport(status: RunStatus, uiUrl?: string, unserved: string[] = []): string {
  const lines = [
    `${bold(printable(status.runId))}  ${phaseLabel(status.phase)}  ${status.tasks.length} tasks  cost ${usd(status.costUsd)}${
      status.budgetUsd !== null ? ` of ${usd(status.budgetUsd)}` : ''
    }`,
  ];
  if (status.reason) lines.push(`reason: ${printable(status.reason)}`);
  lines.push('', statusTable(status));
  if (status.waitingOn.length > 0) {
    lines.push(
      '',
      yellow('Waiting on you:'),
      ...status.waitingOn.map((w) => `  ${printable(w.replaceAll('<run>', status.runId))}`),
    );
  }
  const ready = readyLine(status);
  if (ready) lines.push('', ready);
  if (unserved.length > 0) {
    lines.push('', yellow('Waiting for a worker:'), ...unserved.map((line) => `  ${line}`));
  }
  if (uiUrl) lines.push('', `Web UI: ${uiUrl}`);
  return lines.join('\n');
}
