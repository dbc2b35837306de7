// `baton add <run> <file>`: the tasks file is checked like a plan's tasks, and its relative paths are
// resolved against the folder baton runs in, as a plan file's are (DESIGN.md §2).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { readTasksFile } from '../../src/cli/commands/intervene.js';
import { PlanError } from '../../src/plan/errors.js';

void test('added tasks get absolute contextFiles and expectedOutputs; a bad tasks file names the problem', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'baton-add-'));
  const before = process.cwd();
  try {
    process.chdir(dir);
    await writeFile(
      'tasks.yaml',
      'tasks:\n  - id: docs\n    prompt: Write docs.\n    contextFiles: [src/a.ts]\n    expectedOutputs: [out/docs.md, /abs/x.md]\n',
    );
    const [task] = (await readTasksFile('tasks.yaml')) as { contextFiles: string[]; expectedOutputs: string[] }[];
    assert.deepEqual(task?.contextFiles, [path.join(dir, 'src/a.ts')]);
    assert.deepEqual(task?.expectedOutputs, [path.join(dir, 'out/docs.md'), '/abs/x.md']);

    await writeFile('bad.yaml', '- id: Bad Id\n  prompt: x\n');
    await assert.rejects(readTasksFile('bad.yaml'), (err: unknown) => {
      assert.ok(err instanceof PlanError);
      assert.match(err.message, /bad\.yaml.*tasks\[0\]\.id/s);
      return true;
    });
  } finally {
    process.chdir(before);
    await rm(dir, { recursive: true, force: true });
  }
});
