// What people read about a run that names what they can do: the lines of `waitingOn` and the refusals of
// interventions. Kept in one place so the commands they name (as people type them: `baton retry`, never the
// wire name `retryTask`) change together with the CLI. Pure: safe in workflow code.
import type { MergeConflict } from './scheduler/state.js';
import type { Phase, TaskState } from './status.js';

/** Each intervention (its wire name, DESIGN.md §4) as people type it. */
export const COMMAND_OF: Readonly<Record<string, string>> = {
  approve: 'baton approve',
  reject: 'baton reject',
  pause: 'baton pause',
  resume: 'baton resume',
  retryTask: 'baton retry',
  skipTask: 'baton skip',
  cancelTask: 'baton cancel',
  guide: 'baton guide',
  addTasks: 'baton add',
  abort: 'baton abort',
};

/** The command people type for an intervention (its wire name if there is none). */
export function commandOf(operation: string): string {
  return COMMAND_OF[operation] ?? operation;
}

/** Thrown by a check when an intervention is not allowed now; the message is the refusal. */
export class Refusal extends Error {
  override name = 'Refusal';
}

const usd = (amount: number): string => `$${amount.toFixed(2)}`;

/** How much of a question `waitingOn` shows (status has the whole of it, in the task's `question`). */
const QUESTION_SHOWN_CHARS = 300;

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** One line of `waitingOn` each: what the run waits on a person for, and the command that answers. */
export const waiting = {
  budget: (spent: number, budget: number) =>
    `budget: spent ${usd(spent)} of ${usd(budget)} — baton resume <run> --budget <usd>`,
  paused: () => 'paused — baton resume <run>',
  agentPaused: (id: string, activityId: string) =>
    `task ${id}: its agent is paused in Temporal — temporal activity unpause --workflow-id <run> --activity-id ${activityId}`,
  approval: (id: string) => `task ${id}: approval to start — baton approve <run> ${id}`,
  review: (id: string) => `task ${id}: review of its result — baton approve|reject <run> ${id}`,
  mergeConflict: (id: string, conflict: Readonly<MergeConflict> | null | undefined) => {
    const where = conflict
      ? ` in ${conflict.files.join(', ') || '(resolved, not committed)'} — resolve and commit in ${conflict.worktree}, then`
      : ' — resolve, then';
    return `task ${id}: merge conflict${where} baton approve <run> ${id} (or baton retry|skip <run> ${id})`;
  },
  verificationFailed: (id: string) =>
    `task ${id}: the plan's verify failed after its merge (undone) — baton approve <run> ${id} to merge it as is, baton retry <run> ${id} [--note "<guidance>"] to run its agent again, or baton skip <run> ${id}`,
  failed: (id: string, state: TaskState) => `task ${id}: ${state} — baton retry|skip <run> ${id}, or baton abort <run>`,
  question: (id: string, question: string) =>
    `task ${id}: its agent asks "${oneLine(question, QUESTION_SHOWN_CHARS)}" — baton answer <run> ${id} "<answer>"`,
  planApproval: (tasks: number) =>
    `plan: approve the proposed plan (${tasks} task${tasks === 1 ? '' : 's'}) — baton plan show <run>, then baton approve <run>, or baton reject <run> --reason "…" to plan again`,
  planFix: (invalidRounds: number | null) =>
    `${invalidRounds === null ? 'plan: the planner could not run' : `plan: the planner gave no valid plan in ${invalidRounds} rounds`} — baton reject <run> --reason "<what to change>" to plan again, or baton abort <run>`,
};

/**
 * The same, for a sub-plan (DESIGN.md §10) as the root run shows it: `path` is the task whose sub-plan it is
 * (`backend/api`), commands go to the root run with path ids, and `childRunId` names the child run itself where
 * only it answers (`baton plan show`, a resume of its own).
 */
export const waitingInSubPlan = {
  budget: (path: string, childRunId: string, spent: number, budget: number) =>
    `task ${path}: its sub-plan spent ${usd(spent)} of its budget ${usd(budget)} — baton resume ${childRunId} --budget <usd> (or baton resume <run> --budget <usd>, when the run is paused too)`,
  paused: (path: string, childRunId: string) => `task ${path}: its sub-plan is paused — baton resume ${childRunId}`,
  planApproval: (path: string, tasks: number, childRunId: string) =>
    `task ${path}: approve its planned sub-plan (${tasks} task${tasks === 1 ? '' : 's'}) — baton plan show ${childRunId}, then baton approve <run> ${path}, or baton reject <run> ${path} --reason "…" to plan again`,
  planFix: (path: string, invalidRounds: number | null) =>
    `task ${path}: ${invalidRounds === null ? 'the planner of its sub-plan could not run' : `the planner of its sub-plan gave no valid plan in ${invalidRounds} rounds`} — baton reject <run> ${path} --reason "<what to change>" to plan again, or baton cancel <run> ${path}`,
  planError: (path: string, issue: string) => `task ${path}: plan error: ${issue}`,
};

/** Where a sub-plan's run words what it waits on from: its task's path id, and its own run id. */
export interface SubPlanWording {
  path: string;
  runId: string;
}

/** The error a task in a merge conflict shows, saying how a person ends it. */
export function mergeConflictError(
  branch: string,
  merge: { integrationBranch: string; worktree: string; files: readonly string[]; uncommitted?: boolean },
): string {
  return merge.uncommitted
    ? `the merge of ${branch} into ${merge.integrationBranch} is resolved but not committed: commit it in ${merge.worktree}, then approve`
    : `merging ${branch} into ${merge.integrationBranch} conflicts in ${merge.files.join(', ')}: resolve and commit in ${merge.worktree}, then approve (or retry: an agent resolves it; or skip)`;
}

/** Logged when the run's worktrees could not be removed at its end. */
export const CLEAN_UP_FAILED = 'could not remove the run worktrees (baton clean <run> removes them)';

/** Why an intervention is not allowed now. */
export const refuse = {
  badPayload: (operation: string, issues: string) => new Refusal(`bad ${operation} payload: ${issues}`),
  tooLarge: (why: string) => new Refusal(why),
  noPlan: () => new Refusal('the run has no plan'),
  noTask: (id: string, ids: readonly string[]) =>
    new Refusal(
      `no task "${id}" in this run (tasks: ${ids.length > 10 ? `${ids.slice(0, 10).join(', ')}, …` : ids.join(', ')})`,
    ),
  // The run as a whole.
  aborted: () => new Refusal('the run is aborted'),
  alreadyAborted: () => new Refusal('the run is already aborted'),
  alreadyPaused: () => new Refusal('the run is already paused'),
  notPaused: () => new Refusal('the run is not paused'),
  badBudget: () => new Refusal('budgetUsd must be a positive number'),
  budgetSpent: (spent: number) =>
    new Refusal(`the run has spent ${usd(spent)}; resume with a budget above that (--budget <usd>)`),
  // One task.
  planNotWaiting: () => new Refusal('the plan is not waiting for approval'),
  notAwaitingApproval: (id: string, state: TaskState) =>
    new Refusal(`task ${id} is ${state}, not waiting for approval`),
  notAwaitingReview: (id: string, state: TaskState) =>
    new Refusal(`task ${id} is ${state}, not waiting for approval or review`),
  resetLosesResolution: (id: string) =>
    new Refusal(`task ${id} has a merge conflict; a reset would throw its work away (skip it instead)`),
  // Kept as it was before verification-failed could be retried too: people's scripts match it.
  notFailed: (id: string, state: TaskState) => new Refusal(`task ${id} is ${state}, not failed or cancelled`),
  resetNeedsWorktrees: () => new Refusal('reset needs worktree isolation (workspace.isolation: worktree)'),
  notSkippable: (id: string, state: TaskState) =>
    new Refusal(`task ${id} is ${state}; only a task that is not running or done can be skipped`),
  notRunning: (id: string, state: TaskState) => new Refusal(`task ${id} is ${state}, not running`),
  emptyGuidance: () => new Refusal('the guidance message is empty'),
  finished: (id: string, state: TaskState) => new Refusal(`task ${id} is ${state}, already finished`),
  guideSubPlan: (id: string) =>
    new Refusal(`task ${id} runs a sub-plan, not an agent: guide its tasks by their path ids (${id}/<task>)`),
  // Tasks added to a run.
  noTasksToAdd: () => new Refusal('no tasks to add'),
  addedTasks: (problems: readonly string[]) => new Refusal(problems.join('; ')),
  duplicateTask: (id: string) => `task id "${id}" is already in the run`,
  unknownDependency: (id: string, dependency: string) => `task "${id}" depends on unknown task "${dependency}"`,
  cycle: (path: readonly string[]) => `the new tasks form a cycle: ${path.join(' → ')}`,
  // A run started from a goal, before it has a plan.
  noTasksYet: (phase: Phase, operation: string) =>
    new Refusal(`the run has no tasks yet (it is ${phase}): ${commandOf(operation)} is possible once the plan runs`),
  noTaskYet: (phase: Phase, id: string) => new Refusal(`the run has no tasks yet (it is ${phase}); no task ${id}`),
  noValidPlan: () =>
    new Refusal(
      'there is no valid plan to approve; reject with a reason to plan again (baton reject <run> --reason …), or abort',
    ),
  planNotAwaiting: (phase: Phase) => new Refusal(`the plan is not waiting for approval (it is ${phase})`),
  // Sub-plans: path ids (`backend/db`) reach a task's child run.
  notASubPlan: (id: string) => new Refusal(`task ${id} has no sub-plan (it has a prompt): no task below it`),
  subPlanNotRunning: (id: string, state: TaskState) =>
    new Refusal(`task ${id} is ${state}: its sub-plan is not running, so nothing below it can be changed now`),
  noTaskInSubPlan: (path: string) => new Refusal(`no task "${path}" in this run (its sub-plan has no such task yet)`),
  subPlanNotWaiting: (id: string, phase: Phase) =>
    new Refusal(`task ${id} runs a sub-plan (it is ${phase}) whose plan is not waiting for approval`),
  // Agents' notes and questions (DESIGN §13), and a person's answer.
  notTheAgent: (id: string, generation: number, current: number, state: TaskState) =>
    new Refusal(
      `only the running agent of task ${id} may do this: the call came from its run ${generation}, and the task is ${state} (run ${current})`,
    ),
  noteKey: (max: number) => new Refusal(`a note needs a key of 1 to ${max} characters`),
  noteTooLarge: (bytes: number, max: number) =>
    new Refusal(`the note's text is ${bytes} bytes; at most ${max} are kept (write a shorter note, or several keys)`),
  notesFull: (max: number) =>
    new Refusal(`the run holds ${max} notes, the most it keeps: write to an existing key to replace its note`),
  emptyQuestion: () => new Refusal('the question is empty'),
  questionTooLarge: (bytes: number, max: number) =>
    new Refusal(`the question is ${bytes} bytes; at most ${max} are sent (ask a shorter question)`),
  alreadyAsking: (id: string) => new Refusal(`task ${id} already waits on the answer to its question`),
  noQuestion: (id: string, state: TaskState) =>
    new Refusal(`task ${id} has no question waiting for an answer (it is ${state})`),
  emptyAnswer: () => new Refusal('the answer is empty'),
  answerTooLarge: (bytes: number, max: number) => new Refusal(`the answer is ${bytes} bytes; at most ${max} are kept`),
  staleQuestion: (id: string) => new Refusal(`task ${id} has no such question open any more`),
  heldQuestion: (id: string) =>
    new Refusal(
      `task ${id} has no agent running: it waits on the answer to its question (baton answer <run> ${id} "<answer>", or baton skip)`,
    ),
};
