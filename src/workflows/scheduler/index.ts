// The scheduler of a run's tasks: the class, its plain-data state, and what its readers need.
export { Scheduler } from './scheduler.js';
export type { Outcome } from './outcome.js';
export {
  KEPT_TEXT_CHARS,
  SUMMARY_CHARS,
  type MergeConflict,
  type PlanVerifyFailure,
  type RecordView,
  type SchedulerState,
  type SchedulerView,
  type TaskFailure,
  type TaskRecord,
} from './state.js';
export type { StatusPage } from './views.js';
export { Refusal } from '../wording.js';
