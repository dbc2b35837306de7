// `baton start <plan>`: hand the plan to Temporal and return; a worker (`baton worker`) runs it.
import type { Config } from '../../client/config.js';
import { runUrl } from '../../client/connection.js';
import { BadInputError } from '../../client/errors.js';
import { startRun } from '../../client/runs.js';
import { readPlan } from '../plan-input.js';
import { note, openClient } from '../temporal.js';

export interface StartOptions {
  planFile?: string;
  goal?: string;
  id?: string;
  json?: boolean;
}

export async function startCommand(config: Config, options: StartOptions): Promise<number> {
  if (!options.planFile) {
    throw new BadInputError(
      'give a plan file: baton start <plan.yaml> (planning from --goal is not available in this version)',
    );
  }
  const plan = await readPlan(options.planFile);
  const { client, target, close } = await openClient(config);
  try {
    const handle = await startRun(client, {
      plan,
      taskQueue: config.taskQueue,
      workflowId: options.id,
      options: { cwd: process.cwd() },
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
    return 0;
  } finally {
    await close();
  }
}
