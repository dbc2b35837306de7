// The plan format v1 (DESIGN.md §2). Pure: safe to import from workflow code. Every run on a worker shares this
// module (SHARED_WORKFLOW_MODULES, src/workers/workflow-code.ts): it holds nothing of one run.
import { z } from 'zod';

export const ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export const TaskIdSchema = z
  .string()
  .regex(
    ID_PATTERN,
    'must be 1–63 characters of lowercase letters, digits, ".", "_" or "-", starting with a letter or digit',
  )
  .refine((id) => !id.includes('..'), 'must not contain ".."')
  // Ids also name git branches (worktree isolation), and git refuses a name ending in "." or ".lock".
  .refine((id) => !id.endsWith('.') && !id.endsWith('.lock'), 'must not end with "." or ".lock"');

/**
 * The longest duration a plan may give (30 days): longer than any agent attempt should run, and what timers and
 * Temporal's timeouts take (a timeout of 1e308 seconds would only fail when the run starts).
 */
export const MAX_DURATION_MS = 30 * 24 * 3_600_000;
const MAX_DURATION_TEXT = 'must be at most 720h (30 days)';

/** "90s", "30m", "2h", "500ms" or a number of seconds. */
export const DurationSchema = z.union([
  z
    .number()
    .positive()
    .max(MAX_DURATION_MS / 1000, MAX_DURATION_TEXT),
  z
    .string()
    .regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'must be a duration such as "90s", "30m" or "2h"')
    .refine((duration) => !/^[0.]+[a-z]+$/.test(duration), 'must be longer than zero')
    .refine((duration) => (textDurationMs(duration) ?? 0) <= MAX_DURATION_MS, MAX_DURATION_TEXT),
]);
export type Duration = z.infer<typeof DurationSchema>;

export const PermissionMode = {
  Default: 'default',
  AcceptEdits: 'acceptEdits',
  BypassPermissions: 'bypassPermissions',
  Plan: 'plan',
} as const;
export type PermissionMode = (typeof PermissionMode)[keyof typeof PermissionMode];

export const Approval = { None: 'none', Before: 'before', After: 'after' } as const;
export type Approval = (typeof Approval)[keyof typeof Approval];

export const OnFailure = { Wait: 'wait', Fail: 'fail', Continue: 'continue' } as const;
export type OnFailure = (typeof OnFailure)[keyof typeof OnFailure];

export const Isolation = { None: 'none', Worktree: 'worktree' } as const;
export type Isolation = (typeof Isolation)[keyof typeof Isolation];

/**
 * A Temporal task queue name (plan field `taskQueue`, BATON_TASK_QUEUE, `baton worker --task-queue`). Temporal
 * takes almost any string; baton asks for one that reads the same in a shell, a YAML file and a metric label.
 */
export const TASK_QUEUE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,199}$/;
export const TaskQueueSchema = z
  .string()
  .regex(
    TASK_QUEUE_PATTERN,
    'must be a task queue name: 1–200 letters, digits, ".", "_", "-", ":", "/" or "@", starting with a letter or digit',
  );

const toolName = z
  .string()
  .min(1)
  .regex(/^[^,\s]/, 'must be a tool name');

/** The fields a task may take from `defaults`. */
export const TaskSettingsSchema = z.strictObject({
  agent: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  maxTurns: z.number().int().positive().max(100_000).optional(),
  timeout: DurationSchema.optional(),
  retries: z.number().int().min(0).max(100).optional(),
  permissionMode: z.enum(Object.values(PermissionMode) as [PermissionMode, ...PermissionMode[]]).optional(),
  allowedTools: z.array(toolName).optional(),
  /** The task queue whose workers run this task's agent (default: the run's own queue). */
  taskQueue: TaskQueueSchema.optional(),
});
export type TaskSettings = z.infer<typeof TaskSettingsSchema>;

export const AgentDefinitionSchema = z.strictObject({
  description: z.string().min(1),
  prompt: z.string().min(1),
  tools: z.array(toolName).optional(),
  disallowedTools: z.array(toolName).optional(),
  model: z.string().min(1).optional(),
});
export type AgentDefinition = z.infer<typeof AgentDefinitionSchema>;

/** How deep plans may nest by default: the plan, its sub-plans and theirs (DESIGN.md §10). */
export const DEFAULT_MAX_DEPTH = 3;
/** The most levels any plan may allow. */
export const MAX_DEPTH_LIMIT = 10;

/** Bounds of a task's `verify` commands (DESIGN.md §11): they travel in history with the plan. */
export const VERIFY_LIMITS = { commands: 16, args: 64, argChars: 1000, rounds: 10 } as const;
/** Fix-and-verify rounds a task gets when its plan does not say (`verifyRounds`). */
export const DEFAULT_VERIFY_ROUNDS = 2;

/** One command as an argv list, run without a shell: `[npm, test]`, never "npm test && …". */
const VerifyCommandSchema = z
  .array(
    z
      .string()
      .max(VERIFY_LIMITS.argChars)
      .refine((arg) => !arg.includes('\u0000'), 'must not hold a NUL character'),
  )
  .min(1, 'must name a program: a command is a list such as [npm, test]')
  .max(VERIFY_LIMITS.args)
  .refine((argv) => argv[0] !== '', 'must start with a program, not an empty string');

const ApprovalSchema = z.enum(Object.values(Approval) as [Approval, ...Approval[]]);
const OnFailureSchema = z.enum(Object.values(OnFailure) as [OnFailure, ...OnFailure[]]);
const MaxParallelSchema = z.number().int().min(1).max(1000);
const MaxDepthSchema = z.number().int().min(1).max(MAX_DEPTH_LIMIT);

export const TaskSchema = z
  .strictObject({
    ...TaskSettingsSchema.shape,
    id: TaskIdSchema,
    title: z.string().min(1).optional(),
    /** What one agent does. A task has a prompt, a `plan` or a `goal` (src/plan/hierarchy.ts checks: one of them). */
    prompt: z.string().min(1, 'must not be empty').optional(),
    /**
     * A sub-plan run as a child workflow: a file (relative to the plan that names it; baton inlines it when it loads
     * the plan) or an inline `{ tasks: [...] }`.
     */
    get plan(): z.ZodOptional<z.ZodUnion<readonly [z.ZodString, typeof SubPlanSchema]>> {
      return z.union([z.string().min(1, 'must not be empty'), SubPlanSchema]).optional();
    },
    /** A goal a planner agent turns into the sub-plan when the task starts. */
    goal: z.string().min(1, 'must not be empty').optional(),
    dependsOn: z.array(TaskIdSchema).default([]),
    priority: z.number().int().min(-1_000_000).max(1_000_000).default(0),
    approval: ApprovalSchema.default('none'),
    contextFiles: z.array(z.string().min(1)).default([]),
    expectedOutputs: z.array(z.string().min(1)).default([]),
    /** Commands that must pass in the task's workspace after its agent ends (DESIGN.md §11). */
    verify: z.array(VerifyCommandSchema).max(VERIFY_LIMITS.commands).optional(),
    /** Times a failing verify resumes the agent's conversation with the failure (default DEFAULT_VERIFY_ROUNDS). */
    verifyRounds: z.number().int().min(0).max(VERIFY_LIMITS.rounds).optional(),
  })
  .meta({ id: 'task' }); // the JSON Schema's name of the recursive part (docs/plan.schema.json)
export type Task = z.infer<typeof TaskSchema>;
export type TaskInput = z.input<typeof TaskSchema>;

/**
 * A task's sub-plan (DESIGN.md §10): its tasks and what it sets for them; the rest (workspace, defaults, agents,
 * onFailure, maxParallel) it takes from the plan above it. A sub-plan file is a whole plan, inlined as this.
 */
export const SubPlanSchema = z
  .strictObject({
    name: TaskIdSchema.optional(),
    goal: z.string().min(1).optional(),
    maxParallel: MaxParallelSchema.optional(),
    onFailure: OnFailureSchema.optional(),
    budgetUsd: z.number().positive().optional(),
    maxDepth: MaxDepthSchema.optional(),
    defaults: TaskSettingsSchema.optional(),
    agents: z.record(TaskIdSchema, AgentDefinitionSchema).optional(),
    get tasks(): z.ZodArray<typeof TaskSchema> {
      return z.array(TaskSchema).min(1, 'a plan needs at least one task');
    },
  })
  .meta({ id: 'subPlan' });
export type SubPlan = z.infer<typeof SubPlanSchema>;

/**
 * A git remote every host reaches (a URL, or the path of a bare repository): with worktree isolation, task
 * branches, the integration branch and checkpoints of unfinished work live there (DESIGN §12). Git is given it as
 * an argument: a value git could read as an option, or a transport that runs a command, is refused here.
 */
const RemoteSchema = z
  .string()
  .min(1)
  .refine((value) => !value.startsWith('-'), 'must not start with "-" (git would read it as an option)')
  .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), 'must not hold control characters or line breaks')
  .refine(
    (value) => !/^[A-Za-z][A-Za-z0-9+.-]*::/.test(value),
    'must be a URL or a path, not a "<transport>::" address',
  );

export const WorkspaceSchema = z
  .strictObject({
    repo: z.string().min(1).default('.'),
    isolation: z.enum(Object.values(Isolation) as [Isolation, ...Isolation[]]).default('none'),
    remote: RemoteSchema.optional(),
  })
  .refine((workspace) => workspace.remote === undefined || workspace.isolation === 'worktree', {
    message: 'remote is used by worktree isolation only: set isolation: worktree, or leave remote out',
    path: ['remote'],
  });
export type Workspace = z.infer<typeof WorkspaceSchema>;

export const PlanSchema = z.strictObject({
  version: z.literal(1, 'must be 1 (the only plan format version)'),
  name: TaskIdSchema,
  goal: z.string().min(1).optional(),
  maxParallel: MaxParallelSchema.default(4),
  onFailure: OnFailureSchema.default('wait'),
  budgetUsd: z.number().positive().max(1_000_000).optional(),
  /** How many levels of plans may nest: this plan is level 1 (default DEFAULT_MAX_DEPTH). */
  maxDepth: MaxDepthSchema.optional(),
  defaults: TaskSettingsSchema.optional(),
  workspace: WorkspaceSchema.optional(),
  agents: z.record(TaskIdSchema, AgentDefinitionSchema).optional(),
  /**
   * Commands that must pass on the integration branch after each task's merge (DESIGN.md §11; worktree isolation
   * only: validate.ts says so, a refinement here would keep `omit` from the planner's schema).
   */
  verify: z.array(VerifyCommandSchema).max(VERIFY_LIMITS.commands).optional(),
  tasks: z.array(TaskSchema).min(1, 'a plan needs at least one task'),
});
export type Plan = z.infer<typeof PlanSchema>;
export type PlanInput = z.input<typeof PlanSchema>;

/** Built-in values for settings that neither the task nor `defaults` gives. */
export const BUILTIN_DEFAULTS = {
  timeout: '30m',
  retries: 3,
  permissionMode: 'acceptEdits',
} as const satisfies TaskSettings;

/** A task with `defaults` and the built-in defaults applied. */
export type EffectiveTask = Task & {
  /** The agent's prompt ('' for a task that runs a sub-plan: it has no agent). */
  prompt: string;
  timeout: Duration;
  retries: number;
  permissionMode: PermissionMode;
  title: string;
};

export function effectiveTask(plan: Pick<Plan, 'defaults'>, task: Task): EffectiveTask {
  const merged = { ...BUILTIN_DEFAULTS, ...stripUndefined(plan.defaults ?? {}), ...stripUndefined(task) };
  return { ...merged, prompt: task.prompt ?? '', title: task.title ?? task.id } as EffectiveTask;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The plan's tasks with the task queue each is routed to (`taskQueue`, its own or from `defaults`). */
export function routedTasks(plan: Plan | undefined): { id: string; taskQueue: string | undefined }[] {
  return (plan?.tasks ?? []).map((task) => ({ id: task.id, taskQueue: effectiveTask(plan!, task).taskQueue }));
}

/** The plan with every task on the run's own queue (a rehearsal must not send work to real workers), sub-plans too. */
export function withoutRouting<P extends Pick<Plan, 'defaults' | 'tasks'>>(plan: P): P {
  const defaults = plan.defaults ? { ...plan.defaults, taskQueue: undefined } : undefined;
  const tasks = plan.tasks.map((task) => {
    const sub = typeof task.plan === 'object' ? { plan: withoutRouting(task.plan) } : {};
    return { ...task, taskQueue: undefined, ...sub };
  });
  return { ...plan, defaults, tasks };
}

/** Whether the task runs a sub-plan (`plan` or `goal`) as a child workflow instead of one agent. */
export function isSubPlanTask(task: Pick<Task, 'plan' | 'goal'>): boolean {
  return task.plan !== undefined || task.goal !== undefined;
}

/** Milliseconds of a duration. */
export function durationMs(duration: Duration): number {
  if (typeof duration === 'number') return duration * 1000;
  const ms = textDurationMs(duration);
  if (ms === undefined) throw new Error(`not a duration: ${duration}`);
  return ms;
}

/** Milliseconds of a duration written as text ("90s"), or undefined when it is not one. */
function textDurationMs(duration: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(duration);
  if (!match) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}
