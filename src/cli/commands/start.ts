// `baton start <plan> | --goal "…"`: hand the plan (or the goal, which the run's first step turns into a
// plan) to Temporal and return; a worker (`baton worker`) runs it.
import type { Config } from '../../config/index.js';
import { runUrl } from '../../client/connection.js';
import { BadInputError } from '../../client/errors.js';
import { startRun } from '../../client/runs.js';
import { unservedQueueMessage, unservedQueues } from '../../client/worker-check.js';
import { routedTasks } from '../../plan/schema.js';
import { planWarnings, readRunInput, startRequest, type RunInputOptions } from '../plan-input.js';
import { note, openClient } from '../temporal.js';

export interface StartOptions extends RunInputOptions {
  json?: boolean;
}

export async function startCommand(config: Config, options: StartOptions): Promise<number> {
  if (options.planFile && (options.approvePlan || options.agentsDir)) {
    throw new BadInputError('--approve-plan and --agents-dir go with --goal');
  }
  const { plan, goal } = await readRunInput('start', options);
  for (const warning of plan ? planWarnings(plan) : []) note(`warning: ${warning}`);
  const connected = await openClient(config);
  const { client, target, close } = connected;
  try {
    const handle = await startRun(client, {
      plan,
      goal,
      taskQueue: config.taskQueue,
      ...startRequest(config, options),
    });
    const uiUrl = runUrl(target, handle.workflowId) ?? null;
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ runId: handle.workflowId, uiUrl })}\n`);
    } else {
      process.stdout.write(`${handle.workflowId}\n`);
      if (uiUrl) note(`Web UI: ${uiUrl}`);
      note(
        `Follow it with \`baton status ${handle.workflowId}\`; a worker (\`baton worker\`) on task queue "${config.taskQueue}" runs it.`,
      );
    }
    for (const unserved of await unservedQueues(connected, routedTasks(plan))) note(unservedQueueMessage(unserved));
    return 0;
  } finally {
    await close();
  }
}
