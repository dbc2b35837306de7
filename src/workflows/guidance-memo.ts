// Keeps the run's memo of the notes running agents may still be told (contract/guidance.ts) in step with the
// scheduler: a task's key is written when its waiting notes change, and removed once none wait. Only then: a run
// nobody guides never writes its memo, and its history is what it was before live guidance.
import { patched, upsertMemo } from '@temporalio/workflow';
import { guidanceMemoKey, type GuidanceDeliveredInput } from '../contract/guidance.js';
import type { Scheduler } from './scheduler/index.js';

export class GuidanceMemos {
  /** What the memo holds now, per task (as JSON). */
  readonly #published = new Map<string, string>();

  /** After a task's notes or state changed: its memo key says what its running agent may still be told. */
  sync(sched: Scheduler, taskId: string): void {
    const entry = sched.guidance.liveNotes(taskId);
    const text = entry ? JSON.stringify(entry) : undefined;
    if (this.#published.get(taskId) === text) return;
    // A run that a worker without live guidance started replays as it ran (no memo command in its history).
    if (!patched('guidance-memo')) return;
    upsertMemo({ [guidanceMemoKey(taskId)]: entry });
    if (text === undefined) this.#published.delete(taskId);
    else this.#published.set(taskId, text);
  }

  /** The agent's `guidanceDelivered` signal: these notes reached the model. Bad input changes nothing. */
  delivered(sched: Scheduler | undefined, input: Partial<GuidanceDeliveredInput> | undefined, now: string): void {
    const { taskId, generation, seqs } = input ?? {};
    if (!sched || typeof taskId !== 'string' || typeof generation !== 'number' || !Array.isArray(seqs)) return;
    if (!sched.hasTask(taskId)) return;
    sched.guidance.notesDelivered(taskId, generation, seqs, now);
    this.sync(sched, taskId);
  }
}
