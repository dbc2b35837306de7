// What the MCP e2e tests share: the suite's Temporal, a baton worker running the real claude against the scripted
// model, and a `baton mcp` subprocess serving the worker's queue, set up before the file's tests and torn down after.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Worker } from '@temporalio/worker';
import { FakeModel, type TaskScript } from '../../src/rehearsal/fake-model.js';
import { startMcp } from './mcp-client.js';
import { uniqueQueue, type TestTemporal } from './temporal.js';
import { agentFolders, testWorker, workflowTemporal } from './workflow-harness.js';

export interface McpScene {
  temporal: TestTemporal;
  root: string;
  cwd: string;
  fake: FakeModel;
  mcp: Client;
  /** What the `baton mcp` subprocess wrote to stderr so far. */
  stderr: () => string;
  /** Another `baton mcp` on the same Temporal and folders, serving `taskQueue` (closed by the caller). */
  startMcp: (taskQueue: string) => Promise<Client>;
}

/** The scene, filled in by a `before` hook; `name` prefixes the folder and the queue. */
export function mcpSceneForAllTests(name: string, script: Record<string, TaskScript>): McpScene {
  const scene = {} as McpScene;
  let worker: Worker | undefined;
  let workerRunning: Promise<void> | undefined;
  let stderr = '';
  before(async () => {
    scene.temporal = await workflowTemporal();
    scene.root = await mkdtemp(path.join(tmpdir(), `${name}-`));
    const folders = await agentFolders(scene.root);
    scene.cwd = folders.cwd;
    scene.fake = await FakeModel.start({ script, rehearse: false });
    const taskQueue = uniqueQueue(name);
    worker = await testWorker(scene.temporal, { taskQueue, fake: scene.fake, ...folders });
    workerRunning = worker.run();
    scene.stderr = () => stderr;
    scene.startMcp = (queue) =>
      startMcp({ temporalAddress: scene.temporal.address, taskQueue: queue, cwd: scene.cwd, root: scene.root });
    scene.mcp = await startMcp({
      temporalAddress: scene.temporal.address,
      taskQueue,
      cwd: scene.cwd,
      root: scene.root,
      onStderr: (text) => (stderr += text),
    });
  });
  after(async () => {
    await scene.mcp?.close();
    worker?.shutdown();
    await workerRunning;
    await scene.fake?.stop();
    await scene.temporal?.close();
    if (scene.root) await rm(scene.root, { recursive: true, force: true });
  });
  return scene;
}
