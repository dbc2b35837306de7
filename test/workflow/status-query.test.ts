// `baton status` of a large run is one query: its answer holds every task, travels compressed (the data
// converter's ZlibCodec), and reads the same as the status query a page at a time. Real Temporal dev server
// and baton worker; the tasks wait at approval gates, so no agent runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getStatus, queryStatusPages, STATUS_PAGE_SIZE } from '../../src/client/runs.js';
import { ENCODING_ZLIB } from '../../src/codec/zlib-codec.js';
import { statusQuery } from '../../src/workflows/messages.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import { plan, withHarness, workflowTemporal } from '../helpers/workflow-harness.js';

const temporal = forAllTests(workflowTemporal);

/** The status without the clock: two reads of an unchanged run differ only in `updatedAt`. */
const timeless = (status: RunStatus) => ({ ...status, updatedAt: null });

void test('the status of a 1,200-task run is one query holding every task, compressed on the wire, equal to the paged status', async () => {
  const count = 2 * STATUS_PAGE_SIZE + 200;
  const tasks = Array.from({ length: count }, (_, i) => ({
    id: `t${String(i).padStart(4, '0')}`,
    title: `Task ${i} — "quoted", ünïcode`,
    prompt: `Do part ${i}.`,
    approval: 'before' as const,
    dependsOn: i === 0 ? [] : [`t${String(i - 1).padStart(4, '0')}`],
  }));
  await withHarness(temporal, {}, async (h) => {
    const handle = await h.start(plan('packed', tasks));
    await h.waitFor(handle, (s) => s.tasks.some((t) => t.state === 'awaiting-approval'), 'the first gate');

    const whole = await handle.query(statusQuery);
    assert.equal(whole.tasks.length, count);
    assert.equal(whole.taskCount, count);
    // What the server carried: one payload, deflated, a fraction of the JSON.
    const raw = await h.client.workflowService.queryWorkflow({
      namespace: 'default',
      execution: { workflowId: handle.workflowId },
      query: { queryType: 'status' },
    });
    const [payload, ...more] = raw.queryResult?.payloads ?? [];
    assert.ok(payload && more.length === 0, 'one payload');
    assert.equal(Buffer.from(payload.metadata?.encoding ?? []).toString(), ENCODING_ZLIB);
    const json = JSON.stringify(whole).length;
    const wire = payload.data?.length ?? 0;
    assert.ok(wire * 5 < json, `${wire} bytes on the wire for ${json} bytes of JSON`);

    const paged = await queryStatusPages(handle);
    assert.deepEqual(timeless(whole), timeless(paged));
    const read = await getStatus(h.client, handle.workflowId);
    assert.deepEqual(timeless(read), timeless(paged));
    assert.equal(read.tasks[0]!.state, 'awaiting-approval');
    assert.equal(read.tasks[count - 1]!.title, `Task ${count - 1} — "quoted", ünïcode`);
    await handle.terminate('test over');
  });
});
