// Determinism guard: the recorded histories of test/histories/ (retries, interventions, continue-as-new, a run
// aborted and one cancelled by Temporal, each closed as Canceled by the cancellation interceptor;
// re-record with `node dist/test/replay/record-histories.js` after a deliberate change) replay against the
// current workflow code — both prebuilt bundles, tracing interceptors included — without a nondeterminism error. The second test shows the guard bites: a workflow
// that issues one command more than the recorded one (a timer before the real orchestrate) fails to replay.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { DISCARD_WORKFLOW_SPANS } from '../../src/tracing/tracing.js';
import { PREBUILT_BUNDLES } from '../../src/workers/workflow-code.js';
import { historyFromJson } from '../replay/history-json.js';

const HISTORIES = fileURLToPath(new URL('../../../test/histories/', import.meta.url));
const BROKEN = fileURLToPath(new URL('../replay/broken-workflows.js', import.meta.url));

Runtime.install({ logger: new DefaultLogger('ERROR') });

async function histories() {
  const files = (await readdir(HISTORIES)).filter((f) => f.endsWith('.json')).sort();
  return await Promise.all(
    files.map(async (file) => ({
      workflowId: path.basename(file, '.json'),
      history: historyFromJson(JSON.parse(await readFile(path.join(HISTORIES, file), 'utf8'))),
    })),
  );
}

void describe('replaying recorded histories', () => {
  void it('replays every recorded run (retries, interventions, continue-as-new) without nondeterminism, with either bundle', async () => {
    const recorded = await histories();
    assert.ok(recorded.length >= 4, `histories found: ${recorded.map((h) => h.workflowId).join(', ')}`);
    assert.equal(PREBUILT_BUNDLES.length, 2, 'the plain bundle and the one with encoded failures');
    const failures: string[] = [];
    for (const { codePath } of PREBUILT_BUNDLES) {
      const options = { workflowBundle: { codePath }, sinks: DISCARD_WORKFLOW_SPANS };
      for await (const result of Worker.runReplayHistories(options, recorded)) {
        if (result.error) failures.push(`${path.basename(codePath)} ${result.workflowId}: ${String(result.error)}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  void it('fails on a deliberately non-deterministic change (a timer the recorded run never had)', async () => {
    const recorded = await histories();
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowsPath: BROKEN }, recorded)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.name}`);
    }
    assert.equal(failures.length, recorded.length, failures.join('\n'));
    assert.ok(
      failures.every((f) => /DeterminismViolationError/.test(f)),
      failures.join('\n'),
    );
  });
});
