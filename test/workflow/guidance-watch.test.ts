// Live guidance read once per run, however many of its agents run on the worker (guidance-channel.ts): the real
// orchestrate workflow on a real Temporal dev server, its agents small functions that watch their task's notes
// through the real channel (the worker's client, the run's memo). A note a person gives each running task after
// its agent started reaches that agent, and that agent only; one reading of the run serves them all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { guidanceChannel, watchedRuns } from '../../src/activities/guidance-channel.js';
import type { LiveNote } from '../../src/activities/live-input.js';
import type { RunAgentInput } from '../../src/contract/agent.js';
import { guideUpdate } from '../../src/workflows/messages.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import { finalOf, stubPlan, stubResult, waitForStatus, withStubs } from '../helpers/stubbed-runs.js';
import { workflowTemporal } from '../helpers/workflow-harness.js';

const temporal = forAllTests(workflowTemporal);
const TASKS = ['a', 'b', 'c'];

void test('notes given to running tasks reach each its own agent, through one reading of the run for all', async () => {
  const heard = new Map<string, string[]>();
  const watching = new Set<string>();
  /** Runs whose memo the worker reads, seen by each agent while all of them watch. */
  const runsRead: number[] = [];
  let client: Client | undefined;
  const agent = async (input: RunAgentInput) => {
    const ctx = Context.current();
    client = ctx.client;
    const channel = guidanceChannel({ taskId: input.task.id, generation: input.generation }, 200);
    assert.ok(channel, 'the activity has the worker’s client');
    const got = new Promise<LiveNote[]>((resolve) => {
      const stop = channel.watch((notes) => {
        if (notes.length === 0) return;
        stop();
        resolve(notes);
      });
    });
    watching.add(input.task.id);
    const notes = await Promise.race([got, sleep(20_000).then(() => [] as LiveNote[])]);
    heard.set(
      input.task.id,
      notes.map((note) => note.message),
    );
    channel.delivered(notes);
    await sleep(300); // the signal on its way before the run may end
    return stubResult(input, `heard ${notes.length}`);
  };
  await withStubs(temporal, agent, async (start) => {
    const run = await start(
      stubPlan(
        'watch',
        TASKS.map((id) => ({ id, prompt: id })),
      ),
    );
    await waitForStatus(run, 'every task running', (s) => s.tasks.every((t) => t.state === 'running'));
    const deadline = Date.now() + 10_000;
    while (watching.size < TASKS.length) {
      assert.ok(Date.now() < deadline, 'every agent watches');
      await sleep(20);
    }
    runsRead.push(watchedRuns(client!));
    for (const id of TASKS) await run.executeUpdate(guideUpdate, { args: [{ taskId: id, message: `note for ${id}` }] });
    const final = await finalOf(run);
    assert.equal(final.phase, 'completed');
    for (const id of TASKS) assert.deepEqual(heard.get(id), [`note for ${id}`], `task ${id} heard its own note`);
    assert.deepEqual(runsRead, [1], 'one reading of the run for its three agents');
    // Its reading is kept for one poll interval (200 ms) after the last agent stops watching, then dropped.
    const forgetBy = Date.now() + 2000;
    while (watchedRuns(client!) > 0 && Date.now() < forgetBy) await sleep(20);
    assert.equal(watchedRuns(client!), 0, 'no agent watches any more: the run is not read');
    // Each note is recorded as having reached its agent.
    for (const task of final.tasks) {
      assert.deepEqual(
        task.guidance.map((g) => [g.message, g.delivered]),
        [[`note for ${task.id}`, true]],
      );
    }
  });
});
