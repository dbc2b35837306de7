// `baton clean <run>`: removes the run's git worktrees (worktree isolation); its branches stay. Only for a
// run that has ended: a running run's agents work in those folders. Uncommitted work found in a worktree is
// committed on its branch first, so nothing is lost.
import path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { cleanUpWorktrees } from '../../activities/workspace/cleanup.js';
import { runWorktreesDir } from '../../activities/workspace/names.js';
import type { Config } from '../../config/index.js';
import { BadInputError } from '../../client/errors.js';
import { openClient } from '../temporal.js';

export interface CleanOptions {
  runId: string;
  json?: boolean;
}

export async function cleanCommand(config: Config, options: CleanOptions): Promise<number> {
  const worktreesDir = path.join(config.home, 'worktrees');
  const { client, close } = await openClient(config);
  try {
    const running = await client.workflow
      .getHandle(options.runId)
      .describe()
      .then(
        (d) => d.status.name === 'RUNNING' || d.status.name === 'CONTINUED_AS_NEW',
        (err: unknown) => {
          // Unknown to Temporal (never started here, or its history is gone): nothing uses its worktrees.
          if (err instanceof WorkflowNotFoundError) return false;
          throw err;
        },
      );
    if (running) {
      throw new BadInputError(
        `run ${options.runId} is still running and its agents use its worktrees; clean it once it has ended (or baton abort ${options.runId} first)`,
      );
    }
  } finally {
    await close();
  }
  const result = await cleanUpWorktrees(worktreesDir, { runId: options.runId });
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  if (result.removed.length === 0) {
    process.stdout.write(`no worktrees of run ${options.runId} in ${runWorktreesDir(worktreesDir, options.runId)}\n`);
    return 0;
  }
  process.stdout.write(`removed ${result.removed.length} worktree(s) of run ${options.runId}; its branches are kept\n`);
  for (const branch of result.saved) {
    process.stdout.write(`  unfinished work committed on ${branch} before its worktree was removed\n`);
  }
  return 0;
}
