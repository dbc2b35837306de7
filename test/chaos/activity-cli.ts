// What the tests of Temporal's activity controls share: one scene and one baton worker process for the file, and
// `temporal activity <command>` on an agent, as an operator (or the Web UI) calls it.
import { execFile } from 'node:child_process';
import { after, before } from 'node:test';
import { promisify } from 'node:util';
import { agentActivityId } from '../../src/workflows/status.js';
import { testTemporal, type TestTemporal } from '../helpers/temporal.js';
import { scene, startWorker, type Scene } from './chaos.js';

const run = promisify(execFile);
const TEMPORAL = process.env.TEMPORAL_CLI_PATH ?? 'temporal';

export interface ActivityScene {
  temporal: TestTemporal;
  s: Scene;
}

/** A Temporal dev server, a scene and its worker, set up before the file's tests and torn down after them. */
export function activitySceneForAllTests(): ActivityScene {
  const shared = {} as ActivityScene;
  let worker: ReturnType<typeof startWorker>;
  before(async () => {
    shared.temporal = await testTemporal();
    shared.s = await scene({});
    worker = startWorker(shared.s, shared.temporal.address);
    await worker.ready;
  });
  after(async () => {
    worker.child.kill('SIGTERM');
    await worker.exited;
    await shared.s.cleanup();
    await shared.temporal.close();
  });
  return shared;
}

/** `temporal activity <command>` on the agent of `taskId` (generation 1) of the run `workflowId`. */
export async function temporalActivity(
  address: string,
  command: string,
  workflowId: string,
  taskId: string,
  ...extra: string[]
): Promise<void> {
  const args = ['activity', command, '--address', address, '--namespace', 'default'];
  args.push('--workflow-id', workflowId, '--activity-id', agentActivityId(taskId, 1), ...extra);
  await run(TEMPORAL, args);
}
