// A real Temporal dev server for tests: the suite's shared one (scripts/test.js sets
// BATON_TEST_TEMPORAL_ADDRESS), or one of this process's own when a file runs alone.
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection } from '@temporalio/worker';
import { devServerArgs } from '../../src/client/dev-server-tuning.js';
import { batonDataConverter } from '../../src/codec/data-converter.js';

export interface TestTemporal {
  address: string;
  client: Client;
  connection: Connection;
  nativeConnection: NativeConnection;
  close(): Promise<void>;
}

export async function testTemporal(): Promise<TestTemporal> {
  let env: TestWorkflowEnvironment | undefined;
  let address = process.env.BATON_TEST_TEMPORAL_ADDRESS;
  if (!address) {
    const path = process.env.TEMPORAL_CLI_PATH ?? 'temporal';
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path },
        extraArgs: devServerArgs(),
      },
    });
    address = env.address;
  }
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    address,
    client: new Client({ connection, dataConverter: batonDataConverter(undefined) }),
    connection,
    nativeConnection,
    async close() {
      await connection.close();
      await nativeConnection.close();
      await env?.teardown();
    },
  };
}

/** A task queue no other test uses, so workers of different tests never share work. */
export function uniqueQueue(prefix = 'test'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
