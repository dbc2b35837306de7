// A worker's memory setting (BATON_WORKER_MEMORY, `baton worker --memory`; src/workers/worker.ts, workerV8Flags):
// the variable is checked like every other, the flags are ones this Node knows (V8 ignores an unknown flag without
// a word), and they do what the setting promises to the workflow thread's heap: `small` keeps its new generation at
// 1 MB (why a large run's worker spends CPU collecting), `large` leaves V8's own sizing (docs/BENCHMARKS.md, stop 30).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { WORKER_MEMORY_MODES } from '../../src/config/worker-memory.js';
import { workerV8Flags } from '../../src/workers/worker.js';

/** The new generation's size, in MB, of a worker thread started after `flags` were set, once it holds ~2M objects. */
function workerThreadNewSpaceMb(flags: string[]): number {
  const thread = `
    const v8 = require('node:v8');
    const kept = [];
    for (let i = 0; i < 2e6; i++) kept.push({ i });
    const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    require('node:worker_threads').parentPort.postMessage(space.space_size / 1048576);`;
  const main = `
    const v8 = require('node:v8');
    const { Worker } = require('node:worker_threads');
    for (const flag of JSON.parse(process.argv[1])) v8.setFlagsFromString(flag);
    new Worker(${JSON.stringify(thread)}, { eval: true }).on('message', (mb) => console.log(mb));`;
  return Number(execFileSync(process.execPath, ['-e', main, JSON.stringify(flags)], { encoding: 'utf8' }).trim());
}

void describe("a worker's memory setting", () => {
  const config = (value: string | undefined) =>
    loadConfig(value === undefined ? {} : { BATON_WORKER_MEMORY: value }, '/tmp');

  void it('BATON_WORKER_MEMORY is small or large; empty or unset leaves the default', () => {
    assert.equal(config('small').workerMemory, 'small');
    assert.equal(config('large').workerMemory, 'large');
    assert.equal(config('').workerMemory, undefined);
    assert.equal(config(undefined).workerMemory, undefined);
    for (const bad of ['huge', 'Large', ' small', '1']) {
      assert.throws(
        () => config(bad),
        (err: unknown) =>
          err instanceof ConfigError &&
          err.message.includes('BATON_WORKER_MEMORY') &&
          /small or large/.test(err.message),
        `BATON_WORKER_MEMORY=${JSON.stringify(bad)}`,
      );
    }
  });

  void it('sets only flags this Node knows', () => {
    const known = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    for (const mode of WORKER_MEMORY_MODES) {
      for (const flag of workerV8Flags(mode)) {
        const name = flag.replace(/=.*$/, '').replace(/^--no-/, '--');
        assert.ok(known.includes(`  ${name} `), `${flag} (${mode}) is not among node --v8-options`);
      }
    }
  });

  void it("small keeps the workflow thread's new generation at 1 MB; large lets it grow", () => {
    assert.equal(workerThreadNewSpaceMb(workerV8Flags('small')), 1);
    assert.ok(workerThreadNewSpaceMb(workerV8Flags('large')) >= 8, 'large: V8 sizes the new generation itself');
  });
});
