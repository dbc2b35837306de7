// Interventions (DESIGN.md §4) as updates: the caller gets the new status or a refusal saying why.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import * as m from '../workflows/messages.js';
import type { RunStatus } from '../workflows/status.js';
import { BadInputError, NotFoundError } from './errors.js';

const UPDATES = {
  approve: m.approveUpdate,
  reject: m.rejectUpdate,
  pause: m.pauseUpdate,
  resume: m.resumeUpdate,
  retryTask: m.retryTaskUpdate,
  skipTask: m.skipTaskUpdate,
  cancelTask: m.cancelTaskUpdate,
  guide: m.guideUpdate,
  addTasks: m.addTasksUpdate,
  abort: m.abortUpdate,
} as const satisfies Record<m.Intervention, unknown>;

export class RefusedError extends BadInputError {
  override name = 'RefusedError';
}

export async function intervene(
  client: Client,
  runId: string,
  operation: m.Intervention,
  payload: Record<string, unknown>,
): Promise<RunStatus> {
  const handle = client.workflow.getHandle(runId);
  try {
    // By its name: the payload is checked by the workflow's validator, not by the definition's argument type.
    return await handle.executeUpdate<RunStatus, [Record<string, unknown>]>(UPDATES[operation].name, {
      args: [payload],
    });
  } catch (err) {
    // The server answers an update to a closed workflow with NotFound too: tell the two apart.
    if (err instanceof WorkflowNotFoundError) throw await notRunning(handle, runId, operation);
    if (err instanceof WorkflowUpdateFailedError) {
      throw new RefusedError(`${operation} refused: ${err.cause?.message ?? err.message}`);
    }
    const text = err instanceof Error ? err.message : String(err);
    if (/workflow execution already completed/i.test(text)) {
      throw new RefusedError(`${operation} refused: run ${runId} has already ended`);
    }
    throw err;
  }
}

/** Why an update found no running workflow: the run has ended (a refusal), or there is no such run. */
async function notRunning(handle: WorkflowHandle, runId: string, operation: m.Intervention): Promise<Error> {
  try {
    const { status } = await handle.describe();
    return new RefusedError(`${operation} refused: run ${runId} has already ended (${status.name.toLowerCase()})`);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return new NotFoundError(`no run with id ${runId}`);
    throw err;
  }
}
