// The activities a baton worker registers, and their contract types.
export type { ActivityDeps } from './activity-deps.js';
export { createActivities, RESULT_TEXT_LIMIT } from './run-agent.js';
export type * from './types.js';
export { createPlanActivities, runPlanner, type PlanGoalInput, type PlanGoalResult } from './plan-goal.js';
