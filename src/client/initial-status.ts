// The status of a run that no worker has picked up yet: computed here from the run's start input, as the
// workflow would (getStatus in ./runs.ts asks for it only then).
import type { Client, WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow/index.js';
import type { OrchestrateInput } from '../workflows/orchestrate.js';
import { unpack } from '../workflows/pack.js';
import { Planning } from '../workflows/planning.js';
import { Scheduler, type SchedulerState } from '../workflows/scheduler/index.js';
import type { RunStatus } from '../workflows/status.js';

/** How long a run may wait for its first workflow task before status says no worker runs it. */
const NO_WORKER_AFTER_MS = 5_000;

/** The status of a run that has not run yet, from its start input; null if that input holds no plan. */
export async function initialStatus(
  client: Client,
  handle: WorkflowHandle,
  description: WorkflowExecutionDescription,
): Promise<RunStatus | null> {
  const history = await handle.fetchHistory();
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const input = await decodeFromPayloadsAtIndex<OrchestrateInput>(
    client.options.loadedDataConverter,
    0,
    started?.input?.payloads,
  );
  // After continue-as-new the input carries the state so far; a new run has only its plan, or its goal.
  const startedAt = description.startTime.toISOString();
  const scheduler = input?.carried
    ? new Scheduler(unpack<SchedulerState>(input.carried))
    : input?.plan
      ? Scheduler.fresh(input.plan, startedAt)
      : null;
  const goal = input?.goal?.trim();
  const status = scheduler
    ? scheduler.status(description.workflowId, new Date().toISOString(), 0)
    : goal
      ? new Planning(goal, startedAt).status(description.workflowId, new Date().toISOString())
      : null;
  if (!status) return null;
  if (Date.now() - description.startTime.getTime() > NO_WORKER_AFTER_MS) {
    status.waitingOn.push(
      `worker: no worker has picked up this run yet — start \`baton worker\` on task queue "${description.taskQueue}"`,
    );
  }
  return status;
}
