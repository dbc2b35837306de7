// Reading a plan for a command: load, validate, resolve paths against the current folder,
// check the workspace. Every problem is a PlanError (exit 2) before anything starts.
import path from 'node:path';
import { openArtifactStore } from '../artifacts/open-store.js';
import type { Config } from '../config/index.js';
import { BadInputError } from '../client/errors.js';
import { PlanError } from '../plan/errors.js';
import { loadPlanFile } from '../plan/load.js';
import { checkWorkspace, resolvePlanPaths } from '../plan/resolve.js';
import type { Plan } from '../plan/schema.js';

export async function readPlan(file: string, cwd: string = process.cwd()): Promise<Plan> {
  const plan = resolvePlanPaths(await loadPlanFile(file), cwd);
  const issues = await checkWorkspace(plan);
  if (issues.length > 0)
    throw new PlanError(
      issues.map((i) => ({ file, ...i })),
      file,
    );
  return plan;
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
