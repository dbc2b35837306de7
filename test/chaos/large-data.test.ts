// Large data stays out of history (issue 5): a 5 MB agent result and a 3 MB prompt work end to end, through
// the orchestrate workflow, the real claude and the scripted model; history carries bounded payloads only.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RESULT_TEXT_LIMIT } from '../../src/activities/index.js';
import type { TestTemporal } from '../helpers/temporal.js';
import { plan, withHarness, workflowTemporal } from '../helpers/workflow-harness.js';
import { report } from './chaos.js';

let temporal: TestTemporal;
before(async () => {
  temporal = await workflowTemporal();
});
after(async () => {
  await temporal.close();
});

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

  // runAgent passes it to claude whole (test/activity/run-agent-resume.test.ts); what is missing is the way into
  // the run: the plan travels in the workflow's input, and Temporal refuses a payload over 2 MB ("Blob data
  // size exceeds limit"). Prompts that large must reach the run by reference (an input file), like results.
  const todo = 'the plan (workflow input) cannot carry a 3 MB prompt: Temporal limits a payload to 2 MB';
  void it('a 3 MB prompt reaches the agent whole (on stdin: argv takes at most 128 KiB)', { todo }, async () => {
    const body = `${'0123456789abcdef'.repeat(3 * 65536)}\nEND OF THE BIG PROMPT`;
    await withHarness(temporal, { script: { 'big-prompt': { turns: [{ text: 'read it all' }] } } }, async (h) => {
      let handle;
      try {
        handle = await h.start(plan('big-prompt', [{ id: 'big-prompt', prompt: body }]));
      } catch (err) {
        report('3 MB prompt', { startFailed: err instanceof Error ? err.message : String(err) });
        throw err;
      }
      const final = await h.result(handle);
      assert.equal(final.phase, 'completed');
      const bytes = await historyBytes(handle);
      report('3 MB prompt', { promptBytes: body.length, historyBytes: bytes });
    });
  });
});
