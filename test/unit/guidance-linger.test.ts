// A run's memo read for live guidance (guidance-channel.ts RunWatch), with a counted stand-in for the run's
// `describe`: agents that follow one another within a poll interval share one reading; once none watches for a
// poll, the run is no longer read.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { RunWatch } from '../../src/activities/guidance-channel.js';

const POLL_MS = 150;

function counted(memo: Record<string, unknown>) {
  const run = {
    asked: 0,
    describe: () => {
      run.asked++;
      return Promise.resolve({ memo });
    },
  };
  return run;
}

void describe('a run watched for guidance', () => {
  void it('an agent that starts just after the last one ended takes the kept reading: no second describe', async () => {
    const run = counted({ note: 1 });
    let forgotten = 0;
    const watch = new RunWatch(run as never, POLL_MS, () => forgotten++);
    const first: unknown[] = [];
    const stopFirst = watch.add((memo) => first.push(memo));
    await sleep(10);
    assert.deepEqual(first, [{ note: 1 }], 'the first agent is told the reading');
    stopFirst();
    const second: unknown[] = [];
    const stopSecond = watch.add((memo) => second.push(memo));
    assert.deepEqual(second, [{ note: 1 }], 'the next agent is told at once, from the kept reading');
    assert.equal(run.asked, 1, 'the run was read once for both');
    stopSecond();
    await sleep(POLL_MS * 2.5);
    assert.equal(forgotten, 1, 'with no agent watching at the next poll, the watch stops');
    assert.equal(run.asked, 1, 'and the run is not read for nobody');
  });

  void it('while an agent watches, the run is read every poll interval', async () => {
    const run = counted({});
    const watch = new RunWatch(run as never, POLL_MS, () => undefined);
    const stop = watch.add(() => undefined);
    await sleep(POLL_MS * 3.5);
    stop();
    assert.ok(run.asked >= 3 && run.asked <= 5, `read at once and at each poll: ${run.asked}`);
  });
});
