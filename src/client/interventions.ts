// Interventions (DESIGN.md §4) as updates: the caller gets the new status or a refusal saying why.
// A task below the run (DESIGN.md §10: a path id such as `backend/db`, or a goal task whose planned plan waits on a
// person) is addressed to the child run that holds it, whose answer is exact; the answer shown is the run's status
// with the child's change in it.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import * as m from '../workflows/messages.js';
import type { RunStatus, TaskView } from '../workflows/status.js';
import { commandOf } from '../workflows/wording.js';
import { BadInputError, NotFoundError } from './errors.js';
import { queryStatus } from './runs.js';

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
  const target = await targetOf(client, runId, operation, payload);
  if (!target) return await send(client, runId, operation, payload, caller);
  const answer = await send(client, target.runId, operation, target.payload, caller, target.path);
  // The run learns of the change from its child's next report: show the child's answer in it now.
  return withChild(await queryStatus(client.workflow.getHandle(runId)), answer, target.path);
}

interface Target<O extends m.Intervention> {
  /** The child run that holds the task. */
  runId: string;
  payload: m.InterventionInput<O>;
  /** The path id of the task whose sub-plan that child runs. */
  path: string;
}

/** The child run an intervention is for, or undefined when the run itself answers. */
async function targetOf<O extends m.Intervention>(
  client: Client,
  runId: string,
  operation: O,
  payload: m.InterventionInput<O>,
): Promise<Target<O> | undefined> {
  const taskId = m.taskIdOf(payload);
  const planGate = operation === 'approve' || operation === 'reject';
  if (taskId === undefined || (!taskId.includes('/') && !planGate)) return undefined;
  let status: RunStatus;
  try {
    status = await queryStatus(client.workflow.getHandle(runId));
  } catch {
    return undefined; // the run itself says why (not found, ended, no worker)
  }
  const view = (id: string): TaskView | undefined => status.tasks.find((t) => t.id === id);
  const task = view(taskId);
  if (planGate && task?.child?.planWaiting) {
    // A goal task whose planner's plan waits: the approval (or rejection) is that plan's, in its child run.
    const { taskId: _task, ...plan } = payload as { taskId?: string };
    return { runId: task.child.runId, payload: plan as m.InterventionInput<O>, path: taskId };
  }
  const cut = taskId.lastIndexOf('/');
  if (cut < 0) return undefined;
  const path = taskId.slice(0, cut);
  const holder = view(path)?.child;
  if (!holder) return undefined; // the run refuses it, naming what is wrong
  return { runId: holder.runId, payload: { ...payload, taskId: taskId.slice(cut + 1) }, path };
}

async function send<O extends m.Intervention>(
  client: Client,
  runId: string,
  operation: O,
  payload: m.InterventionInput<O>,
  caller: string,
  /** For a child run: the task whose sub-plan it runs (its refusals say so). */
  path?: string,
): Promise<RunStatus> {
  const handle = client.workflow.getHandle(runId);
  const where = path === undefined ? '' : ` (in the sub-plan of ${path})`;
  try {
    return await handle.executeUpdate(m.interventionUpdates[operation], { args: [payload] });
  } catch (err) {
    // The server answers an update to a closed workflow with NotFound too: tell the two apart.
    if (err instanceof WorkflowNotFoundError) throw await notRunning(handle, runId, caller);
    if (err instanceof WorkflowUpdateFailedError) {
      throw new RefusedError(`${caller} refused${where}: ${err.cause?.message ?? err.message}`);
    }
    const text = err instanceof Error ? err.message : String(err);
    if (/workflow execution already completed/i.test(text)) {
      throw new RefusedError(`${caller} refused: run ${runId} has already ended`);
    }
    throw err;
  }
}

/** The run's status with a child run's answer in it: the child's own tasks get their path ids. */
function withChild(status: RunStatus, child: RunStatus, path: string): RunStatus {
  const prefix = (id: string) => `${path}/${id}`;
  const fresh = child.tasks.map((t) =>
    t.parent === undefined ? { ...t, id: prefix(t.id), parent: path, dependsOn: t.dependsOn.map(prefix) } : t,
  );
  const at = new Map(status.tasks.map((t, i) => [t.id, i]));
  const tasks = [...status.tasks];
  for (const t of fresh) {
    const i = at.get(t.id);
    if (i === undefined) tasks.push(t);
    else tasks[i] = t;
  }
  return { ...status, tasks, taskCount: Math.max(status.taskCount, tasks.length) };
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
