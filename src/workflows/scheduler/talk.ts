// Agents that talk back (DESIGN §13): the notes a run's agents record for each other, and a task's question to a
// person. Each check throws a Refusal saying why not (an agent reads it as its tool's error); its change checks
// again. Notes and answers are data: they are kept and shown, never acted on.
import {
  TALK_LIMITS,
  utf8Bytes,
  type AgentScope,
  type AnswerTakenInput,
  type AskInput,
  type Note,
  type NoteInput,
  type NoteResult,
  type NotesQueryInput,
  type NotesPage,
  type QuestionView,
} from '../../contract/talk.js';
import { refuse } from '../wording.js';
import type { Core } from './core.js';
import { refresh } from './derivation.js';
import type { Question, TaskRecord } from './state.js';

/** Notes a page of the notes query holds at most (a thousand notes of 4 KB would not fit one answer). */
export const NOTES_PAGE_LIMIT = 200;

/** The call comes from the agent of the task's current run, while that agent runs. */
function checkAgent(core: Core, scope: AgentScope): TaskRecord {
  const r = core.record(scope.taskId);
  const live = r.state === 'running' || (r.state === 'awaiting-answer' && !r.question?.held);
  if (!live || r.generation !== scope.generation) {
    throw refuse.notTheAgent(scope.taskId, scope.generation, r.generation, r.state);
  }
  return r;
}

export function checkNote(core: Core, input: NoteInput): void {
  checkAgent(core, input);
  const key = input.key.trim();
  if (key.length === 0 || key.length > TALK_LIMITS.keyChars) throw refuse.noteKey(TALK_LIMITS.keyChars);
  const bytes = utf8Bytes(input.text);
  if (bytes > TALK_LIMITS.noteBytes) throw refuse.noteTooLarge(bytes, TALK_LIMITS.noteBytes);
  const notes = core.state.notes ?? [];
  if (notes.length >= TALK_LIMITS.notesPerRun && !notes.some((n) => n.key === key)) {
    throw refuse.notesFull(TALK_LIMITS.notesPerRun);
  }
}

/** Records the note; a key written again replaces the earlier note (whoever wrote it), which moves to the end. */
export function note(core: Core, input: NoteInput, now: string): NoteResult {
  checkNote(core, input);
  const key = input.key.trim();
  const notes = (core.state.notes ??= []);
  const at = notes.findIndex((n) => n.key === key);
  if (at >= 0) notes.splice(at, 1);
  notes.push({ key, text: input.text, taskId: input.taskId, at: now });
  return { replaced: at >= 0, count: notes.length };
}

/** The notes that match, newest first, a page at a time. */
export function notesPage(core: Core, input: NotesQueryInput = {}): Omit<NotesPage, 'parentRunId'> {
  const query = input.query?.trim().toLowerCase();
  const tasks = input.taskIds && new Set(input.taskIds);
  const matching = (core.state.notes ?? []).filter(
    (n) =>
      (!tasks || tasks.has(n.taskId)) &&
      (!query || n.key.toLowerCase().includes(query) || n.text.toLowerCase().includes(query)),
  );
  matching.reverse();
  const offset = Math.max(0, input.offset ?? 0);
  const limit = Math.min(Math.max(1, input.limit ?? NOTES_PAGE_LIMIT), NOTES_PAGE_LIMIT);
  return { notes: matching.slice(offset, offset + limit), total: matching.length };
}

/** The notes tasks `taskIds` wrote, newest first, up to `bytes` of text: what a dependent's prompt lists. */
export function notesOf(core: Core, taskIds: readonly string[], bytes: number): Note[] {
  const ids = new Set(taskIds);
  const chosen: Note[] = [];
  let used = 0;
  for (const n of [...(core.state.notes ?? [])].reverse()) {
    if (!ids.has(n.taskId)) continue;
    used += utf8Bytes(n.key) + utf8Bytes(n.text);
    if (used > bytes) break;
    chosen.push({ ...n });
  }
  return chosen;
}

export function checkAsk(core: Core, input: AskInput): void {
  const r = checkAgent(core, input);
  if (r.question && r.question.answer === null) throw refuse.alreadyAsking(input.taskId);
  if (!input.question.trim()) throw refuse.emptyQuestion();
  const bytes = utf8Bytes(input.question);
  if (bytes > TALK_LIMITS.questionBytes) throw refuse.questionTooLarge(bytes, TALK_LIMITS.questionBytes);
}

/** The task waits on a person: its state says so, `waitingOn` shows the question. */
export function ask(core: Core, input: AskInput, now: string): Question {
  checkAsk(core, input);
  const r = core.record(input.taskId);
  r.questions = (r.questions ?? 0) + 1;
  r.question = {
    id: r.questions,
    text: input.question,
    askedAt: now,
    generation: input.generation,
    sessionId: input.sessionId,
    answer: null,
    answeredAt: null,
    held: false,
  };
  r.state = 'awaiting-answer';
  return r.question;
}

export function question(core: Core, taskId: string): QuestionView | null {
  const q = core.record(taskId).question;
  if (!q) return null;
  const { id, text, askedAt, answer, answeredAt, generation } = q;
  return { id, question: text, askedAt, answer, answeredAt, generation };
}

export function checkAnswer(core: Core, taskId: string, text: string): void {
  const r = core.record(taskId);
  if (r.state !== 'awaiting-answer' || !r.question || r.question.answer !== null) {
    throw refuse.noQuestion(taskId, r.state);
  }
  if (!text.trim()) throw refuse.emptyAnswer();
  const bytes = utf8Bytes(text);
  if (bytes > TALK_LIMITS.answerBytes) throw refuse.answerTooLarge(bytes, TALK_LIMITS.answerBytes);
}

/** The person's answer: the waiting agent gets it; a task whose agent has ended runs again to receive it. */
export function answer(core: Core, taskId: string, text: string, now: string): Question {
  checkAnswer(core, taskId, text);
  const r = core.record(taskId);
  const q = r.question!;
  q.answer = text;
  q.answeredAt = now;
  if (q.held) {
    r.state = 'ready';
    refresh(core, [taskId]);
  } else {
    r.state = 'running';
  }
  return q;
}

export function checkAnswerTaken(core: Core, input: AnswerTakenInput): void {
  checkAgent(core, input);
  const q = core.record(input.taskId).question;
  if (!q || q.id !== input.questionId || q.answer === null) throw refuse.staleQuestion(input.taskId);
}

/** The agent has its answer: the question is closed. */
export function answerTaken(core: Core, input: AnswerTakenInput): void {
  checkAnswerTaken(core, input);
  core.record(input.taskId).question = null;
}

/** What the run of a task that starts now continues: an answered question whose asking agent had ended. */
export function takeAnswer(core: Core, taskId: string): Question | null {
  const r = core.record(taskId);
  const q = r.question;
  if (!q?.held || q.answer === null) return null;
  r.question = null;
  return q;
}

/**
 * The task's attempt ended without a result while its question was open (timed out, crashed, its worker died):
 * the question outlives it. Answered already: the task runs again at once; not yet: it waits on the answer.
 * Returns whether the task is held so, rather than failed.
 */
export function holdQuestion(core: Core, r: TaskRecord): boolean {
  const q = r.question;
  if (!q) return false;
  q.held = true;
  r.error = null;
  r.errorType = null;
  r.state = q.answer === null ? 'awaiting-answer' : 'ready';
  return true;
}

/** A question is dropped when its task ends otherwise (succeeds, is cancelled, skipped, retried by a person). */
export function dropQuestion(r: TaskRecord): void {
  if (r.question) r.question = null;
}

/** The Scheduler's door to this file: reads as they are, changes through the scheduler's `change` (its version). */
export class Talk {
  constructor(
    private readonly core: Core,
    private readonly change: <T>(apply: (core: Core) => T) => T,
  ) {}

  checkNote(input: NoteInput): void {
    checkNote(this.core, input);
  }

  note(input: NoteInput, now: string): NoteResult {
    return this.change((core) => note(core, input, now));
  }

  notes(input?: NotesQueryInput): Omit<NotesPage, 'parentRunId'> {
    return notesPage(this.core, input);
  }

  notesOf(taskIds: readonly string[], bytes: number): Note[] {
    return notesOf(this.core, taskIds, bytes);
  }

  checkAsk(input: AskInput): void {
    checkAsk(this.core, input);
  }

  ask(input: AskInput, now: string): { questionId: number } {
    return { questionId: this.change((core) => ask(core, input, now)).id };
  }

  question(taskId: string): QuestionView | null {
    return question(this.core, taskId);
  }

  checkAnswer(taskId: string, text: string): void {
    checkAnswer(this.core, taskId, text);
  }

  answer(taskId: string, text: string, now: string): Readonly<Question> {
    return this.change((core) => answer(core, taskId, text, now));
  }

  checkAnswerTaken(input: AnswerTakenInput): void {
    checkAnswerTaken(this.core, input);
  }

  answerTaken(input: AnswerTakenInput): void {
    this.change((core) => answerTaken(core, input));
  }

  /** An answered question whose agent had ended, for the run of the task that starts now (used once). */
  takeAnswer(taskId: string): Readonly<Question> | null {
    return this.change((core) => takeAnswer(core, taskId));
  }
}
