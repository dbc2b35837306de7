// Each intervention of DESIGN.md §4 as a validated update and as a signal with the same payload. The table at
// the end is the one place they are registered. A new intervention is a message pair and its payload schema
// (./messages.ts), the scheduler's check and change, and an entry here: what it does while the run plans (most
// do nothing then) and once it runs.
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, log, setHandler } from '@temporalio/workflow';
import type { z } from 'zod';
import type { Forward } from './children/routing.js';
import * as m from './messages.js';
import type { Planning } from './planning.js';
import { Scheduler } from './scheduler/index.js';
import type { RunStatus } from './status.js';
import { refuse } from './wording.js';

/** What interventions need of the workflow beyond the planning and the scheduler. */
export interface InterventionHooks {
  now(): string;
  status(): RunStatus;
  /** A person's intervention was applied: the next snapshot goes out at once. */
  intervened(): void;
  /** A signal was refused: kept in the run's status and the Web UI's details (./refusals.ts). */
  refused(operation: string, payload: unknown, reason: string): void;
  /** Cancels a running task's agent; settles once its end is recorded. */
  cancelTask(taskId: string, reason: string | undefined): Promise<void>;
  /** The run was aborted: cancels every running agent and the planner, and ends every sub-plan. */
  abortRunning(reason?: string): void;
  /** A note for a task was recorded: its running agent, if any, can read it (./guidance-memo.ts). */
  guided(taskId: string): void;
  /** Worktree isolation: approving a reviewed or conflicted task merges it first; undefined when not needed. */
  mergeOnApprove(taskId: string, note: string | undefined): Promise<void> | undefined;
  /** An intervention addressed to a task below this run (a path id), passed on to its child run; else undefined. */
  route<O extends m.Intervention>(operation: O, input: m.InterventionInput<O>): Forward | undefined;
  /** Runs an intervention's work in the run's own scope (./children/guard.ts). */
  inScope(work: () => Promise<void>): Promise<void>;
  /** A question was answered: the worker whose agent waits for it hears at once. */
  answered(taskId: string, questionId: number, answer: string): void;
}

/** What the run is now: planning (started from a goal, no plan yet), or running its scheduler's tasks. */
export type RunStage = () => Planning | Scheduler | undefined;

/** What an intervention does in one stage of the run: `check` throws a Refusal, `apply` acts. */
interface StageHandler<T, I> {
  check(target: T, input: I): void;
  apply(target: T, input: I, hooks: InterventionHooks): void | Promise<void>;
}

interface InterventionSpec<S extends z.ZodType> {
  operation: m.Intervention;
  update: UpdateDefinition<RunStatus, [z.input<S>]>;
  signal: SignalDefinition<[z.input<S>]>;
  schema: S;
  /** Before the run has a plan; absent: refused (the run has no tasks yet). */
  planning?: StageHandler<Planning, z.output<S>>;
  running: StageHandler<Scheduler, z.output<S>>;
}

type Registration = (stage: RunStage, hooks: InterventionHooks) => void;

/** Registers the update and the signal of one intervention; the stage is looked up once per call. */
function intervention<S extends z.ZodType>(spec: InterventionSpec<S>): Registration {
  return (stage, hooks) => {
    type Input = z.output<S>;
    const operation = spec.update.name;
    const parse = (raw: unknown): Input => {
      const parsed = spec.schema.safeParse(raw ?? {});
      if (!parsed.success) throw refuse.badPayload(operation, parsed.error.issues.map(formatIssue).join('; '));
      // Over its limit, a payload is refused whole: nothing of it reaches the run's state (DESIGN.md §4).
      const tooLarge = m.payloadTooLarge(operation, raw);
      if (tooLarge) throw refuse.tooLarge(tooLarge);
      return parsed.data;
    };
    /**
     * The handler for the run's stage now: the planning's until the run has a plan, then the scheduler's — or, for a
     * task below this run (DESIGN.md §10), the child run's it is passed on to.
     */
    const handler = (input: Input): { check(input: Input): void; apply(input: Input): void | Promise<void> } => {
      const target = stage();
      if (target instanceof Scheduler) {
        const forward = hooks.route(spec.operation, input as m.InterventionInput<typeof spec.operation>);
        if (forward) return { check: () => forward.check(), apply: () => forward.apply() };
        const running = spec.running;
        return { check: (i) => running.check(target, i), apply: (i) => running.apply(target, i, hooks) };
      }
      if (!target) throw refuse.noPlan();
      const planning = spec.planning;
      if (!planning) throw target.noTasks(operation);
      return { check: (i) => planning.check(target, i), apply: (i) => planning.apply(target, i, hooks) };
    };
    /** Applied, and said so to the snapshot (before: a change made while it waits; after: the rest). */
    const applied = async (input: Input): Promise<void> => {
      hooks.intervened();
      await hooks.inScope(async () => await handler(input).apply(input));
      hooks.intervened();
    };
    setHandler(
      spec.update,
      async (raw: unknown) => {
        await applied(parse(raw));
        return hooks.status();
      },
      {
        validator: (raw: unknown) => {
          try {
            const input = parse(raw);
            handler(input).check(input);
          } catch (err) {
            // A refusal must reach the caller as an ApplicationFailure with a plain message.
            throw ApplicationFailure.nonRetryable(err instanceof Error ? err.message : String(err), 'Refused');
          }
        },
      },
    );
    setHandler(spec.signal, async (raw: unknown) => {
      try {
        const input = parse(raw);
        handler(input).check(input);
        await applied(input);
      } catch (err) {
        // Nobody waits for a signal's answer: the run keeps the refusal where people look (status, Web UI).
        const reason = err instanceof Error ? err.message : String(err);
        hooks.refused(spec.signal.name, raw, reason);
        log.warn(`refused ${spec.signal.name} signal`, { error: reason.slice(0, 500) });
      }
    });
  };
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  // "message is 20 KB…" names its field already.
  return path && !issue.message.startsWith(`${path} `) ? `${path}: ${issue.message}` : issue.message;
}

/** Every intervention; before the run has a plan, approve, reject and abort act on the planning. */
const INTERVENTIONS = {
  approve: intervention({
    operation: 'approve',
    update: m.approveUpdate,
    signal: m.approveSignal,
    schema: m.ApproveInputSchema,
    planning: { check: (p, i) => p.checkApprove(i.taskId), apply: (p, i) => p.approve(i.note) },
    running: {
      check: (s, i) => s.checkApprove(i.taskId),
      apply: (s, i, hooks) => {
        const merging = hooks.mergeOnApprove(i.taskId!, i.note);
        if (merging) return merging;
        s.approve(i.taskId!, i.note);
      },
    },
  }),
  reject: intervention({
    operation: 'reject',
    update: m.rejectUpdate,
    signal: m.rejectSignal,
    schema: m.RejectInputSchema,
    planning: { check: (p, i) => p.checkReject(i.taskId), apply: (p, i) => p.reject(i.reason) },
    running: {
      check: (s, i) => s.checkReject(i.taskId),
      apply: (s, i, hooks) => void s.reject(i.taskId!, i.reason, hooks.now()),
    },
  }),
  pause: intervention({
    operation: 'pause',
    update: m.pauseUpdate,
    signal: m.pauseSignal,
    schema: m.PauseInputSchema,
    running: { check: (s) => s.checkPause(), apply: (s) => s.pause() },
  }),
  resume: intervention({
    operation: 'resume',
    update: m.resumeUpdate,
    signal: m.resumeSignal,
    schema: m.ResumeInputSchema,
    running: { check: (s, i) => s.checkResume(i.budgetUsd), apply: (s, i) => s.resume(i.budgetUsd) },
  }),
  retryTask: intervention({
    operation: 'retryTask',
    update: m.retryTaskUpdate,
    signal: m.retryTaskSignal,
    schema: m.RetryTaskInputSchema,
    running: {
      check: (s, i) => s.checkRetry(i.taskId, i.reset),
      apply: (s, i) => void s.retry(i.taskId, i.prompt, i.note, i.reset),
    },
  }),
  skipTask: intervention({
    operation: 'skipTask',
    update: m.skipTaskUpdate,
    signal: m.skipTaskSignal,
    schema: m.SkipTaskInputSchema,
    running: {
      check: (s, i) => s.checkSkip(i.taskId),
      apply: (s, i, hooks) => void s.skip(i.taskId, i.reason, hooks.now()),
    },
  }),
  cancelTask: intervention({
    operation: 'cancelTask',
    update: m.cancelTaskUpdate,
    signal: m.cancelTaskSignal,
    schema: m.CancelTaskInputSchema,
    running: {
      check: (s, i) => s.checkCancelTask(i.taskId),
      apply: (_s, i, hooks) => hooks.cancelTask(i.taskId, i.reason),
    },
  }),
  guide: intervention({
    operation: 'guide',
    update: m.guideUpdate,
    signal: m.guideSignal,
    schema: m.GuideInputSchema,
    running: {
      check: (s, i) => s.checkGuide(i.taskId, i.message),
      apply: (s, i, hooks) => {
        s.guide(i.taskId, i.message, hooks.now());
        hooks.guided(i.taskId);
      },
    },
  }),
  addTasks: intervention({
    operation: 'addTasks',
    update: m.addTasksUpdate,
    signal: m.addTasksSignal,
    schema: m.AddTasksInputSchema,
    running: { check: (s, i) => s.checkAddTasks(i.tasks), apply: (s, i) => void s.addTasks(i.tasks) },
  }),
  abort: intervention({
    operation: 'abort',
    update: m.abortUpdate,
    signal: m.abortSignal,
    schema: m.AbortInputSchema,
    planning: {
      check: (p) => p.checkAbort(),
      apply: (p, i, hooks) => {
        p.abort(i.reason, hooks.now());
        hooks.abortRunning(i.reason);
      },
    },
    running: {
      check: (s) => s.checkAbort(),
      apply: (s, i, hooks) => {
        s.abort(i.reason);
        hooks.abortRunning(i.reason);
      },
    },
  }),
  answer: intervention({
    operation: 'answer',
    update: m.answerUpdate,
    signal: m.answerSignal,
    schema: m.AnswerInputSchema,
    running: {
      check: (s, i) => s.talk.checkAnswer(i.taskId, i.text),
      apply: (s, i, hooks) => {
        const question = s.talk.answer(i.taskId, i.text, hooks.now());
        hooks.answered(i.taskId, question.id, i.text);
      },
    },
  }),
} satisfies Record<m.Intervention, Registration>;

/** Registers every intervention's update and signal (DESIGN.md §4). */
export function registerInterventions(stage: RunStage, hooks: InterventionHooks): void {
  for (const register of Object.values(INTERVENTIONS)) register(stage, hooks);
}
