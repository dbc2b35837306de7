// Reading a plan for a command: load, validate, resolve paths against the current folder,
// check the workspace. Every problem is a PlanError (exit 2) before anything starts.
import path from 'node:path';
import { openArtifactStore } from '../artifacts/open-store.js';
import type { Config } from '../config/index.js';
import { BadInputError } from '../client/errors.js';
import { checkRunId } from '../client/run-id.js';
import { PlanError } from '../plan/errors.js';
import { defaultAgentsDir, readAgentsDir } from '../activities/agents-dir.js';
import { claudeConfigDir } from '../activities/session-store.js';
import type { Env } from '../config/index.js';
import { CLAUDE_BUILT_IN_AGENTS, unknownAgentIssues } from '../plan/agents.js';
import type { PlanIssue } from '../plan/errors.js';
import { loadPlanFile, placeIssues } from '../plan/load.js';
import { checkWorkspace, resolvePlanPaths } from '../plan/resolve.js';
import { effectiveTask, type Plan } from '../plan/schema.js';
import { WIDEN } from '../policy/worker-policy.js';

export async function readPlan(file: string, cwd: string = process.cwd(), env: Env = process.env): Promise<Plan> {
  const plan = resolvePlanPaths(await loadPlanFile(file), cwd);
  const issues = [...(await checkWorkspace(plan)), ...(await checkAgents(plan, env))];
  if (issues.length > 0) throw new PlanError(await placeIssues(file, issues), file);
  return plan;
}

/**
 * Every agent the plan assigns is defined: by the plan, in the workspace's `.claude/agents`, in the user's
 * (`<CLAUDE_CONFIG_DIR or ~/.claude>/agents`), or one of claude's own.
 */
async function checkAgents(plan: Plan, env: Env): Promise<PlanIssue[]> {
  const assigns = plan.defaults?.agent !== undefined || plan.tasks.some((task) => task.agent !== undefined);
  if (!assigns) return [];
  const folders = [defaultAgentsDir(plan.workspace?.repo ?? '.'), path.join(claudeConfigDir(env), 'agents')];
  const found = await Promise.all(folders.map((dir) => readAgentsDir(dir)));
  return unknownAgentIssues(plan, {
    fromFolders: found.flatMap((result) => result.agents.map((agent) => agent.name)),
    folders: folders.join(' or '),
    builtIn: CLAUDE_BUILT_IN_AGENTS,
  });
}

/** What a plan asks that a worker allows only when told to: said by `baton validate` and `baton start`. */
export function planWarnings(plan: Plan): string[] {
  const bypass = plan.tasks
    .filter((task) => effectiveTask(plan, task).permissionMode === 'bypassPermissions')
    .map((task) => task.id);
  if (bypass.length === 0) return [];
  const tasks = bypass.length > 5 ? `${bypass.slice(0, 5).join(', ')}, …` : bypass.join(', ');
  return [
    `permissionMode bypassPermissions (tasks ${tasks}): agents run with no permission checks, and a worker runs them only when started with ${WIDEN.bypass}; otherwise they fail at once`,
  ];
}

/** What `baton run` and `baton start` take: a plan file, or a goal the run's first step plans from. */
export interface RunInputOptions {
  planFile?: string;
  goal?: string;
  approvePlan?: boolean;
  agentsDir?: string;
  id?: string;
}

/** The plan or goal of `baton <command>`, checked before anything starts (BadInputError, PlanError: exit 2). */
export async function readRunInput(
  command: 'run' | 'start',
  options: RunInputOptions,
): Promise<{ plan: Plan | undefined; goal: string | undefined }> {
  // Before anything starts (a worker, the embedded server): an id that cannot name a run is bad input.
  if (options.id !== undefined) checkRunId(options.id);
  const goal = options.goal?.trim();
  if (options.planFile && goal !== undefined) throw new BadInputError('give a plan file or --goal, not both');
  if (!options.planFile && !goal) {
    throw new BadInputError(`give a plan file (baton ${command} <plan.yaml>) or --goal "…"`);
  }
  const plan = options.planFile ? await readPlan(options.planFile) : undefined;
  return { plan, goal };
}

/** The parts of startRun's request that come from the command line and the configuration. */
export function startRequest(config: Config, options: RunInputOptions) {
  return {
    approvePlan: options.approvePlan,
    workflowId: options.id,
    artifacts: openArtifactStore(config),
    options: { cwd: process.cwd(), ...(options.agentsDir ? { agentsDir: path.resolve(options.agentsDir) } : {}) },
  };
}
