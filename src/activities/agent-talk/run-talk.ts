// What one agent attempt says to its run (DESIGN §13): updates and queries through the worker's own Temporal
// client, always about its own run, task and generation, which it was given by Temporal and never by the agent.
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import {
  answerTakenUpdate,
  askUpdate,
  noteUpdate,
  notesQuery,
  questionQuery,
  type AgentScope,
  type NoteResult,
  type NotesPage,
  type NotesQueryInput,
  type QuestionView,
} from '../../contract/talk.js';
import { listenForAnswer } from './answers.js';

/** How often a waiting agent asks its run for the answer when no word of it came through its worker. */
export const ANSWER_POLL_MS = 1_000;
/** Times an attempt asks its run for the task's question (openQuestionOfAnyWorker), waiting 0.5, 1, then 2 s between. */
export const QUESTION_TRIES = 4;
const QUESTION_RETRY_MS = 500;
/** Runs above a sub-plan whose notes an agent reads at most (a guard: hierarchies are a few levels deep). */
const MAX_ANCESTORS = 8;

/** The run refused the call: its reason is for the agent to read. */
export class TalkRefused extends Error {
  override name = 'TalkRefused';
}

export interface RunNotes {
  runId: string;
  page: NotesPage;
}

export class RunTalk {
  readonly #client: Client;
  readonly #runId: string;
  readonly #scope: AgentScope;
  readonly #handle: WorkflowHandle;
  readonly #warn: (message: string) => void;
  /** The question this attempt waits on the answer to. */
  #asking: number | null = null;

  constructor(client: Client, runId: string, scope: AgentScope, warn: (message: string) => void) {
    this.#client = client;
    this.#runId = runId;
    this.#scope = scope;
    this.#handle = client.workflow.getHandle(runId);
    this.#warn = warn;
  }

  /** Whether this attempt's agent waits on a person's answer right now. */
  get waitingForAnswer(): boolean {
    return this.#asking !== null;
  }

  async note(key: string, text: string): Promise<NoteResult> {
    return await this.#update(() => this.#handle.executeUpdate(noteUpdate, { args: [{ ...this.#scope, key, text }] }));
  }

  /** The notes of this run, then of each run above it (a sub-plan's parent, its parent…). */
  async notes(input: NotesQueryInput): Promise<RunNotes[]> {
    const runs: RunNotes[] = [];
    let runId: string | null = this.#runId;
    while (runId !== null && runs.length <= MAX_ANCESTORS) {
      const page: NotesPage = await this.#client.workflow.getHandle(runId).query(notesQuery, input);
      runs.push({ runId, page });
      runId = page.parentRunId;
    }
    return runs;
  }

  /**
   * Asks a person; resolves with the answer (null: the question was closed without one). The question stays open
   * until answerTaken: an attempt that ends before its agent has read the answer leaves it to the next.
   */
  async ask(
    question: string,
    sessionId: string,
    signal: AbortSignal,
  ): Promise<{ questionId: number; answer: string | null }> {
    const { questionId } = await this.#update(() =>
      this.#handle.executeUpdate(askUpdate, { args: [{ ...this.#scope, question, sessionId }] }),
    );
    this.#asking = questionId;
    try {
      return { questionId, answer: await this.waitForAnswer(questionId, signal) };
    } finally {
      this.#asking = null;
    }
  }

  /** The task's open question, as the run has it (null when there is none). */
  async openQuestion(): Promise<QuestionView | null> {
    return await this.#handle.query(questionQuery, this.#scope.taskId);
  }

  /**
   * openQuestion, for an attempt that may follow a dead worker. A query goes first to the worker that ran the
   * workflow last (its sticky queue), and the server waits for that worker up to the sticky schedule-to-start
   * timeout (10 s) before it asks another: longer than a heartbeat timeout, so the attempt waited, or was presumed
   * dead itself. Without the stickiness the query goes to the queue every live worker polls, and the workflow's next
   * task is replayed there once.
   */
  async openQuestionOfAnyWorker(signal?: AbortSignal): Promise<QuestionView | null> {
    const { namespace } = this.#client.options;
    try {
      await this.#client.workflowService.resetStickyTaskQueue({ namespace, execution: { workflowId: this.#runId } });
    } catch (err) {
      this.#warn(`could not send the run's query past its last worker: ${(err as Error).message}`);
    }
    // The worker that takes the query replays the run first, on a machine that may be busy: one failed query is
    // asked again, not taken for "no question" (the attempt would then ask the model again what it asked a person).
    for (let tries = 1; ; tries++) {
      try {
        return await this.openQuestion();
      } catch (err) {
        if (tries >= QUESTION_TRIES || signal?.aborted) throw err;
        const waitMs = QUESTION_RETRY_MS * 2 ** (tries - 1);
        this.#warn(
          `could not ask the run for the task's question (try ${tries} of ${QUESTION_TRIES}): ${(err as Error).message}; asking again in ${waitMs} ms`,
        );
        await sleep(waitMs, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  /** Tells the run this attempt has the answer, which closes the question. */
  async answerTaken(questionId: number): Promise<void> {
    try {
      await this.#handle.executeUpdate(answerTakenUpdate, { args: [{ ...this.#scope, questionId }] });
    } catch (err) {
      // The agent has its answer either way; the task's question is closed when its attempt ends.
      this.#warn(`could not tell the run that question ${questionId} was answered: ${(err as Error).message}`);
    }
  }

  /** Waits for the answer: at once when the run's worker is this one, else by asking the run now and then. */
  private async waitForAnswer(questionId: number, signal: AbortSignal): Promise<string | null> {
    let heard: string | undefined;
    const wakeUp = new AbortController();
    const stop = listenForAnswer(this.#runId, this.#scope.taskId, questionId, (answer) => {
      heard = answer;
      wakeUp.abort();
    });
    const either = AbortSignal.any([signal, wakeUp.signal]);
    try {
      for (;;) {
        await sleep(ANSWER_POLL_MS, undefined, { signal: either }).catch(() => undefined);
        if (signal.aborted) throw signal.reason;
        if (heard !== undefined) return heard;
        try {
          const open = await this.openQuestion();
          if (!open || open.id !== questionId) return null;
          if (open.answer !== null) return open.answer;
        } catch (err) {
          // The run cannot answer now (its worker restarts, the server is away): the agent keeps waiting.
          this.#warn(`waiting for the answer to question ${questionId}: ${(err as Error).message}`);
        }
      }
    } finally {
      stop();
    }
  }

  async #update<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw new TalkRefused(err.cause?.message ?? err.message);
      throw err;
    }
  }
}
