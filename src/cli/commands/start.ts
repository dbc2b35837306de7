// `baton start <plan> | --goal "…"`: hand the plan (or the goal, which the run's first step turns into a
// plan) to Temporal and return; a worker (`baton worker`) runs it.
import path from 'node:path';
import type { Config } from '../../client/config.js';
import { runUrl } from '../../client/connection.js';
import { BadInputError } from '../../client/errors.js';
import { startRun } from '../../client/runs.js';
import { readPlan } from '../plan-input.js';
import { note, openClient } from '../temporal.js';

export interface StartOptions {
  planFile?: string;
  goal?: string;
  approvePlan?: boolean;
  agentsDir?: string;
  id?: string;
  json?: boolean;
}

export async function startCommand(config: Config, options: StartOptions): Promise<number> {
  const goal = options.goal?.trim();
  if (options.planFile && goal !== undefined) throw new BadInputError('give a plan file or --goal, not both');
  if (!options.planFile && !goal) throw new BadInputError('give a plan file (baton start <plan.yaml>) or --goal "…"');
  if (options.planFile && (options.approvePlan || options.agentsDir)) {
    throw new BadInputError('--approve-plan and --agents-dir go with --goal');
  }
  const plan = options.planFile ? await readPlan(options.planFile) : undefined;
  const { client, target, close } = await openClient(config);
  try {
    const handle = await startRun(client, {
      plan,
      goal,
      approvePlan: options.approvePlan,
      taskQueue: config.taskQueue,
      workflowId: options.id,
      inputsDir: path.join(config.home, 'inputs'),
      options: {
        cwd: process.cwd(),
        ...(options.agentsDir ? { agentsDir: path.resolve(options.agentsDir) } : {}),
      },
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
