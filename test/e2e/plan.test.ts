// Planning from a goal through the built CLI, a real Temporal dev server and the real claude binary:
// `baton plan --goal … -o plan.yaml` writes a plan that `baton validate` accepts (the planner is told the
// agents of .claude/agents); `baton start --goal --approve-plan` + `baton worker` + `baton plan show` +
// `baton approve` runs it; `baton run --goal --rehearse` plans and runs with the rehearsal's own planner.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { FakeModel, type TaskScript } from '../../src/rehearsal/fake-model.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { describeResult, jsonOf, sandbox, statusShapeProblems, stopProcess, waitFor } from '../helpers/cli.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import { testTemporal } from '../helpers/temporal.js';
import { modelSandbox } from '../helpers/worker-scene.js';

const temporal = forAllTests(testTemporal);

const PLAN = {
  version: 1,
  name: 'docs',
  tasks: [
    {
      id: 'write-docs',
      title: 'Write the docs',
      prompt: 'Write docs/intro.md.',
      agent: 'writer',
      expectedOutputs: ['docs/intro.md'],
    },
    { id: 'review', title: 'Review', prompt: 'Review docs/intro.md.', dependsOn: ['write-docs'] },
  ],
};

const planner = (plan: unknown): TaskScript => ({
  turns: [{ toolUse: { name: 'StructuredOutput', input: plan as Record<string, unknown> } }],
});

const WRITER = `---
name: writer
description: Writes documentation in plain words
tools: Read, Write
---
You write documentation.
`;

void test('baton plan --goal -o plan.yaml writes a plan baton validate accepts; the planner was told the agents', async () => {
  const fake = await FakeModel.start({ rehearse: false, script: { planner: planner(PLAN) } });
  const box = await modelSandbox('plan-goal', fake, { TEMPORAL_ADDRESS: temporal.address });
  try {
    await mkdir(path.join(box.cwd, '.claude', 'agents'), { recursive: true });
    await writeFile(path.join(box.cwd, '.claude', 'agents', 'writer.md'), WRITER);
    const planned = await box.baton(['plan', '--goal', 'Document the project', '-o', 'plan.yaml']);
    assert.equal(planned.exitCode, 0, describeResult(planned));
    assert.match(planned.stderr, /wrote plan\.yaml: plan "docs", 2 tasks/);
    const written = parse(await readFile(path.join(box.cwd, 'plan.yaml'), 'utf8')) as typeof PLAN & { goal: string };
    assert.equal(written.goal, 'Document the project');
    assert.deepEqual(written.tasks[0]?.expectedOutputs, ['docs/intro.md'], 'paths stay relative in the file');

    const validated = await box.baton(['validate', 'plan.yaml']);
    assert.equal(validated.exitCode, 0, describeResult(validated));
    assert.match(validated.stdout, /valid plan "docs" — 2 tasks/);

    const prompt = fake.requestsFor('planner')[0]?.firstUserText ?? '';
    assert.match(prompt, /## Goal\s+Document the project/);
    assert.match(prompt, /- `writer`: Writes documentation in plain words \(tools: Read, Write\)/);

    // Printed to stdout without -o; an unknown agent goes back to the planner, which fixes it.
    fake.setScript('planner', planner({ ...PLAN, tasks: [{ ...PLAN.tasks[0], agent: 'writter' }, PLAN.tasks[1]] }));
    const printing = box.baton(['plan', '--goal', 'Document the project']);
    await waitFor('the first planner answer', async () => (fake.requestsFor('planner').length >= 2 ? true : undefined));
    fake.setScript('planner', planner(PLAN));
    const printed = await printing;
    assert.equal(printed.exitCode, 0, describeResult(printed));
    assert.match(printed.stderr, /unknown agent "writter" \(did you mean "writer"\?\)/);
    assert.equal((parse(printed.stdout) as { name: string }).name, 'docs');
  } finally {
    await fake.stop();
    await box.cleanup();
  }
});

void test('baton start --goal --approve-plan: plan show prints the proposed plan, approve runs it to completion', async () => {
  const small = { version: 1, name: 'small', tasks: [{ id: 'only', prompt: 'Say hello.' }] };
  const fake = await FakeModel.start({ rehearse: false, script: { planner: planner(small) } });
  const box = await modelSandbox('start-goal', fake, { TEMPORAL_ADDRESS: temporal.address });
  const worker = box.spawn(['worker']);
  try {
    const start = await box.baton(['start', '--goal', 'Say hello to everyone', '--approve-plan', '--json']);
    assert.equal(start.exitCode, 0, describeResult(start));
    const { runId } = jsonOf<{ runId: string }>(start);
    assert.match(runId, /^baton-say-hello-to-everyone-[0-9a-f]{12}$/);

    const waiting = await waitFor('the plan to await approval', async () => {
      const status = jsonOf<RunStatus>(await box.baton(['status', runId, '--json']));
      return status.phase === 'awaiting-plan-approval' ? status : undefined;
    });
    assert.deepEqual(statusShapeProblems(waiting), []);
    const shown = await box.baton(['plan', 'show', runId]);
    assert.equal(shown.exitCode, 0, describeResult(shown));
    assert.equal((parse(shown.stdout) as { name: string }).name, 'small');
    assert.equal(fake.requestsFor('only').length, 0, 'nothing runs before approval');

    const approved = await box.baton(['approve', runId]);
    assert.equal(approved.exitCode, 0, describeResult(approved));
    const result = await box.baton(['result', runId, '--json']);
    const final = jsonOf<RunStatus>(result);
    assert.equal(final.phase, 'completed', describeResult(result));
    assert.deepEqual(
      final.tasks.map((t) => [t.id, t.state]),
      [['only', 'succeeded']],
    );
  } finally {
    await stopProcess(worker);
    await fake.stop();
    await box.cleanup();
  }
});

void test('baton run --goal --rehearse plans with the rehearsal planner and runs the plan', async () => {
  const box = await sandbox('run-goal', { TEMPORAL_ADDRESS: temporal.address });
  try {
    const run = await box.baton(['run', '--goal', 'Tidy the garden', '--rehearse', '--json']);
    assert.equal(run.exitCode, 0, describeResult(run));
    const final = jsonOf<RunStatus>(run);
    assert.equal(final.phase, 'completed');
    assert.equal(final.goal, 'Tidy the garden');
    assert.deepEqual(
      final.tasks.map((t) => [t.id, t.state]),
      [
        ['work', 'succeeded'],
        ['summary', 'succeeded'],
      ],
    );
  } finally {
    await box.cleanup();
  }
});
