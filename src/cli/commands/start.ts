// `baton start <plan> | --goal "…"`: hand the plan (or the goal, which the run's first step turns into a
// plan) to Temporal and return; a worker (`baton worker`) runs it.
import type { Config } from '../../config/index.js';
import { runUrl } from '../../client/connection.js';
import { BadInputError } from '../../client/errors.js';
import { startRun } from '../../client/runs.js';
import { unservedQueueMessage, unservedQueues } from '../../client/worker-check.js';
import { routedTasks, withoutRouting } from '../../plan/schema.js';
import { rehearsalTaskQueue } from '../../rehearsal/env.js';
import { planWarnings, readRunInput, startRequest, type RunInputOptions } from '../plan-input.js';
import { note, openClient } from '../temporal.js';

export interface StartOptions extends RunInputOptions {
  json?: boolean;
  /** A rehearsal: the run goes to the rehearsal queue, where `baton worker --rehearse` runs it (scripted model). */
  rehearse?: boolean;
}

export async function startCommand(config: Config, options: StartOptions): Promise<number> {
  if (options.planFile && (options.approvePlan || options.agentsDir)) {
    throw new BadInputError('--approve-plan and --agents-dir go with --goal');
  }
  const input = await readRunInput('start', options);
  const { goal } = input;
  // A rehearsal's tasks all run on the rehearsal worker, against the scripted model: none goes to a real one.
  const plan = options.rehearse && input.plan ? withoutRouting(input.plan) : input.plan;
  const taskQueue = options.rehearse ? rehearsalTaskQueue(config.taskQueue) : config.taskQueue;
  for (const warning of plan ? planWarnings(plan) : []) note(`warning: ${warning}`);
  const worker = options.rehearse ? '`baton worker --rehearse`' : '`baton worker`';
  const connected = await openClient(config);
  const { client, target, close } = connected;
  try {
    const handle = await startRun(client, { plan, goal, taskQueue, ...startRequest(config, options) });
    const uiUrl = runUrl(target, handle.workflowId) ?? null;
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ runId: handle.workflowId, uiUrl })}\n`);
    } else {
      process.stdout.write(`${handle.workflowId}\n`);
      if (uiUrl) note(`Web UI: ${uiUrl}`);
      if (options.rehearse) note('rehearsal: its agents talk to a scripted model (no API key, no cost)');
      note(
        `Follow it with \`baton status ${handle.workflowId}\`; a worker (${worker}) on task queue "${taskQueue}" runs it.`,
      );
    }
    for (const unserved of await unservedQueues(connected, routedTasks(plan))) note(unservedQueueMessage(unserved));
    return 0;
  } finally {
    await close();
  }
}
