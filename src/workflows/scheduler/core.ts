// The scheduler's state with the lookups every part needs. Internal to this folder: the parts (derivation,
// lifecycle, merges, interventions) change the state through it, and only the Scheduler's methods call them.
import type { Task } from '../../plan/schema.js';
import { refuse } from '../wording.js';
import type { SchedulerState, TaskRecord } from './state.js';

export class Core {
  readonly state: SchedulerState;
  private readonly byId = new Map<string, TaskRecord>();
  private readonly tasks = new Map<string, Task>();
  private dependents = new Map<string, string[]>();

  constructor(state: SchedulerState) {
    this.state = state;
    this.index();
  }

  /** Rebuilds the lookups: once at the start, and after tasks are added. */
  index(): void {
    this.byId.clear();
    this.tasks.clear();
    this.dependents = new Map();
    for (const r of this.state.records) this.byId.set(r.id, r);
    for (const t of this.state.plan.tasks) {
      this.tasks.set(t.id, t);
      for (const d of t.dependsOn) {
        const list = this.dependents.get(d) ?? [];
        list.push(t.id);
        this.dependents.set(d, list);
      }
    }
  }

  record(id: string): TaskRecord {
    const r = this.byId.get(id);
    if (!r) throw refuse.noTask(id, this.ids());
    return r;
  }

  task(id: string): Task {
    const t = this.tasks.get(id);
    if (!t) throw refuse.noTask(id, this.ids());
    return t;
  }

  has(id: string): boolean {
    return this.tasks.has(id);
  }

  /** The tasks that depend on this one directly. */
  dependentsOf(id: string): readonly string[] {
    return this.dependents.get(id) ?? [];
  }

  get isolated(): boolean {
    return this.state.plan.workspace?.isolation === 'worktree';
  }

  private ids(): string[] {
    return this.state.records.map((r) => r.id);
  }
}
