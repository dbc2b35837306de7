// Chaos (issue 5, item 3): a model that never answers. The attempt is killed at the task's wall-clock limit
// (the failure says which limit fired), retried, and the run goes on; no claude is left waiting. The limit (8 s)
// leaves a loaded 2-core machine time to start the answered attempt's claude and let it finish (3 s did not).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forAllTests } from '../helpers/for-all-tests.js';
import { plan, processesOf, statesOf, withHarness, workflowTemporal } from '../helpers/workflow-harness.js';
import { report, until } from './chaos.js';

const temporal = forAllTests(workflowTemporal);

void describe('chaos: a model that never answers', () => {
  void it('kills the attempt at its 8 s limit, retries it, and the run goes on, leaving no process', async () => {
    await withHarness(
      temporal,
      { script: { stuck: { hang: true }, other: { turns: [{ text: 'fine' }] } } },
      async (h) => {
        const handle = await h.start(
          plan('chaos-hang', [
            { id: 'stuck', prompt: 'The model will not answer.', timeout: '8s', retries: 2 },
            { id: 'other', prompt: 'Unrelated work.' },
            { id: 'after', prompt: 'After both.', dependsOn: ['stuck', 'other'] },
          ]),
        );
        await until('the hanging request', () => h.fake.requestsFor('stuck').length >= 1, 60_000);
        const hungAt = h.fake.requestsFor('stuck')[0]!.receivedAt;
        // The next attempt gets an answer (the first stays hung: only its kill ends it).
        h.fake.setScript('stuck', { turns: [{ text: 'answered at last' }] });
        const final = await h.result(handle);
        assert.equal(final.phase, 'completed');
        assert.deepEqual(statesOf(final), { stuck: 'succeeded', other: 'succeeded', after: 'succeeded' });
        const stuck = final.tasks.find((t) => t.id === 'stuck')!;
        assert.equal(stuck.attempts, 2);
        const requests = h.fake.requestsFor('stuck');
        assert.equal(requests.length, 2);
        assert.equal(requests[0]!.answeredAt, null, 'the first request was never answered');

        // The second attempt's start event records why the first ended.
        const history = await handle.fetchHistory();
        const started = (history.events ?? []).flatMap((e) => e.activityTaskStartedEventAttributes ?? []);
        const retried = started.find((a) => a.attempt === 2);
        assert.ok(retried, 'an attempt 2 started');
        // Which limit fired: runAgent's own timer (the workflow gives Temporal's start-to-close timeout slack over
        // the task's timeout, so the activity reports first, having killed claude).
        const failure = retried.lastFailure;
        const firstFailure = failure?.applicationFailureInfo?.type;
        assert.equal(firstFailure, 'AgentTimedOut', failure?.message ?? undefined);
        assert.match(failure?.message ?? '', /longer than the task's timeout of 8s/);
        assert.deepEqual(await processesOf(h.root), [], 'no claude left waiting on the model');
        report('hung model', {
          taskTimeout: '8s',
          hangToRetryRequestMs: requests[1]!.receivedAt - hungAt,
          attempts: stuck.attempts,
          firstFailure,
        });
      },
    );
  });
});
