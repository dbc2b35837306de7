// Chaos: a worker SIGKILLed while the plan's verify (DESIGN.md §11, worktree isolation) runs on the integration
// branch after a task's merge. A new worker takes over: the verify activity runs again there (it heartbeats; the
// dead one stops), passes, and the run completes — the task's agent ran once, its merge is on the branch once.
// Real Temporal dev server, real claude binary, scripted model, real git.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { integrationBranch, taskBranch } from '../../src/activities/workspace/names.js';
import { finalStatus } from '../../src/client/runs.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import { initRepo } from '../helpers/git-repo.js';
import { testTemporal } from '../helpers/temporal.js';
import { startRun, startWorker, until, withScene } from './chaos.js';

const temporal = forAllTests(testTemporal);

/** Notes each start in the file it is given, then takes 4 s to pass: the kill lands while it runs. */
const SLOW_CHECK = [
  "require('fs').appendFileSync(process.argv[1], 'started\\n');",
  'setTimeout(() => process.exit(0), 4000);',
].join(' ');

void describe('chaos: a worker killed while the plan verify runs', () => {
  void it('completes on a new worker: the check runs again and passes, the agent ran once, one merge', async () => {
    const script = { work: { turns: [{ write: { path: 'work.txt', content: 'work\n' } }, { text: 'wrote it' }] } };
    await withScene(script, async (s) => {
      const git = await initRepo(s.cwd);
      const starts = path.join(s.root, 'verify-starts.txt');
      const first = startWorker(s, temporal.address);
      await first.ready;
      const handle = await startRun(
        temporal.client,
        s,
        {
          version: 1,
          name: 'pv-kill',
          workspace: { isolation: 'worktree' },
          verify: [[process.execPath, '-e', SLOW_CHECK, starts]],
          defaults: { timeout: '5m', retries: 2 },
          tasks: [{ id: 'work', prompt: 'Write work.txt.' }],
        },
        { heartbeatTimeout: '3s' },
      );
      await until('the plan verify to run', () => existsSync(starts), 60_000);
      first.child.kill('SIGKILL');
      await first.exited;

      const second = startWorker(s, temporal.address);
      try {
        const final = await finalStatus(handle);
        assert.equal(final?.phase, 'completed', JSON.stringify(final?.tasks));
        const work = final!.tasks[0]!;
        assert.equal(work.state, 'succeeded');
        assert.equal(work.verification?.passed, true);
        // The check ran on the dead worker and again on the new one; the agent only once.
        assert.equal((await readFile(starts, 'utf8')).trim().split('\n').length, 2);
        assert.equal(s.fake.requestsFor('work').filter((r) => r.assistantTurns === 0).length, 1, 'the agent ran once');
        assert.equal(work.attempts, 1);
        const run = handle.workflowId;
        assert.equal(await git(['show', `${integrationBranch(run)}:work.txt`]), 'work');
        assert.equal(
          await git(['rev-parse', `${integrationBranch(run)}^2`]),
          await git(['rev-parse', taskBranch(run, 'work')]),
        );
        const merges = await git(['log', '--first-parent', '--format=%s', integrationBranch(run)]);
        assert.equal(merges.split('\n').filter((m) => m.endsWith('(merged)')).length, 1, merges);
      } finally {
        second.child.kill('SIGTERM');
        await second.exited;
      }
    });
  });
});
