// maxParallel bounds the agents in flight, measured where it matters: at the model API.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forAllTests } from '../helpers/for-all-tests.js';
import {
  describeStatus,
  intervalsOf,
  maxOverlap,
  plan,
  withHarness,
  workflowTemporal,
} from '../helpers/workflow-harness.js';

const temporal = forAllTests(workflowTemporal);

void test('maxParallel 3 on a 12-task fan-out never has more than 3 agents in flight, and all 12 succeed', async () => {
  const ids = Array.from({ length: 12 }, (_, i) => `fan-${String(i).padStart(2, '0')}`);
  const script = Object.fromEntries(ids.map((id) => [id, { delayMs: 300, turns: [{ text: `${id} done` }] }]));
  await withHarness(temporal, { script }, async (h) => {
    const handle = await h.start(
      plan(
        'fan-out',
        ids.map((id) => ({ id, prompt: `Do part ${id}.` })),
        { maxParallel: 3 },
      ),
    );
    const final = await h.result(handle);
    assert.equal(final.phase, 'completed', describeStatus(final));
    assert.deepEqual(
      final.tasks.map((t) => [t.id, t.state, t.attempts]),
      ids.map((id) => [id, 'succeeded', 1]),
    );
    const intervals = intervalsOf(h.fake.log);
    assert.equal(intervals.length, 12, 'every task reached the model');
    const overlap = maxOverlap(intervals);
    console.log(`max agents in flight at the model: ${overlap}`);
    assert.ok(overlap <= 3, `at most 3 agents at once, saw ${overlap}`);
    // And the run was parallel, not serial (which would also pass "≤ 3"). Requests cover only part of an
    // agent's life (claude starts for ~1 s before its first one), so on a loaded machine 3 may not line up.
    assert.ok(overlap >= 2, `agents ran side by side: ${overlap}`);
    assert.ok(Math.abs(final.costUsd - 0.12) < 1e-6, `cost ${final.costUsd}`);
  });
});
