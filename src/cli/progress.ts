// Live per-task progress of a run, one line per change, from the status query.
import type { RunStatus, TaskView } from '../workflows/status.js';
import { dim, duration, stateLabel, taskElapsed, usd } from './format.js';

export class ProgressPrinter {
  private readonly seen = new Map<string, string>();
  private lastWaiting = '';

  constructor(private readonly write: (line: string) => void) {}

  update(status: RunStatus): void {
    for (const task of status.tasks) {
      const key = `${task.state}/${Math.max(1, task.attempts)}`;
      if (this.seen.get(task.id) === key) continue;
      const first = !this.seen.has(task.id);
      this.seen.set(task.id, key);
      if (first && (task.state === 'pending' || task.state === 'ready')) continue;
      this.write(this.line(task));
    }
    const waiting = status.waitingOn.join('\n');
    if (waiting && waiting !== this.lastWaiting) {
      for (const w of status.waitingOn) this.write(`  waiting on you: ${w.replaceAll('<run>', status.runId)}`);
    }
    this.lastWaiting = waiting;
  }

  private line(task: TaskView): string {
    const time = new Date().toISOString().slice(11, 19);
    const parts = [dim(time), stateLabel(task.state), task.id];
    if (task.state === 'running') parts.push(dim(task.attempts > 1 ? `attempt ${task.attempts}` : task.title));
    const elapsed = taskElapsed(task);
    if (task.endedAt && elapsed !== null) parts.push(dim(`${duration(elapsed)} · ${usd(task.costUsd)}`));
    if (task.error && task.state !== 'running') parts.push(`— ${task.error.split('\n')[0]}`);
    return parts.join(' ');
  }
}
