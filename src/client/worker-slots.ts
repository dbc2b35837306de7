// Why a task the run has started (state `running`) is not running yet, which the run itself cannot know: Temporal
// holds its agent because no worker has a free agent slot (every worker runs `--max-agents` at once) — or, for a
// routed task, because no worker serves its queue (./worker-check.ts). A task `ready` waits for the plan's
// maxParallel instead (src/cli/format.ts). `baton status` and `baton watch` say which.
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { AGENT_ACTIVITY, taskIdOfActivity, type RunStatus } from '../workflows/status.js';

const { PendingActivityState } = proto.temporal.api.enums.v1;

/** An agent scheduled longer ago than this and not started waits for a worker, not for the server. */
const HELD_AFTER_MS = 1_000;

interface PendingActivity {
  activityId?: string | null;
  activityType?: { name?: string | null } | null;
  state?: number | null;
  scheduledTime?: { seconds?: unknown; nanos?: number | null } | null;
  nextAttemptScheduleTime?: { seconds?: unknown; nanos?: number | null } | null;
}

function millis(time: PendingActivity['scheduledTime']): number | undefined {
  if (!time || time.seconds === undefined || time.seconds === null) return undefined;
  return Number(time.seconds) * 1000 + Math.floor((time.nanos ?? 0) / 1e6);
}

/**
 * The running tasks on the run's own queue whose agent no worker has taken yet (not a retry's backoff: that
 * waits for its time), and that queue.
 */
export async function heldForWorkers(
  client: Client,
  status: RunStatus,
  now = Date.now(),
): Promise<{ taskQueue: string; taskIds: string[] }> {
  const running = new Set(status.tasks.filter((t) => t.state === 'running' && !t.taskQueue).map((t) => t.id));
  if (running.size === 0) return { taskQueue: '', taskIds: [] };
  const description = await client.workflow.getHandle(status.runId).describe();
  const pending = (description.raw.pendingActivities ?? []) as PendingActivity[];
  const taskIds = pending
    .filter(
      (a) =>
        a.activityType?.name === AGENT_ACTIVITY && a.state === PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED,
    )
    .filter((a) => {
      const due = millis(a.nextAttemptScheduleTime) ?? millis(a.scheduledTime);
      return due !== undefined && now - due > HELD_AFTER_MS;
    })
    .map((a) => taskIdOfActivity(a.activityId ?? ''))
    .filter((id) => running.has(id));
  return { taskQueue: description.taskQueue, taskIds };
}

const list = (ids: string[]) =>
  ids.length > 5 ? `${ids.slice(0, 5).join(', ')}, … (${ids.length} tasks)` : ids.join(', ');

/** What to tell people about tasks held for a free agent slot on the run's own queue. */
export function heldMessage({ taskQueue, taskIds: ids }: { taskQueue: string; taskIds: string[] }): string {
  const one = ids.length === 1;
  return (
    `${one ? 'task' : 'tasks'} ${list(ids)} ${one ? 'waits' : 'wait'} for a free agent slot: every worker on task queue ` +
    `"${taskQueue}" runs as many agents as it may (\`baton worker --max-agents <n>\`; more workers, more slots)`
  );
}
