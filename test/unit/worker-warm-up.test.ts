// A fresh worker generates, ahead of its first tasks, the protobuf codecs its main thread needs at a run's first
// hops (src/workers/warm-up.ts): those of a message and of every message inside it, each once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import proto from '@temporalio/proto';
import { setUpCodecs } from '../../src/workers/warm-up.js';

/** A message type whose codecs are generated has them as its own properties (before: the prototype's stubs). */
const generated = (message: unknown): boolean => Object.hasOwn(message as object, 'decode');

void describe("a fresh worker's warm-up", () => {
  void it('generates the codecs of a message and of the messages inside it, at any depth', () => {
    const response = proto.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
    const info = proto.temporal.api.workflow.v1.WorkflowExecutionInfo; // a field of the response
    const type = proto.temporal.api.common.v1.WorkflowType; // a field of that one
    assert.equal(generated(info), false, 'not generated before (another test may not have decoded one)');
    const done = new Set<unknown>();
    const count = setUpCodecs(response, done);
    assert.ok(count > 20, `${count} messages set up`);
    for (const message of [response, info, type]) assert.ok(generated(message));
    // Each once: a second call finds them all done; a later warm-up keeps the codecs it finds.
    assert.equal(setUpCodecs(response, done), count);
    const decode = info.decode;
    assert.equal(setUpCodecs(response), count);
    assert.equal(info.decode, decode, 'generated again');
    // The generated codecs work.
    const bytes = response.encode({ workflowExecutionInfo: { type: { name: 'orchestrate' } } }).finish();
    assert.equal(response.decode(bytes).workflowExecutionInfo?.type?.name, 'orchestrate');
  });

  void it('passes over what is not a message', () => {
    assert.equal(setUpCodecs(undefined), 0);
    assert.equal(setUpCodecs({ setup: 'no' }), 0);
  });
});
