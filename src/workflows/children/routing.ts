// Interventions addressed to a task below this run (DESIGN.md §10): a path id (`backend/db`) names a task of the
// sub-plan of `backend`, and an approve or reject of a goal task whose planned plan waits on a person is that
// plan's. Checked here against what the child last reported (the child checks again, exactly, when the signal
// arrives), then passed on to the child run as the same intervention's signal, with the rest of the path.
// `baton` itself sends such an update to the child run directly (src/client/interventions.ts), whose answer is exact.
import { isSubPlanTask } from '../../plan/schema.js';
import { joinPath, PATH_SEPARATOR } from '../../plan/tree.js';
import { interventionSignals, type Intervention, type InterventionInput } from '../messages.js';
import type { Scheduler } from '../scheduler/index.js';
import { GATE_STATES, type TaskState, type TaskView } from '../status.js';
import { refuse } from '../wording.js';
import type { ChildRuns } from './child-runs.js';

/** An intervention passed on to a child run. */
export interface Forward {
  check(): void;
  apply(): Promise<void>;
}

/** The forward of an intervention addressed below this run, or undefined when this run's own scheduler decides. */
export function route<O extends Intervention>(
  sched: Scheduler,
  children: ChildRuns,
  operation: O,
  input: InterventionInput<O>,
  /** This run's path id from the root run ('' for the root): what its children's reports name their tasks by. */
  ownPath: string,
): Forward | undefined {
  const taskId = 'taskId' in input ? input.taskId : undefined;
  if (taskId === undefined) return undefined;
  const signal = interventionSignals[operation];
  const [head = '', ...rest] = taskId.split(PATH_SEPARATOR);
  if (rest.length === 0) {
    // A goal task's planned plan waiting on a person: approve and reject are the plan's.
    if ((operation !== 'approve' && operation !== 'reject') || !sched.hasTask(head)) return undefined;
    const child = sched.record(head).child;
    if (!child?.planWaiting || child.ended) return undefined;
    return {
      check: () => {
        if (operation === 'approve' && child.planWaiting !== 'approval')
          throw refuse.subPlanNotWaiting(head, child.phase);
      },
      apply: () => children.forward(head, signal, { ...input, taskId: undefined }),
    };
  }
  return {
    check: () => {
      if (!isSubPlanTask(sched.task(head))) throw refuse.notASubPlan(head);
      const r = sched.record(head);
      if (r.state !== 'running' || !r.child || r.child.ended) throw refuse.subPlanNotRunning(head, r.state);
      const full = joinPath(ownPath, taskId);
      const view = r.child.tasks.find((t) => t.id === full);
      if (!view) throw refuse.noTaskInSubPlan(full);
      checkReported(operation, view);
    },
    apply: () => children.forward(head, signal, { ...input, taskId: rest.join(PATH_SEPARATOR) }),
  };
}

/** The rules of ../scheduler/interventions.ts on a task's state as its run reported it. */
function checkReported(operation: Intervention, view: Pick<TaskView, 'id' | 'state' | 'child'>): void {
  const { id, state } = view;
  const planWaits = view.child?.planWaiting !== undefined;
  const is = (...states: TaskState[]) => states.includes(state);
  switch (operation) {
    case 'approve':
      if (!GATE_STATES.includes(state) && view.child?.planWaiting !== 'approval')
        throw refuse.notAwaitingApproval(id, state);
      return;
    case 'reject':
      if (!is('awaiting-approval', 'awaiting-review') && !planWaits) throw refuse.notAwaitingReview(id, state);
      return;
    case 'retryTask':
      if (!is('failed', 'cancelled', 'merge-conflict', 'verification-failed')) throw refuse.notFailed(id, state);
      return;
    case 'skipTask':
      if (is('running', 'succeeded', 'skipped')) throw refuse.notSkippable(id, state);
      return;
    case 'cancelTask':
      if (!is('running')) throw refuse.notRunning(id, state);
      return;
    case 'guide':
      if (is('succeeded', 'skipped')) throw refuse.finished(id, state);
      return;
    default:
      return;
  }
}
