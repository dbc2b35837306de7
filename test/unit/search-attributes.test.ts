// How the worker's search-attribute check waits (src/workers/search-attributes.ts), with a stand-in for the
// server's two services: it adds what is missing, then waits until a query naming the attributes is accepted and
// one namespace refresh more; it never waits where there is nothing to wait for. test/cluster/diamond.test.ts
// proves the same on a real cluster.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Connection } from '@temporalio/client';
import { ensureSearchAttributes, NAMESPACE_REFRESH_MS } from '../../src/workers/search-attributes.js';

/** An error shaped as the gRPC client's (what isGrpcServiceError recognises). */
function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}

interface FakeServer {
  connection: Connection;
  added: string[][];
  queries: number;
  slept: number[];
}

/** `known` attributes exist; the first `rejections` queries fail with `rejection`. */
function fakeServer(known: string[], rejections: number, rejection = grpcError(3, 'not a valid search attribute')) {
  const server: FakeServer = { connection: undefined as unknown as Connection, added: [], queries: 0, slept: [] };
  const fake = {
    operatorService: {
      listSearchAttributes: async () => ({ customAttributes: Object.fromEntries(known.map((n) => [n, 2])) }),
      addSearchAttributes: async (request: { searchAttributes: Record<string, number> }) => {
        server.added.push(Object.keys(request.searchAttributes));
        return {};
      },
    },
    workflowService: {
      countWorkflowExecutions: async () => {
        server.queries++;
        if (server.queries <= rejections) throw rejection;
        return { count: 0 };
      },
    },
  };
  server.connection = fake as unknown as Connection;
  return server;
}

const sleepInto = (server: FakeServer) => async (ms: number) => void server.slept.push(ms);

void test('adds the missing attributes, then waits until a query naming them is accepted and one namespace refresh more', async () => {
  const server = fakeServer([], 3);
  const added = await ensureSearchAttributes(server.connection, 'ns', { sleep: sleepInto(server) });
  assert.deepEqual(added, ['BatonPhase', 'BatonWaiting']);
  assert.deepEqual(server.added, [['BatonPhase', 'BatonWaiting']]);
  assert.equal(server.queries, 4);
  assert.deepEqual(server.slept, [200, 200, 200, NAMESPACE_REFRESH_MS]);
});

void test('attributes that exist but a query refuses (added a moment ago by someone else) are waited for too', async () => {
  const server = fakeServer(['BatonPhase', 'BatonWaiting'], 1);
  assert.deepEqual(await ensureSearchAttributes(server.connection, 'ns', { sleep: sleepInto(server) }), []);
  assert.deepEqual(server.added, []);
  assert.deepEqual(server.slept, [200, NAMESPACE_REFRESH_MS]);
});

void test('attributes a query accepts at once cost one query and no wait', async () => {
  const server = fakeServer(['BatonPhase', 'BatonWaiting'], 0);
  assert.deepEqual(await ensureSearchAttributes(server.connection, 'ns', { sleep: sleepInto(server) }), []);
  assert.equal(server.queries, 1);
  assert.deepEqual(server.slept, []);
});

void test('a refusal of another kind (no rights to list workflows) is not waited on', async () => {
  const server = fakeServer([], 5, grpcError(7, 'permission denied'));
  await ensureSearchAttributes(server.connection, 'ns', { sleep: sleepInto(server) });
  assert.equal(server.queries, 1);
  assert.deepEqual(server.slept, []);
});

void test('a server that never accepts the query is given up on after the time allowed, and the worker goes on', async () => {
  const server = fakeServer([], Infinity);
  await ensureSearchAttributes(server.connection, 'ns', { sleep: sleepInto(server), usableTimeoutMs: 1_000 });
  assert.deepEqual(server.slept, [200, 200, 200, 200, 200]);
});
