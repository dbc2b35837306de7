// Worktrees across hosts on the real cluster (DESIGN.md §12, issue 18): the scenario of
// test/chaos/worktree-two-hosts.ts on the 4-shard PostgreSQL cluster — two workers standing for two hosts share a
// moto bucket and a bare git remote; host A is SIGKILLed mid-agent after its agent wrote a file; host B continues
// the conversation in a worktree made from the remote's checkpoint, finds the file, and the merge lands on the
// remote's integration branch.
import { test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { forAllTests } from '../helpers/for-all-tests.js';
import { ensureSearchAttributes } from '../../src/workers/search-attributes.js';
import { startTestS3 } from '../helpers/s3-server.js';
import { worktreeAcrossHosts } from '../chaos/worktree-two-hosts.js';
import { clusterSceneForAllTests } from './cluster-scene.js';

const scene = clusterSceneForAllTests('worktree-two-hosts.test');
const s3 = forAllTests(startTestS3);

void test('host A SIGKILLed mid-agent: host B continues the conversation in a worktree holding its file; the merge lands on the remote', async () => {
  const { cluster } = scene;
  const connection = await Connection.connect({ address: cluster.address });
  // As `baton worker` does before it polls (the chaos scene's workers are the library's, not the CLI's).
  await ensureSearchAttributes(connection, cluster.namespace);
  const client = new Client({ connection, namespace: cluster.namespace });
  const figures = await worktreeAcrossHosts({ address: cluster.address, client }, s3).finally(() => connection.close());
  const parts = Object.entries(figures).map(([k, v]) => `${k}=${String(v)}`);
  console.log(`[cluster] worktree resumed on another host (git remote + S3): ${parts.join(' ')}`);
});
