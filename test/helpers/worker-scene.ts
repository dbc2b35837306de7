// The scene of the end-to-end tests that steer a run: a real Temporal dev server, the scripted model, a sandbox
// whose commands reach both (the real claude binary against the model), files in its cwd, and one `baton worker`
// on its task queue. close() takes it all down.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ResultPromise } from 'execa';
import { FakeModel, type FakeModelOptions } from '../../src/rehearsal/fake-model.js';
import { sandbox, stopProcess, type Env, type Sandbox } from './cli.js';
import { claudeEnv } from './claude-env.js';
import { testTemporal, type TestTemporal } from './temporal.js';

export interface WorkerScene {
  temporal: TestTemporal;
  fake: FakeModel;
  box: Sandbox;
  /** The `baton worker` serving the sandbox's task queue. */
  worker: ResultPromise;
  close(): Promise<void>;
}

/** A sandbox (see cli.ts) whose claude talks to `fake`, with `files` written in its cwd. */
export async function modelSandbox(
  name: string,
  fake: FakeModel,
  env: Env,
  files: Record<string, string> = {},
): Promise<Sandbox> {
  const box = await sandbox(name, env);
  Object.assign(box.env, claudeEnv(fake, box.claudeConfigDir));
  for (const [file, text] of Object.entries(files)) await writeFile(path.join(box.cwd, file), text);
  return box;
}

export async function workerScene(
  name: string,
  model: FakeModelOptions,
  files: Record<string, string>,
): Promise<WorkerScene> {
  const temporal = await testTemporal();
  const fake = await FakeModel.start(model);
  const box = await modelSandbox(name, fake, { TEMPORAL_ADDRESS: temporal.address }, files);
  const worker = box.spawn(['worker']);
  return {
    temporal,
    fake,
    box,
    worker,
    async close() {
      await stopProcess(worker, 10_000);
      await fake.stop();
      await box.cleanup();
      await temporal.close();
    },
  };
}

/** A worker beside the scene's that runs agents and no commands (`--no-commands`), on a queue of its own. */
export function noCommandsWorker(box: Sandbox): { queue: string; worker: ResultPromise } {
  const queue = `${box.taskQueue}-no-commands`;
  return { queue, worker: box.spawn(['worker', '--activities-only', '--no-commands', '--task-queue', queue]) };
}
