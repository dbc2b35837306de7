import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { validatePlanObject } from '../../src/plan/load.js';
import { checkWorkspace, resolvePlanPaths } from '../../src/plan/resolve.js';
import type { Plan } from '../../src/plan/schema.js';

function plan(extra: object = {}): Plan {
  const result = validatePlanObject({
    version: 1,
    name: 'p',
    tasks: [{ id: 'a', prompt: 'x', contextFiles: ['src/a.ts', '/etc/hosts'], expectedOutputs: ['out/../out/a.md'] }],
    ...extra,
  });
  assert.ok(result.ok);
  return result.plan;
}

void test('resolvePlanPaths resolves the repo against the start folder and task paths against the repo', () => {
  const resolved = resolvePlanPaths(plan({ workspace: { repo: '../app' } }), '/home/me/work');
  assert.deepEqual(resolved.workspace, { repo: '/home/me/app', isolation: 'none' });
  assert.deepEqual(resolved.tasks[0]?.contextFiles, ['/home/me/app/src/a.ts', '/etc/hosts']);
  assert.deepEqual(resolved.tasks[0]?.expectedOutputs, ['/home/me/app/out/a.md']);
});

void test('resolvePlanPaths defaults the repo to the start folder and leaves the input plan alone', () => {
  const original = plan();
  const resolved = resolvePlanPaths(original, '/srv/project');
  assert.deepEqual(resolved.workspace, { repo: '/srv/project', isolation: 'none' });
  assert.deepEqual(resolved.tasks[0]?.expectedOutputs, ['/srv/project/out/a.md']);
  assert.equal(original.workspace, undefined);
  assert.deepEqual(original.tasks[0]?.expectedOutputs, ['out/../out/a.md']);
});

const outside = (repo: string) => [
  {
    path: 'tasks[0].contextFiles[1]',
    message: `/etc/hosts lies outside the workspace ${repo}; a task's contextFiles must be inside it`,
  },
];

void test('checkWorkspace accepts a folder and reports a missing folder, a file, and worktrees outside git', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'baton-plan-'));
  try {
    const file = join(dir, 'file.txt');
    await writeFile(file, 'x');
    // /etc/hosts: a task's files lie inside its workspace (DESIGN.md §9).
    assert.deepEqual(await checkWorkspace(resolvePlanPaths(plan(), dir)), [
      {
        path: 'tasks[0].contextFiles[1]',
        message: `/etc/hosts lies outside the workspace ${dir}; a task's contextFiles must be inside it`,
      },
    ]);
    const inside = { tasks: [{ id: 'a', prompt: 'x', contextFiles: ['src/a.ts'] }] };
    assert.deepEqual(await checkWorkspace(resolvePlanPaths(plan(inside), dir)), []);
    assert.deepEqual(await checkWorkspace(resolvePlanPaths(plan({ workspace: { repo: 'gone' } }), dir)), [
      { path: 'workspace.repo', message: `folder "${join(dir, 'gone')}" does not exist` },
      ...outside(join(dir, 'gone')),
    ]);
    assert.deepEqual(await checkWorkspace(resolvePlanPaths(plan({ workspace: { repo: 'file.txt' } }), dir)), [
      { path: 'workspace.repo', message: `"${file}" is not a folder` },
      ...outside(file),
    ]);
    assert.deepEqual(
      await checkWorkspace(resolvePlanPaths(plan({ ...inside, workspace: { isolation: 'worktree' } }), dir)),
      [
        {
          path: 'workspace.isolation',
          message: `"worktree" isolation needs a git repository, and "${dir}" is not in one`,
        },
      ],
    );
    await writeFile(join(dir, '.git'), 'gitdir: elsewhere');
    assert.deepEqual(
      await checkWorkspace(resolvePlanPaths(plan({ ...inside, workspace: { isolation: 'worktree' } }), dir)),
      [],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
