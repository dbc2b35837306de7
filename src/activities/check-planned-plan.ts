// A planner's answer, checked by the rules of a plan file plus one: every agent it assigns exists. Here, not in the
// workflow, because it reads the file system (agents folder, workspace).
import { formatIssue, type PlanIssue } from '../plan/errors.js';
import { validatePlanObject } from '../plan/load.js';
import { checkWorkspace, resolvePlanPaths } from '../plan/resolve.js';
import type { Plan } from '../plan/schema.js';
import { unknownAgentIssues } from '../plan/agents.js';

/**
 * The rules of a plan file, plus: every agent a task (or `defaults`) names is defined by the plan or in the
 * agents folder. A plan without a goal gets the run's. Paths are resolved against `cwd` and the workspace checked.
 */
export async function checkPlannedPlan(
  raw: unknown,
  context: { goal: string; cwd: string; agentNames: string[]; agentsDir: string; level?: number; maxDepth?: number },
): Promise<{ ok: true; plan: Plan } | { ok: false; issues: string[] }> {
  // A sub-goal's plan is checked at its level of the run's tree (DESIGN.md §10): no deeper than maxDepth.
  const validation = validatePlanObject(raw, undefined, { level: context.level, maxDepth: context.maxDepth });
  const issues: PlanIssue[] = validation.ok ? [] : [...validation.issues];
  // Checked even when the rest is not valid, so one round reports every problem.
  issues.push(...unknownAgentIssues(raw, { fromFolders: context.agentNames, folders: context.agentsDir }));
  // Where the repository is pushed is a person's choice (a planner's would send the code anywhere it names).
  if (validation.ok && validation.plan.workspace?.remote !== undefined) {
    issues.push({ path: 'workspace.remote', message: 'a planned plan may not name a remote: leave it out' });
  }
  if (!validation.ok || issues.length > 0) return { ok: false, issues: issues.map(formatIssue) };
  const plan = resolvePlanPaths({ ...validation.plan, goal: validation.plan.goal ?? context.goal }, context.cwd);
  const workspace = await checkWorkspace(plan);
  if (workspace.length > 0) return { ok: false, issues: workspace.map(formatIssue) };
  return { ok: true, plan };
}
