// The activities a baton worker registers, and their contract types.
export type { ActivityDeps } from './activity-deps.js';
export { createActivities, RESULT_TEXT_LIMIT } from './run-agent.js';
export type * from '../contract/agent.js';
export type * from '../contract/notify.js';
export { createPlanActivities, runPlanner } from './plan-goal.js';
export type { PlanGoalInput, PlanGoalResult } from '../contract/planner.js';
export { createVerifyActivities } from './verify/verify-task.js';
export type * from '../contract/verify.js';
