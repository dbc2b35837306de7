// A plan handed to an MCP tool, as an object or as YAML/JSON text: checked by the same rules as a
// plan file (every problem at once), its paths resolved against the caller's folder, its workspace checked.
import { PlanError } from '../plan/errors.js';
import { parsePlanText, validatePlanObject } from '../plan/load.js';
import { checkWorkspace, resolvePlanPaths } from '../plan/resolve.js';
import type { Plan } from '../plan/schema.js';

export async function planFromArgument(value: string | Record<string, unknown>, cwd: string): Promise<Plan> {
  let plan: Plan;
  if (typeof value === 'string') {
    plan = parsePlanText(value);
  } else {
    const result = validatePlanObject(value);
    if (!result.ok) throw new PlanError(result.issues);
    plan = result.plan;
  }
  const resolved = resolvePlanPaths(plan, cwd);
  const issues = await checkWorkspace(resolved);
  if (issues.length > 0) throw new PlanError(issues);
  return resolved;
}
