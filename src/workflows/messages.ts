// Messages of the orchestrate workflow (DESIGN.md §4), defined once and imported by every client.
// Each intervention is an update (validated, answers) and a signal with the same payload. Every run on a worker
// shares this module (SHARED_WORKFLOW_MODULES, src/workers/workflow-code.ts): it holds nothing of one run.
import type { QueryDefinition, SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { z } from 'zod';
import { TaskSchema, type Plan } from '../plan/schema.js';
import type { RunStatus } from './status.js';

// What @temporalio/workflow's defineQuery, defineSignal and defineUpdate return: plain objects. Made here, clients
// (every `baton` command that talks to a run) need not load the workflow SDK for them.
const defineQuery = <R, A extends unknown[] = []>(name: string) => ({ type: 'query', name }) as QueryDefinition<R, A>;
const defineSignal = <A extends unknown[] = []>(name: string) => ({ type: 'signal', name }) as SignalDefinition<A>;
const defineUpdate = <R, A extends unknown[] = []>(name: string) =>
  ({ type: 'update', name }) as UpdateDefinition<R, A>;

const taskId = z
  .string({ error: 'taskId must be a task id (a string)' })
  .min(1, 'taskId must not be empty')
  .max(1000, 'taskId is far longer than any task id')
  .describe("The task's id; a task of a sub-plan by its path id, such as backend/db (DESIGN.md §10).");

/**
 * Payload limits (DESIGN.md §4): each text field at most 16 KB, an addTasks payload at most 256 KB, any other
 * payload at most 64 KB. Larger ones are refused, so nothing of them is carried in the run's state.
 */
export const PAYLOAD_LIMITS = { textBytes: 16 * 1024, addTasksBytes: 256 * 1024, otherBytes: 64 * 1024 } as const;

/** Bytes of `text` in UTF-8 (the workflow sandbox has no Buffer). */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

const kb = (bytes: number): string => `${Math.ceil(bytes / 1024)} KB`;

/** A text field of a payload: `note`, `reason`, `prompt`, `message`. */
const text = (name: string, required = false) =>
  z.string({ error: required ? `${name} is required (a string)` : `${name} must be a string` }).check((ctx) => {
    const bytes = utf8Bytes(ctx.value);
    if (bytes > PAYLOAD_LIMITS.textBytes) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        message: `${name} is ${kb(bytes)}; at most ${kb(PAYLOAD_LIMITS.textBytes)} is accepted (put longer text in a file the task reads)`,
      });
    }
  });

/** Why a whole payload is too large to take, or undefined. */
export function payloadTooLarge(operation: string, payload: unknown): string | undefined {
  const limit = operation === 'addTasks' ? PAYLOAD_LIMITS.addTasksBytes : PAYLOAD_LIMITS.otherBytes;
  let bytes: number;
  try {
    bytes = utf8Bytes(JSON.stringify(payload) ?? '');
  } catch {
    return 'the payload cannot be read as JSON';
  }
  return bytes > limit ? `the ${operation} payload is ${kb(bytes)}; at most ${kb(limit)} is accepted` : undefined;
}

export const ApproveInputSchema = z.strictObject({ taskId: taskId.optional(), note: text('note').optional() });
export const RejectInputSchema = z.strictObject({
  taskId: taskId.optional(),
  reason: text('reason', true).min(1, 'reason must not be empty'),
});
export const PauseInputSchema = z.strictObject({});
export const ResumeInputSchema = z.strictObject({
  budgetUsd: z.number({ error: 'budgetUsd must be a number' }).positive('budgetUsd must be positive').optional(),
});
export const RetryTaskInputSchema = z.strictObject({
  taskId,
  prompt: text('prompt').min(1, 'prompt must not be empty').optional(),
  note: text('note').optional(),
  /** Worktree isolation: start from a clean worktree instead of the last attempt's partial work. */
  reset: z.boolean({ error: 'reset must be true or false' }).optional(),
});
export const SkipTaskInputSchema = z.strictObject({ taskId, reason: text('reason').optional() });
export const CancelTaskInputSchema = z.strictObject({ taskId, reason: text('reason').optional() });
export const GuideInputSchema = z.strictObject({
  taskId,
  message: text('message', true).min(1, 'message must not be empty'),
});
export const AddTasksInputSchema = z.strictObject({
  tasks: z.array(TaskSchema, { error: 'tasks must be a list of tasks' }).min(1, 'tasks must not be empty'),
});
export const AbortInputSchema = z.strictObject({ reason: text('reason').optional() });
/** A person's answer to the question a task's agent asked (DESIGN §13). */
export const AnswerInputSchema = z.strictObject({
  taskId,
  text: z.string({ error: 'text is required (the answer, a string)' }).min(1, 'text must not be empty'),
});

export type ApproveInput = z.input<typeof ApproveInputSchema>;
export type RejectInput = z.input<typeof RejectInputSchema>;
export type PauseInput = z.input<typeof PauseInputSchema>;
export type ResumeInput = z.input<typeof ResumeInputSchema>;
export type RetryTaskInput = z.input<typeof RetryTaskInputSchema>;
export type SkipTaskInput = z.input<typeof SkipTaskInputSchema>;
export type CancelTaskInput = z.input<typeof CancelTaskInputSchema>;
export type GuideInput = z.input<typeof GuideInputSchema>;
export type AddTasksInput = z.input<typeof AddTasksInputSchema>;
export type AbortInput = z.input<typeof AbortInputSchema>;
export type AnswerInput = z.input<typeof AnswerInputSchema>;

/** What an update answers: the run's status after the change. */
export type InterventionResult = RunStatus;

/** Optional argument of the status query: a page of the tasks, e.g. `{ offset: 0, limit: 500 }`. */
export interface StatusQueryInput {
  offset?: number;
  limit?: number;
}
export const statusQuery = defineQuery<RunStatus, [StatusQueryInput?]>('status');
export const planQuery = defineQuery<Plan | null>('plan');
// A running agent's side of `guide` (DESIGN §11): which notes reached the model.
export { guidanceDeliveredSignal } from '../contract/guidance.js';

export const approveUpdate = defineUpdate<InterventionResult, [ApproveInput]>('approve');
export const rejectUpdate = defineUpdate<InterventionResult, [RejectInput]>('reject');
export const pauseUpdate = defineUpdate<InterventionResult, [PauseInput]>('pause');
export const resumeUpdate = defineUpdate<InterventionResult, [ResumeInput]>('resume');
export const retryTaskUpdate = defineUpdate<InterventionResult, [RetryTaskInput]>('retryTask');
export const skipTaskUpdate = defineUpdate<InterventionResult, [SkipTaskInput]>('skipTask');
export const cancelTaskUpdate = defineUpdate<InterventionResult, [CancelTaskInput]>('cancelTask');
export const guideUpdate = defineUpdate<InterventionResult, [GuideInput]>('guide');
export const addTasksUpdate = defineUpdate<InterventionResult, [AddTasksInput]>('addTasks');
export const abortUpdate = defineUpdate<InterventionResult, [AbortInput]>('abort');
export const answerUpdate = defineUpdate<InterventionResult, [AnswerInput]>('answer');

export const approveSignal = defineSignal<[ApproveInput]>('approve');
export const rejectSignal = defineSignal<[RejectInput]>('reject');
export const pauseSignal = defineSignal<[PauseInput]>('pause');
export const resumeSignal = defineSignal<[ResumeInput]>('resume');
export const retryTaskSignal = defineSignal<[RetryTaskInput]>('retryTask');
export const skipTaskSignal = defineSignal<[SkipTaskInput]>('skipTask');
export const cancelTaskSignal = defineSignal<[CancelTaskInput]>('cancelTask');
export const guideSignal = defineSignal<[GuideInput]>('guide');
export const addTasksSignal = defineSignal<[AddTasksInput]>('addTasks');
export const abortSignal = defineSignal<[AbortInput]>('abort');
export const answerSignal = defineSignal<[AnswerInput]>('answer');

/** The intervention names, for CLIs and MCP tools that dispatch by name. */
export const INTERVENTIONS = [
  'approve',
  'reject',
  'pause',
  'resume',
  'retryTask',
  'skipTask',
  'cancelTask',
  'guide',
  'addTasks',
  'abort',
  'answer',
] as const;
export type Intervention = (typeof INTERVENTIONS)[number];

/** Each intervention's payload, as a caller gives it. */
export interface InterventionInputs {
  approve: ApproveInput;
  reject: RejectInput;
  pause: PauseInput;
  resume: ResumeInput;
  retryTask: RetryTaskInput;
  skipTask: SkipTaskInput;
  cancelTask: CancelTaskInput;
  guide: GuideInput;
  addTasks: AddTasksInput;
  abort: AbortInput;
  answer: AnswerInput;
}
export type InterventionInput<O extends Intervention> = InterventionInputs[O];

/** Each intervention's update, typed by its payload: callers that dispatch by name keep the payload's type. */
export const interventionUpdates: {
  [O in Intervention]: UpdateDefinition<InterventionResult, [InterventionInput<O>]>;
} = {
  approve: approveUpdate,
  reject: rejectUpdate,
  pause: pauseUpdate,
  resume: resumeUpdate,
  retryTask: retryTaskUpdate,
  skipTask: skipTaskUpdate,
  cancelTask: cancelTaskUpdate,
  guide: guideUpdate,
  addTasks: addTasksUpdate,
  abort: abortUpdate,
  answer: answerUpdate,
};

/** Each intervention's signal (a run passes those addressed to a sub-plan's tasks on to its child run). */
export const interventionSignals: {
  [O in Intervention]: SignalDefinition<[InterventionInput<O>]>;
} = {
  approve: approveSignal,
  reject: rejectSignal,
  pause: pauseSignal,
  resume: resumeSignal,
  retryTask: retryTaskSignal,
  skipTask: skipTaskSignal,
  cancelTask: cancelTaskSignal,
  guide: guideSignal,
  addTasks: addTasksSignal,
  abort: abortSignal,
  answer: answerSignal,
};

/** Each intervention's payload schema (what the workflow checks a payload against). */
export const interventionSchemas = {
  approve: ApproveInputSchema,
  reject: RejectInputSchema,
  pause: PauseInputSchema,
  resume: ResumeInputSchema,
  retryTask: RetryTaskInputSchema,
  skipTask: SkipTaskInputSchema,
  cancelTask: CancelTaskInputSchema,
  guide: GuideInputSchema,
  addTasks: AddTasksInputSchema,
  abort: AbortInputSchema,
  answer: AnswerInputSchema,
} as const satisfies Record<Intervention, z.ZodObject>;

/** The task an intervention's payload names, if any. */
export function taskIdOf(payload: InterventionInputs[Intervention]): string | undefined {
  return 'taskId' in payload ? payload.taskId : undefined;
}
