// The planGoal activity (DESIGN.md §1, issue 4): one `claude -p --json-schema <plan schema>` asks a planner agent
// for a plan, and the answer is checked by the same rules as a plan file, plus: every agent it assigns exists.
// The check runs here, not in the workflow, because it reads the file system (agents folder, workspace); the
// workflow decides what to do with the verdict (accept, send the problems back, ask a person).
import { randomUUID } from 'node:crypto';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { formatIssue, type PlanIssue } from '../plan/errors.js';
import { validatePlanObject } from '../plan/load.js';
import { checkWorkspace, resolvePlanPaths } from '../plan/resolve.js';
import { PlanSchema, type Plan } from '../plan/schema.js';
import { didYouMean } from '../plan/suggest.js';
import type { PlanGoalFacts, PlanGoalInput, PlanGoalResult } from '../contract/planner.js';
import { FailureType } from '../contract/failures.js';
import { defaultAgentsDir, readAgentsDir } from './agents-dir.js';
import { attemptPaths } from './artifact-paths.js';
import { promptFitsArgv } from './claude-args.js';
import { classify, failure, notRunnable, type Classification } from './classify.js';
import { FileTail, FOLLOW_INTERVAL_MS, lastLines } from './file-tail.js';
import { detectPidNamespace } from './pid-namespace.js';
import { buildPlannerPrompt, readPlannerInstructions } from './planner-prompt.js';
import type { ActivityDeps } from './run-agent.js';
import { spawnClaude, type ExitInfo } from './spawn-claude.js';
import { StreamParser } from './stream.js';

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

/** Set for every claude (as runAgent does): Temporal owns retries, and nothing leaves but model traffic. */
const CLAUDE_ENV = {
  CLAUDE_CODE_MAX_RETRIES: '0',
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  DISABLE_AUTOUPDATER: '1',
};

/** Artifacts of planning live beside the tasks' under a name no task id can take (ids start with [a-z0-9]). */
export const PLANNER_ARTIFACT_DIR = '_planner';

/**
 * The plan's JSON Schema as claude's `--json-schema` takes it. Draft 7: with zod's default draft 2020-12
 * `$schema`, Claude Code 2.1.197 silently leaves out the StructuredOutput tool (measured), and the model
 * cannot answer. claude checks answers against it and asks the model again, so shape errors never reach us.
 */
export function plannerJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(PlanSchema, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
}

export function createPlanActivities(deps: ActivityDeps) {
  return {
    async planGoal(input: PlanGoalInput): Promise<PlanGoalResult> {
      const ctx = Context.current();
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

  if (!(await isDirectory(input.cwd))) {
    throw fail(failure(FailureType.AgentBadArguments, `the project folder ${input.cwd} does not exist`));
  }
  if (deps.claudeBin.includes('/') && !(await isFile(deps.claudeBin)))
    throw fail(notRunnable(deps.claudeBin, 'ENOENT'));

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
  });
  await mkdir(paths.dir, { recursive: true });
  await writeFile(paths.prompt, prompt);

  const onStdin = !promptFitsArgv(prompt);
  const args = onStdin ? ['-p', '--input-format', 'text'] : ['-p', prompt];
  args.push('--output-format', 'stream-json', '--verbose', '--json-schema', JSON.stringify(plannerJsonSchema()));
  // Plan mode: the planner may read and search the project, never change it.
  args.push('--permission-mode', 'plan', '--session-id', sessionId);
  if (input.model) args.push('--model', input.model);

  const parser = new StreamParser();
  const resultLine = new ResultLineCapture();
  // claude writes its stream-json to the transcript itself; it is read back as it grows.
  const transcript = new FileTail(paths.transcript, (text) => {
    parser.push(text);
    resultLine.push(text);
  });
  const claude = await spawnClaude({
    claudeBin: deps.claudeBin,
    args,
    cwd: input.cwd,
    env: { ...deps.env, ...CLAUDE_ENV },
    pidNamespace: deps.usePidNamespace === false ? null : await detectPidNamespace(),
    ...(onStdin ? { stdinFile: paths.prompt } : {}),
    stdoutFile: paths.transcript,
    stderrFile: paths.stderr,
  });
  transcript.follow(FOLLOW_INTERVAL_MS);
  const stop = (): void => void claude.terminate(deps.killGraceMs);
  const beat = (): void =>
    control.heartbeat?.({
      sessionId: parser.state.sessionId ?? sessionId,
      turns: parser.state.turns,
      lastTool: parser.state.lastTool,
      transcriptPath: paths.transcript,
    });
  let timedOut = false;
  const heartbeatTimer = setInterval(beat, deps.heartbeatMs ?? 1000);
  const timeoutTimer = setTimeout(() => {
    timedOut = true;
    stop();
  }, input.timeoutMs ?? DEFAULT_PLANNER_TIMEOUT_MS);
  control.signal?.addEventListener('abort', stop, { once: true });
  let exit: ExitInfo;
  try {
    beat();
    if (control.signal?.aborted) stop();
    exit = await claude.exited;
  } finally {
    clearInterval(heartbeatTimer);
    clearTimeout(timeoutTimer);
    control.signal?.removeEventListener('abort', stop);
    await claude.terminate(deps.killGraceMs);
    await transcript.finish();
  }
  const state = parser.end();
  resultLine.end();
  facts.sessionId = state.sessionId ?? sessionId;
  facts.costUsd = state.result?.costUsd ?? 0;
  if (control.signal?.aborted) throw control.signal.reason;
  if (timedOut) {
    throw fail(failure(FailureType.AgentTimedOut, 'the planner ran past its time limit and was stopped'));
  }
  const verdict = classify({
    ...exit,
    result: state.result,
    stderrTail: await lastLines(paths.stderr, 20),
    claudeBin: deps.claudeBin,
  });
  // A model that cannot fit the schema is a planning problem, not a crash: the workflow asks again.
  if (verdict?.type === FailureType.AgentStructuredOutputFailed) {
    const issues = ['the answer never matched the plan schema (claude gave up asking)'];
    return { result: { ...facts, ok: false, issues }, raw: undefined };
  }
  if (verdict || !state.result)
    throw fail(verdict ?? failure(FailureType.AgentCrashed, 'claude ended without a result'));

  const raw = resultLine.event?.structured_output;
  if (raw === undefined || raw === null) {
    const said = state.result.text.replace(/\s+/g, ' ').trim().slice(0, 300);
    const issue = `no plan was given: call the StructuredOutput tool with the whole plan${said ? ` (your last message: "${said}")` : ''}`;
    return { result: { ...facts, ok: false, issues: [issue] }, raw: undefined };
  }
  facts.rawPath = `${paths.dir}/plan.json`;
  await writeFile(facts.rawPath, JSON.stringify(raw, null, 2) + '\n');
  const checked = await checkPlannedPlan(raw, {
    goal: input.goal,
    cwd: input.cwd,
    agentNames: agents.map((a) => a.name),
    agentsDir,
  });
  return { result: checked.ok ? { ...facts, ...checked } : { ...facts, ...checked, raw }, raw };
}

/**
 * The rules of a plan file, plus: every agent a task (or `defaults`) names is defined by the plan or in the
 * agents folder. A plan without a goal gets the run's. Paths are resolved against `cwd` and the workspace checked.
 */
export async function checkPlannedPlan(
  raw: unknown,
  context: { goal: string; cwd: string; agentNames: string[]; agentsDir: string },
): Promise<{ ok: true; plan: Plan } | { ok: false; issues: string[] }> {
  const validation = validatePlanObject(raw);
  const issues: PlanIssue[] = validation.ok ? [] : [...validation.issues];
  // Checked even when the rest is not valid, so one round reports every problem.
  issues.push(...unknownAgents(agentsOf(raw), context.agentNames, context.agentsDir));
  if (!validation.ok || issues.length > 0) return { ok: false, issues: issues.map(formatIssue) };
  const plan = resolvePlanPaths({ ...validation.plan, goal: validation.plan.goal ?? context.goal }, context.cwd);
  const workspace = await checkWorkspace(plan);
  if (workspace.length > 0) return { ok: false, issues: workspace.map(formatIssue) };
  return { ok: true, plan };
}

/** The agents a plan defines and the ones it assigns, from whatever of it is readable. */
function agentsOf(raw: unknown): { defined: string[]; assigned: { path: string; agent: string }[] } {
  const record = (value: unknown): Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const plan = record(raw);
  const assigned: { path: string; agent: string }[] = [];
  const defaultAgent = record(plan.defaults).agent;
  if (typeof defaultAgent === 'string') assigned.push({ path: 'defaults.agent', agent: defaultAgent });
  const tasks = Array.isArray(plan.tasks) ? (plan.tasks as unknown[]) : [];
  tasks.forEach((task, i) => {
    const agent = record(task).agent;
    if (typeof agent === 'string') assigned.push({ path: `tasks[${i}].agent`, agent });
  });
  return { defined: Object.keys(record(plan.agents)), assigned };
}

function unknownAgents(
  { defined, assigned }: ReturnType<typeof agentsOf>,
  fromFolder: string[],
  agentsDir: string,
): PlanIssue[] {
  const known = [...defined, ...fromFolder];
  const list =
    known.length === 0
      ? `no agents are defined (neither in the plan's "agents" nor in ${agentsDir}): leave "agent" out`
      : `the agents are: ${known.join(', ')}`;
  return assigned
    .filter(({ agent }) => !known.includes(agent))
    .map(({ path, agent }) => ({ path, message: `unknown agent "${agent}"${didYouMean(agent, known)}; ${list}` }));
}

/** The last `{"type":"result"}` line of a stream-json output, whole (StreamParser keeps only what runAgent needs). */
class ResultLineCapture {
  event: Record<string, unknown> | undefined;
  #partial = '';

  push(chunk: string): void {
    const lines = (this.#partial + chunk).split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) this.#line(line);
  }

  end(): void {
    this.#line(this.#partial);
    this.#partial = '';
  }

  #line(line: string): void {
    if (!line.includes('"result"')) return;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'result') {
        this.event = value as Record<string, unknown>;
      }
    } catch {
      // not a JSON line: StreamParser counts those
    }
  }
}

async function isDirectory(dir: string): Promise<boolean> {
  return (await stat(dir).catch(() => undefined))?.isDirectory() ?? false;
}

async function isFile(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined))?.isFile() ?? false;
}
