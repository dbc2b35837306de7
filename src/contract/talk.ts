// What an agent's notes and questions (DESIGN §13) carry between the agent's activity and its run: the messages
// the activity sends the workflow, their shapes and their bounds. Pure (no imports with side effects): the
// workflow, the activity and clients import it alike.
import type { QueryDefinition, UpdateDefinition } from '@temporalio/common';
import type { Sinks } from '@temporalio/workflow';

/** A note an agent recorded in the run (status `notes`). */
export interface Note {
  key: string;
  text: string;
  /** The task whose agent wrote it. */
  taskId: string;
  at: string;
}

/** Bounds of what agents may record: notes and questions are data kept in history, never more than this. */
export const TALK_LIMITS = {
  /** Characters of a note's key. */
  keyChars: 200,
  /** UTF-8 bytes of a note's text. */
  noteBytes: 4 * 1024,
  /** Notes in one run (a key written again replaces its note and does not count twice). */
  notesPerRun: 1000,
  /** UTF-8 bytes of a question. */
  questionBytes: 4 * 1024,
  /** UTF-8 bytes of a person's answer. */
  answerBytes: 16 * 1024,
} as const;

/** UTF-8 length of a string, without TextEncoder (not every workflow sandbox has one). */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** Who calls: the agent of one run (generation) of a task. A call of an earlier generation is refused. */
export interface AgentScope {
  taskId: string;
  generation: number;
}

export interface NoteInput extends AgentScope {
  key: string;
  text: string;
}

export interface NoteResult {
  /** The key replaced an earlier note (of any task) rather than adding one. */
  replaced: boolean;
  /** Notes in the run now. */
  count: number;
}

export interface NotesQueryInput {
  /** Only notes whose key or text contains this (case-insensitive). */
  query?: string;
  /** Only notes written by these tasks. */
  taskIds?: string[];
  /** Newest first: skip this many, return at most `limit`. */
  offset?: number;
  limit?: number;
}

export interface NotesPage {
  /** Newest first. */
  notes: Note[];
  /** Notes that match in all (this page is a slice of them). */
  total: number;
  /** The workflow id of the run this one is part of (a sub-plan's parent run), whose notes the agent sees too. */
  parentRunId: string | null;
}

export interface AskInput extends AgentScope {
  question: string;
  /** The Claude conversation that asks: continued with the answer if the attempt that asked ends first. */
  sessionId: string;
}

/** A task's question, as the activity that waits for its answer reads it. */
export interface QuestionView {
  id: number;
  question: string;
  askedAt: string;
  answer: string | null;
  answeredAt: string | null;
  /** Generation of the task that asked. */
  generation: number;
}

export interface AnswerTakenInput extends AgentScope {
  questionId: number;
}

// Plain objects, as @temporalio/workflow's defineQuery/defineUpdate return them (see workflows/messages.ts).
const defineQuery = <R, A extends unknown[] = []>(name: string) => ({ type: 'query', name }) as QueryDefinition<R, A>;
const defineUpdate = <R, A extends unknown[] = []>(name: string) =>
  ({ type: 'update', name }) as UpdateDefinition<R, A>;

/** An agent records a note (mcp__baton__note). */
export const noteUpdate = defineUpdate<NoteResult, [NoteInput]>('note');
/** An agent asks a person (mcp__baton__ask): the task waits on the answer. */
export const askUpdate = defineUpdate<{ questionId: number }, [AskInput]>('ask');
/** The agent's activity has the answer: the question is closed. */
export const answerTakenUpdate = defineUpdate<void, [AnswerTakenInput]>('answerTaken');
/** The run's notes (mcp__baton__notes, `baton notes`). */
export const notesQuery = defineQuery<NotesPage, [NotesQueryInput?]>('notes');
/** A task's open question, if any. */
export const questionQuery = defineQuery<QuestionView | null, [string]>('question');

/** The workflow's word to its worker that a question was answered (a sink: the waiting activity wakes at once). */
export interface AnswerSinks extends Sinks {
  agentAnswers: {
    answered(taskId: string, questionId: number, answer: string): void;
  };
}
