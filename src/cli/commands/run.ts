// `baton run <plan> | --goal "…"`: all in one — Temporal (embedded unless TEMPORAL_ADDRESS), an in-process
// worker, the run (planned first when from a goal), live progress, the result table and the Web UI link.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Config } from '../../config/index.js';
import { planRefusal, workerPolicy } from '../../config/policy.js';
import { BadInputError } from '../../client/errors.js';
import { batonDataConverter } from '../../codec/data-converter.js';
import { connectWorkerConnection, runUrl } from '../../client/connection.js';
import { startRun } from '../../client/runs.js';
import { unservedQueueMessage, unservedQueues } from '../../client/worker-check.js';
import { startTracing, type Tracing } from '../../tracing/tracing.js';
import { ensureSearchAttributes } from '../../workers/search-attributes.js';
import { agentSlotsFor, createBatonWorker } from '../../workers/worker.js';
import { bold, statusReport } from '../format.js';
import { follow } from '../follow.js';
import { readRunInput, startRequest, type RunInputOptions } from '../plan-input.js';
import { routedTasks, withoutRouting } from '../../plan/schema.js';
import { ProgressPrinter } from '../progress.js';
import { note, openClient } from '../temporal.js';
import { activityDeps, checkedArtifactStore, startRehearsal } from '../worker-setup.js';

export interface RunOptions extends RunInputOptions {
  json?: boolean;
  rehearse?: boolean;
  /** Let the plan ask for permissionMode bypassPermissions (DESIGN.md §9). */
  allowBypassPermissions?: boolean;
}

export async function runCommand(config: Config, options: RunOptions): Promise<number> {
  const input = await readRunInput('run', options);
  const { goal } = input;
  // This run's own worker: agents may work in the folder baton runs in and the plan file's (DESIGN.md §9).
  const policy = workerPolicy(config.policy, {
    defaultRoots: [config.cwd, ...(options.planFile ? [path.dirname(path.resolve(options.planFile))] : [])],
    allowBypassPermissions: options.allowBypassPermissions,
  });
  // What the worker would refuse is refused now, before anything starts.
  const refused = input.plan && planRefusal(policy, input.plan);
  if (refused) throw new BadInputError(refused);
  const say = options.json ? note : (line: string) => process.stdout.write(`${line}\n`);
  const store = await checkedArtifactStore(config);
  const rehearsal = options.rehearse ? await startRehearsal(config) : undefined;
  const activities = activityDeps(config, rehearsal?.env, store, policy);
  if (rehearsal) say(`rehearsal: agents talk to a scripted model at ${rehearsal.model.url} (no API key, no cost)`);
  const routed = routedTasks(input.plan).filter((t) => t.taskQueue);
  if (rehearsal && routed.length > 0) say('rehearsal: tasks routed to other task queues (taskQueue) run here too');
  // A rehearsal's agents all run in this process, against the scripted model: none goes to a real worker.
  const plan = rehearsal && input.plan ? withoutRouting(input.plan) : input.plan;
  const connected = await openClient(config).catch(async (err: unknown) => {
    await rehearsal?.stop();
    throw err;
  });
  let tracing: Tracing | undefined;
  try {
    const { client, target } = connected;
    tracing = await startTracing(config.tracing, 'worker', { warn: note });
    if (!target.embedded) await ensureSearchAttributes(connected.connection, target.namespace);
    const connection = await connectWorkerConnection(config, target);
    // A rehearsal gets a task queue of its own, so no other worker runs its tasks against the real API.
    const taskQueue = rehearsal ? `${config.taskQueue}-rehearsal-${randomBytes(4).toString('hex')}` : config.taskQueue;
    const worker = await createBatonWorker({
      connection,
      namespace: target.namespace,
      taskQueue,
      activities,
      notifyCommand: config.notifyCommand,
      // This worker runs this plan alone: as many agents at once as the plan may run.
      maxConcurrentAgents: agentSlotsFor(plan),
      memory: config.workerMemory,
      dataConverter: batonDataConverter(config.encryption.keys),
      tracing,
    });
    const handle = await startRun(client, { plan, goal, taskQueue, ...startRequest(config, options) });
    const url = runUrl(target, handle.workflowId);
    say(
      plan
        ? `${bold(handle.workflowId)} started: ${plan.tasks.length} tasks, up to ${plan.maxParallel} at once`
        : `${bold(handle.workflowId)} started: planning from the goal${options.approvePlan ? ' (the plan waits for `baton approve`)' : ''}`,
    );
    if (url) say(`Web UI: ${url}`);
    // This process serves the run's own queue only: tasks routed elsewhere need a worker there.
    const elsewhere = routedTasks(plan).filter((t) => t.taskQueue !== taskQueue);
    for (const unserved of await unservedQueues(connected, elsewhere)) note(unservedQueueMessage(unserved));
    const printer = new ProgressPrinter(say);
    const outage = {
      down: () => note(`Temporal unreachable at ${target.address}, retrying; the run goes on when it is back`),
      back: () => note(`Temporal at ${target.address} answers again; following ${handle.workflowId}`),
    };
    const final = await worker.runUntil(follow(client, handle.workflowId, (s) => printer.update(s), { outage }));
    await connection.close();
    if (options.json) {
      process.stdout.write(`${JSON.stringify(final, null, 2)}\n`);
    } else {
      say('');
      say(statusReport(final, url));
      if (target.embedded)
        say(`The Temporal dev server keeps running in the background (stop it with \`baton server stop\`).`);
    }
    return final.phase === 'completed' ? 0 : 1;
  } finally {
    // The worker has stopped: its last spans (the run's own, which ends last) are exported before exit.
    await tracing?.shutdown();
    await connected.close();
    await rehearsal?.stop();
  }
}
