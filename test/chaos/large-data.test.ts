// Large data stays out of history (issue 5): a 5 MB agent result and a 3 MB prompt work end to end, through
// the orchestrate workflow, the real claude and the scripted model; history carries bounded payloads only.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { RESULT_TEXT_LIMIT } from '../../src/activities/index.js';
import { LocalArtifactStore } from '../../src/artifacts/local-store.js';
import { startRun } from '../../src/client/runs.js';
import { resolvePlanPaths } from '../../src/plan/resolve.js';
import { PlanSchema } from '../../src/plan/schema.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import { plan, withHarness, workflowTemporal } from '../helpers/workflow-harness.js';
import { report } from './chaos.js';

const temporal = forAllTests(workflowTemporal);

/** Bytes of the run's history as JSON: what Temporal stores for it. */
async function historyBytes(handle: { fetchHistory(): Promise<unknown> }): Promise<number> {
  return Buffer.byteLength(JSON.stringify(await handle.fetchHistory()));
}

void describe('large data end to end', () => {
  void it('a 5 MB agent result: the task succeeds, history holds a bounded summary, the artifact the full text', async () => {
    const big = `${'result line with some words in it\n'.repeat(150_000)}THE END`;
    assert.ok(big.length > 5_000_000);
    const script = { huge: { turns: [{ text: big }] }, reader: { turns: [{ text: 'read the summary' }] } };
    await withHarness(temporal, { script }, async (h) => {
      const handle = await h.start(
        plan('big-result', [
          { id: 'huge', prompt: 'Answer at length.' },
          { id: 'reader', prompt: 'Use it.', dependsOn: ['huge'] },
        ]),
      );
      const final = await h.result(handle);
      assert.equal(final.phase, 'completed', JSON.stringify(final.tasks.map((t) => [t.id, t.state, t.error])));
      const huge = final.tasks.find((t) => t.id === 'huge')!;
      assert.ok(huge.artifactPath, 'the result has an artifact');
      assert.equal(await readFile(huge.artifactPath, 'utf8'), big, 'the artifact holds the whole text');
      assert.ok((huge.summary ?? '').length <= RESULT_TEXT_LIMIT);
      // The dependent's prompt names the artifact, so the next agent can read the whole result.
      const prompt = await readFile(path.join(h.artifactsDir, handle.workflowId, 'reader', 'g1', 'prompt.md'), 'utf8');
      assert.ok(prompt.includes(`Full result: ${huge.artifactPath}`));
      assert.ok(prompt.length < 10_000, `the dependent's prompt is ${prompt.length} characters`);
      const bytes = await historyBytes(handle);
      assert.ok(bytes < 200_000, `history is ${bytes} bytes`);
      report('5 MB result', { resultBytes: big.length, historyBytes: bytes, summaryChars: huge.summary?.length });
    });
  });

  // The plan travels in the workflow's input, and Temporal refuses a payload over 2 MB: startRun moves large
  // prompts to files under BATON_HOME/inputs and the plan carries references that runAgent reads.
  void it('a 3 MB prompt reaches the agent whole, by reference, with history staying small', async () => {
    const body = `${'0123456789abcdef'.repeat(3 * 65536)}\nEND OF THE BIG PROMPT`;
    await withHarness(temporal, { script: { 'big-prompt': { turns: [{ text: 'read it all' }] } } }, async (h) => {
      const resolved = resolvePlanPaths(
        PlanSchema.parse(plan('big-prompt', [{ id: 'big-prompt', prompt: body }])),
        h.cwd,
      );
      const handle = await startRun(h.client, {
        plan: resolved,
        taskQueue: h.taskQueue,
        artifacts: new LocalArtifactStore({ artifacts: h.artifactsDir, inputs: path.join(h.root, 'inputs') }),
        options: { cwd: h.cwd, retryInitialInterval: '100ms' },
      });
      const final = await h.result(handle);
      assert.equal(final.phase, 'completed', JSON.stringify(final.tasks.map((t) => [t.id, t.state, t.error])));
      const sent = await readFile(
        path.join(h.artifactsDir, handle.workflowId, 'big-prompt', 'g1', 'prompt.md'),
        'utf8',
      );
      assert.ok(sent.includes(body), `the agent's prompt holds the whole 3 MB body (${sent.length} characters)`);
      assert.equal(h.fake.requestsFor('big-prompt').length, 1, 'the model was asked once, keyed by the full prompt');
      const bytes = await historyBytes(handle);
      assert.ok(bytes < 200_000, `history is ${bytes} bytes`);
      report('3 MB prompt', { promptBytes: body.length, historyBytes: bytes });
    });
  });
});
