// The planGoal activity (DESIGN.md §1, issue 4): one `claude -p --json-schema <plan schema>` asks a planner agent
// for a plan (claude-attempt.ts runs it), and the answer is checked by the same rules as a plan file, plus: every
// agent it assigns exists (check-planned-plan.ts). The workflow decides what to do with the verdict (accept, send
// the problems back, ask a person).
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { DEFAULT_MAX_DEPTH, PlanSchema, TaskSchema } from '../plan/schema.js';
import type { PlanGoalFacts, PlanGoalInput, PlanGoalResult } from '../contract/planner.js';
import { FailureType } from '../contract/failures.js';
import type { ActivityDeps } from './activity-deps.js';
import { defaultAgentsDir, readAgentsDir } from './agents-dir.js';
import { attemptPaths } from './artifact-paths.js';
import { checkPlannedPlan } from './check-planned-plan.js';
import { runClaudeAttempt } from './claude-attempt.js';
import { cannotStart } from './claude-preflight.js';
import { checkPlannerPolicy } from './policy-check.js';
import { OWNER_ONLY_DIR, ownerOnlyFile } from '../files/owner-only.js';
import type { Classification } from './classify.js';
import { buildPlannerPrompt, readPlannerInstructions } from './planner-prompt.js';

export interface PlannerHeartbeat {
  sessionId: string;
  turns: number;
  lastTool?: string;
  transcriptPath: string;
}

/** How the planner runs outside an activity (`baton plan --goal`): no heartbeat, a signal of its own. */
export interface PlannerControl {
  attempt: number;
  heartbeat?: (details: PlannerHeartbeat) => void;
  signal?: AbortSignal;
}

export const DEFAULT_PLANNER_TIMEOUT_MS = 20 * 60_000;

/** Artifacts of planning live beside the tasks' under a name no task id can take (ids start with [a-z0-9]). */
export const PLANNER_ARTIFACT_DIR = '_planner';

/**
 * The plan's JSON Schema as claude's `--json-schema` takes it. Draft 7: with zod's default draft 2020-12
 * `$schema`, Claude Code 2.1.197 silently leaves out the StructuredOutput tool (measured), and the model
 * cannot answer. claude checks answers against it and asks the model again, so shape errors never reach us.
 */
export function plannerJsonSchema(subGoals = true): Record<string, unknown> {
  // A planner writes tasks with prompts, or sub-goals a planner of their own plans (never inline sub-plans): the
  // schema stays flat, and where plans may nest no deeper it has no `goal` either.
  const task = subGoals
    ? TaskSchema.omit({ plan: true })
    : TaskSchema.omit({ plan: true, goal: true }).extend({ prompt: z.string().min(1) });
  const planned = PlanSchema.omit({ maxDepth: true }).extend({ tasks: z.array(task).min(1) });
  return z.toJSONSchema(planned, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
}

export function createPlanActivities(deps: ActivityDeps) {
  return {
    async planGoal(input: PlanGoalInput): Promise<PlanGoalResult> {
      const ctx = Context.current();
      checkPlannerPolicy(deps, input.cwd, { attempt: ctx.info.attempt, costUsd: 0 });
      const { result } = await runPlanner(deps, input, {
        attempt: ctx.info.attempt,
        heartbeat: (details) => ctx.heartbeat(details),
        signal: ctx.cancellationSignal,
      });
      return result;
    },
  };
}

/**
 * One planner attempt: ask, then check the answer. Throws (ApplicationFailure) only when claude itself failed.
 * `raw` is the answer as given (relative paths, no defaults filled in): what `baton plan` writes out.
 */
export async function runPlanner(
  deps: ActivityDeps,
  input: PlanGoalInput,
  control: PlannerControl,
): Promise<{ result: PlanGoalResult; raw: unknown }> {
  const paths = attemptPaths(deps.artifactsDir, {
    runId: input.runId,
    taskId: PLANNER_ARTIFACT_DIR,
    generation: input.round,
    attempt: control.attempt,
  });
  const sessionId = randomUUID();
  const facts: PlanGoalFacts = {
    round: input.round,
    costUsd: 0,
    sessionId,
    transcriptPath: paths.transcript,
    rawPath: null,
  };
  const fail = (verdict: Classification): ApplicationFailure =>
    ApplicationFailure.create({
      type: verdict.type,
      message: `planner: ${verdict.message}`,
      nonRetryable: !verdict.retryable,
      details: [{ attempt: control.attempt, sessionId, costUsd: facts.costUsd, transcriptPath: paths.transcript }],
    });
  const cannot = cannotStart(deps.claudeBin, input.cwd, 'the project folder');
  if (cannot) throw fail(cannot);

  const agentsDir = input.agentsDir ?? defaultAgentsDir(input.cwd);
  const { agents } = await readAgentsDir(agentsDir);
  const prompt = buildPlannerPrompt({
    instructions: await readPlannerInstructions(),
    goal: input.goal,
    cwd: input.cwd,
    agents,
    agentsSource: agentsDir,
    feedback: input.feedback,
    previous: input.previous ?? null,
    hierarchy: input.hierarchy,
  });
  const level = input.hierarchy?.level ?? 1;
  const maxDepth = input.hierarchy?.maxDepth ?? DEFAULT_MAX_DEPTH;
  await mkdir(paths.dir, { recursive: true, mode: OWNER_ONLY_DIR });
  await writeFile(paths.prompt, prompt, ownerOnlyFile);

  const { heartbeat } = control;
  const claude = await runClaudeAttempt(deps, {
    command: {
      // Plan mode: the planner may read and search the project, never change it.
      task: { permissionMode: 'plan', model: input.model },
      session: { kind: 'new', sessionId },
      jsonSchema: plannerJsonSchema(level < maxDepth),
    },
    prompt: { text: prompt, file: paths.prompt, written: true },
    cwd: input.cwd,
    transcriptFile: paths.transcript,
    stderrFile: paths.stderr,
    timeout: {
      ms: input.timeoutMs ?? DEFAULT_PLANNER_TIMEOUT_MS,
      message: 'the planner ran past its time limit and was stopped',
    },
    signal: control.signal,
    heartbeat:
      heartbeat &&
      ((stream) =>
        heartbeat({
          sessionId: stream.sessionId ?? sessionId,
          turns: stream.turns,
          lastTool: stream.lastTool,
          transcriptPath: paths.transcript,
        })),
  });
  facts.sessionId = claude.stream.sessionId ?? sessionId;
  facts.costUsd = claude.result?.costUsd ?? 0;
  // A model that cannot fit the schema is a planning problem, not a crash: the workflow asks again.
  if (claude.verdict?.type === FailureType.AgentStructuredOutputFailed) {
    const issues = ['the answer never matched the plan schema (claude gave up asking)'];
    return { result: { ...facts, ok: false, issues }, raw: undefined };
  }
  if (claude.verdict) throw fail(claude.verdict);

  const raw = claude.result.structuredOutput;
  if (raw === undefined || raw === null) {
    const said = claude.result.text.replace(/\s+/g, ' ').trim().slice(0, 300);
    const issue = `no plan was given: call the StructuredOutput tool with the whole plan${said ? ` (your last message: "${said}")` : ''}`;
    return { result: { ...facts, ok: false, issues: [issue] }, raw: undefined };
  }
  facts.rawPath = `${paths.dir}/plan.json`;
  await writeFile(facts.rawPath, JSON.stringify(raw, null, 2) + '\n', ownerOnlyFile);
  const checked = await checkPlannedPlan(raw, {
    goal: input.goal,
    cwd: input.cwd,
    agentNames: agents.map((a) => a.name),
    agentsDir,
    level,
    maxDepth,
  });
  return { result: checked.ok ? { ...facts, ...checked } : { ...facts, ...checked, raw }, raw };
}
