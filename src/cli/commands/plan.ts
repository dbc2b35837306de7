// `baton plan --goal "…" [-o plan.yaml]`: ask the planner for a plan, without a run, and print or write it as
// YAML (checked by the same rules as a run's planning; invalid answers go back to the planner, as in a run).
// `baton plan show <run>`: the plan of a run, as YAML.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { runPlanner } from '../../activities/plan-goal.js';
import type { Config } from '../../config/index.js';
import { BadInputError } from '../../client/errors.js';
import { getPlan } from '../../client/runs.js';
import { DEFAULT_PLANNING_ROUNDS, goalSlug } from '../../workflows/planning.js';
import { note, openClient } from '../temporal.js';
import { activityDeps, startRehearsal } from '../worker-setup.js';

export interface PlanOptions {
  goal: string;
  /** Write the plan here instead of printing it. */
  output?: string;
  agentsDir?: string;
  rehearse?: boolean;
  /** Invalid answers before giving up (default 3). */
  rounds?: number;
  model?: string;
}

/** The planner's failure to give a valid plan: exit 1, with the problems of its last answer. */
export class PlanningFailedError extends Error {
  override name = 'PlanningFailedError';
}

export async function planCommand(config: Config, options: PlanOptions): Promise<number> {
  const goal = options.goal.trim();
  if (!goal) throw new BadInputError('--goal must not be empty');
  const cwd = process.cwd();
  const rehearsal = options.rehearse ? await startRehearsal(config) : undefined;
  try {
    const deps = activityDeps(config, rehearsal?.env);
    const runId = `plan-${goalSlug(goal)}-${randomBytes(3).toString('hex')}`;
    const rounds = options.rounds ?? DEFAULT_PLANNING_ROUNDS;
    let feedback: string[] = [];
    let previous: string | null = null;
    for (let round = 1; round <= rounds; round++) {
      note(`planning (round ${round} of at most ${rounds})…`);
      const { result, raw } = await runPlanner(
        deps,
        {
          runId,
          goal,
          cwd,
          agentsDir: options.agentsDir ? path.resolve(options.agentsDir) : undefined,
          feedback,
          previous,
          round,
          model: options.model,
        },
        { attempt: 1 },
      );
      if (result.ok) {
        const given = raw as Record<string, unknown>;
        const yaml = stringify({ ...given, goal: given.goal ?? goal }, { lineWidth: 0 });
        if (options.output) {
          await writeFile(options.output, yaml);
          note(`wrote ${options.output}: plan "${result.plan.name}", ${result.plan.tasks.length} tasks`);
        } else {
          process.stdout.write(yaml);
        }
        note(`planner cost $${result.costUsd.toFixed(4)}; transcript ${result.transcriptPath}`);
        return 0;
      }
      note(`the plan was not valid:\n${result.issues.map((i) => `  ${i}`).join('\n')}`);
      feedback = result.issues;
      previous = raw === undefined ? null : JSON.stringify(raw);
    }
    throw new PlanningFailedError(`the planner gave no valid plan in ${rounds} rounds (problems above)`);
  } finally {
    await rehearsal?.stop();
  }
}

export async function planShowCommand(config: Config, options: { runId: string; json?: boolean }): Promise<number> {
  const { client, close } = await openClient(config);
  try {
    const plan = await getPlan(client, options.runId);
    if (!plan) {
      note(`run ${options.runId} has no plan yet: it is planning (see \`baton status ${options.runId}\`)`);
      return 1;
    }
    process.stdout.write(options.json ? `${JSON.stringify(plan, null, 2)}\n` : stringify(plan, { lineWidth: 0 }));
    return 0;
  } finally {
    await close();
  }
}
