// Reading a plan for a command: load, validate, resolve paths against the current folder,
// check the workspace. Every problem is a PlanError (exit 2) before anything starts.
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
