// The payload schemas of the agents' updates (./talk.ts registers them). A module of schemas only, shared by every
// run on a worker (SHARED_WORKFLOW_MODULES, src/workers/workflow-code.ts): built once per worker, not once per run.
import { z } from 'zod';

const scope = {
  taskId: z.string({ error: 'taskId must be a task id' }).min(1, 'taskId must not be empty'),
  generation: z.number({ error: 'generation must be a number' }).int().positive(),
};
export const NoteInputSchema = z.strictObject({
  ...scope,
  key: z.string({ error: 'key must be a string' }),
  text: z.string({ error: 'text must be a string' }),
});
export const AskInputSchema = z.strictObject({
  ...scope,
  question: z.string({ error: 'question must be a string' }),
  sessionId: z.string({ error: 'sessionId must be a string' }).min(1, 'sessionId must not be empty'),
});
export const AnswerTakenInputSchema = z.strictObject({ ...scope, questionId: z.number().int().positive() });
