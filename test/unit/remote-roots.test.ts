// A `workspace.remote` that is a folder of this host is allowed only under the worker's workspace roots proper
// (src/activities/policy-check.ts): baton's own worktrees folder — other runs' worktrees and its clones of remotes
// (`.remotes/`) — counts as a workspace for a task's repository, never for a plan's remote.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { checkWorkspaceAllowed } from '../../src/activities/policy-check.js';
import { testPolicy } from '../helpers/policy.js';

void test("a remote folder in baton's own worktrees folder is refused; one under the roots is allowed", () => {
  const home = realpathSync(mkdtempSync(path.join(tmpdir(), 'baton-remote-own-')));
  const roots = path.join(home, 'projects');
  const worktreesDir = path.join(home, 'worktrees');
  const otherRunsClone = path.join(worktreesDir, '.remotes', 'other-run');
  const repo = path.join(roots, 'repo');
  for (const dir of [otherRunsClone, repo, path.join(roots, 'remote.git')]) mkdirSync(dir, { recursive: true });
  const deps = {
    policy: testPolicy({ workspaceRoots: [roots] }),
    artifactsDir: path.join(home, 'artifacts'),
    worktreesDir,
  };

  assert.doesNotThrow(() => checkWorkspaceAllowed(deps, repo, path.join(roots, 'remote.git')));
  // The task's own worktree is a workspace baton made: allowed as a repository.
  assert.doesNotThrow(() => checkWorkspaceAllowed(deps, path.join(worktreesDir, 'run', 'task'), undefined));
  for (const remote of [otherRunsClone, `file://${otherRunsClone}`]) {
    assert.throws(
      () => checkWorkspaceAllowed(deps, repo, remote),
      (err: unknown) =>
        err instanceof ApplicationFailure &&
        err.type === 'PolicyRefused' &&
        err.nonRetryable &&
        err.message.includes(otherRunsClone) &&
        err.message.includes('BATON_WORKSPACE_ROOTS'),
    );
  }
});
