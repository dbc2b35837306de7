// Interventions (DESIGN.md §4) as updates: the caller gets the new status or a refusal saying why.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import * as m from '../workflows/messages.js';
import type { RunStatus } from '../workflows/status.js';
import { commandOf } from '../workflows/wording.js';
import { BadInputError, NotFoundError } from './errors.js';

export class RefusedError extends BadInputError {
  override name = 'RefusedError';
}

/**
 * Sends one intervention; its payload's type follows the operation (see InterventionInputs). A refusal names the
 * operation as `caller` (default: the command people type, `baton retry`; the MCP server names its tools).
 */
export async function intervene<O extends m.Intervention>(
  client: Client,
  runId: string,
  operation: O,
  payload: m.InterventionInput<O>,
  caller: string = commandOf(operation),
): Promise<RunStatus> {
  const handle = client.workflow.getHandle(runId);
  try {
    return await handle.executeUpdate(m.interventionUpdates[operation], { args: [payload] });
  } catch (err) {
    // The server answers an update to a closed workflow with NotFound too: tell the two apart.
    if (err instanceof WorkflowNotFoundError) throw await notRunning(handle, runId, caller);
    if (err instanceof WorkflowUpdateFailedError) {
      throw new RefusedError(`${caller} refused: ${err.cause?.message ?? err.message}`);
    }
    const text = err instanceof Error ? err.message : String(err);
    if (/workflow execution already completed/i.test(text)) {
      throw new RefusedError(`${caller} refused: run ${runId} has already ended`);
    }
    throw err;
  }
}

/** Why an update found no running workflow: the run has ended (a refusal), or there is no such run. */
async function notRunning(handle: WorkflowHandle, runId: string, caller: string): Promise<Error> {
  try {
    const { status } = await handle.describe();
    return new RefusedError(`${caller} refused: run ${runId} has already ended (${status.name.toLowerCase()})`);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return new NotFoundError(`no run with id ${runId}`);
    throw err;
  }
}
