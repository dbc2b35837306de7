// A deliberately non-deterministic variant of the workflows, for test/workflow/replay.test.ts: `orchestrate`
// sleeps one second before doing what the real one does, a command no recorded history holds.
import { sleep } from '@temporalio/workflow';
import { orchestrate as real } from '../../src/workflows/orchestrate.js';

export async function orchestrate(...args: Parameters<typeof real>): ReturnType<typeof real> {
  await sleep(1000);
  return await real(...args);
}
