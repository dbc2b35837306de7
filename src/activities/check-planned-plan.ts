// A planner's answer, checked by the rules of a plan file plus one: every agent it assigns exists. Here, not in the
// workflow, because it reads the file system (agents folder, workspace).
import { formatIssue, type PlanIssue } from '../plan/errors.js';
import { validatePlanObject } from '../plan/load.js';
import { checkWorkspace, resolvePlanPaths } from '../plan/resolve.js';
import type { Plan } from '../plan/schema.js';
import { didYouMean } from '../plan/suggest.js';

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
