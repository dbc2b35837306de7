// The run's side of its agents' tools (DESIGN §13): the updates and queries their activities send when an agent
// records a note, reads the notes, or asks a person. Each update is validated (a refusal reaches the agent as its
// tool's error, and nothing is recorded); a person's answer is an intervention (./interventions.ts).
import { ApplicationFailure, setHandler, workflowInfo } from '@temporalio/workflow';
import type { z } from 'zod';
import {
  answerTakenUpdate,
  askUpdate,
  noteUpdate,
  notesQuery,
  questionQuery,
  type NotesQueryInput,
} from '../contract/talk.js';
import type { RunStage } from './interventions.js';
import { Scheduler } from './scheduler/index.js';
import { AnswerTakenInputSchema, AskInputSchema, NoteInputSchema } from './talk-schemas.js';
import { refuse } from './wording.js';

/** Where the run's notes come from and what happens after a change. */
export interface TalkHooks {
  now(): string;
  /** Something changed that people see: the next snapshot goes out at once. */
  changed(): void;
}

/** Registers the agents' updates and queries; the run's scheduler answers them once it has one. */
export function registerTalk(stage: RunStage, hooks: TalkHooks): void {
  const scheduler = (operation: string): Scheduler => {
    const target = stage();
    if (target instanceof Scheduler) return target;
    if (!target) throw refuse.noPlan();
    throw target.noTasks(operation);
  };
  /** An update whose payload is parsed by `schema` and checked by `check`; a refusal is the caller's error. */
  const validated =
    <S extends z.ZodType>(operation: string, schema: S, check: (s: Scheduler, input: z.output<S>) => void) =>
    (raw: unknown): void => {
      try {
        const parsed = schema.safeParse(raw ?? {});
        if (!parsed.success) throw refuse.badPayload(operation, parsed.error.issues.map((i) => i.message).join('; '));
        check(scheduler(operation), parsed.data);
      } catch (err) {
        throw ApplicationFailure.nonRetryable(err instanceof Error ? err.message : String(err), 'Refused');
      }
    };

  setHandler(
    noteUpdate,
    (input) => {
      const result = scheduler('note').talk.note(input, hooks.now());
      hooks.changed();
      return result;
    },
    { validator: validated('note', NoteInputSchema, (s, i) => s.talk.checkNote(i)) },
  );
  setHandler(
    askUpdate,
    (input) => {
      const result = scheduler('ask').talk.ask(input, hooks.now());
      hooks.changed();
      return result;
    },
    { validator: validated('ask', AskInputSchema, (s, i) => s.talk.checkAsk(i)) },
  );
  setHandler(
    answerTakenUpdate,
    (input) => {
      scheduler('answerTaken').talk.answerTaken(input);
      hooks.changed();
    },
    { validator: validated('answerTaken', AnswerTakenInputSchema, (s, i) => s.talk.checkAnswerTaken(i)) },
  );
  setHandler(notesQuery, (input?: NotesQueryInput) => {
    const target = stage();
    const page = target instanceof Scheduler ? target.talk.notes(input) : { notes: [], total: 0 };
    // A sub-plan's run: its agents read the notes of the runs above it too (the activity asks each in turn).
    return { ...page, parentRunId: workflowInfo().parent?.workflowId ?? null };
  });
  setHandler(questionQuery, (taskId: string) => scheduler('question').talk.question(taskId));
}
