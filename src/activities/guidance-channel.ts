// The agent activity's side of live guidance (contract/guidance.ts): it reads the task's waiting notes from its
// run's memo, and tells the run which reached the model. Through the worker's own client, so it reaches the run
// wherever its workflow is served, with the worker's data converter.
// A run's memo is read once per poll interval however many of its agents run on this worker (a run of 1,000
// independent tasks has tens at once), and however quickly they follow one another (a chain of short tasks): one
// `describe` answers all of them, each taking the notes of its own task.
import { Context } from '@temporalio/activity';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { guidanceDeliveredSignal, guidanceMemoKey, type PendingNote } from '../contract/guidance.js';
import type { LiveChannel } from './live-input.js';

/** How often a running agent's run is read for guidance (default): the upper bound of a note's wait to be written. */
export const GUIDANCE_POLL_MS = 1000;

type Memo = Record<string, unknown>;

/**
 * The memo of one run, read while agents of it watch: at once when the first one starts watching, then every
 * `pollMs`; an agent that starts watching meanwhile gets the newest reading (less than `pollMs` old) at once.
 * Once none watches, the reading is kept until the next poll: the next agent of the run (a chain's next task, a
 * layer's next wave) that starts by then takes it instead of asking the server again. At that poll, with still
 * none watching, it stops and is forgotten: the next agent reads the run afresh.
 */
export class RunWatch {
  readonly #listeners = new Set<(memo: Memo) => void>();
  #latest: Memo | undefined;
  #timer: NodeJS.Timeout | undefined;
  #asking = false;

  constructor(
    private readonly run: Pick<WorkflowHandle, 'describe'>,
    private readonly pollMs: number,
    private readonly forget: () => void,
  ) {}

  add(listener: (memo: Memo) => void): () => void {
    this.#listeners.add(listener);
    if (this.#latest) tell(listener, this.#latest);
    if (!this.#timer) {
      void this.#ask();
      this.#timer = setInterval(() => this.#poll(), this.pollMs);
      // Agents keep the worker alive; a reading kept for the next one must not.
      this.#timer.unref();
    }
    return () => void this.#listeners.delete(listener);
  }

  #poll(): void {
    if (this.#listeners.size > 0) return void this.#ask();
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#latest = undefined;
    this.forget();
  }

  async #ask(): Promise<void> {
    if (this.#asking) return;
    this.#asking = true;
    try {
      const memo = (await this.run.describe()).memo ?? {};
      if (!this.#timer) return; // stopped meanwhile
      this.#latest = memo;
      for (const listener of [...this.#listeners]) tell(listener, memo);
    } catch {
      // The run could not be asked (the server busy or restarting): the next poll asks again.
    } finally {
      this.#asking = false;
    }
  }
}

function tell(listener: (memo: Memo) => void, memo: Memo): void {
  try {
    listener(memo);
  } catch {
    // one agent's input failing is that agent's matter, not its neighbours'
  }
}

/** The runs watched on this worker, by client, then by workflow id and poll interval. */
const watches = new WeakMap<Client, Map<string, RunWatch>>();

function watchOf(client: Client, workflowId: string, pollMs: number): RunWatch {
  let runs = watches.get(client);
  if (!runs) watches.set(client, (runs = new Map()));
  const key = `${pollMs} ${workflowId}`;
  let watch = runs.get(key);
  if (!watch) {
    watch = new RunWatch(client.workflow.getHandle(workflowId), pollMs, () => runs.delete(key));
    runs.set(key, watch);
  }
  return watch;
}

/** The number of runs whose memo this worker reads now (for tests). */
export function watchedRuns(client: Client): number {
  return watches.get(client)?.size ?? 0;
}

/** The channel of the task's notes; undefined where the activity has no client (a test's mock environment). */
export function guidanceChannel(
  task: { taskId: string; generation: number },
  pollMs = GUIDANCE_POLL_MS,
): LiveChannel | undefined {
  const ctx = Context.current();
  const workflowId = ctx.info.workflowExecution?.workflowId;
  let client: Client;
  try {
    client = ctx.client;
  } catch {
    return undefined;
  }
  if (!workflowId || !client) return undefined;
  const key = guidanceMemoKey(task.taskId);
  return {
    watch: (notes) => watchOf(client, workflowId, pollMs).add((memo) => notes(notesOf(memo[key], task.generation))),
    delivered: (notes) => {
      const seqs = notes.map((note) => note.seq);
      client.workflow
        .getHandle(workflowId)
        .signal(guidanceDeliveredSignal, { ...task, seqs })
        .catch((err: unknown) =>
          ctx.log.warn(`could not tell the run that guidance ${seqs.join(', ')} was delivered: ${String(err)}`),
        );
    },
  };
}

/** The notes of a memo entry for this agent's generation (a person's retry starts another: not for this one). */
export function notesOf(entry: unknown, generation: number): PendingNote[] {
  if (typeof entry !== 'object' || entry === null) return [];
  const { generation: of, notes } = entry as { generation?: unknown; notes?: unknown };
  if (of !== generation || !Array.isArray(notes)) return [];
  return notes.filter(
    (note): note is PendingNote =>
      typeof (note as PendingNote | null)?.seq === 'number' && typeof (note as PendingNote).message === 'string',
  );
}
