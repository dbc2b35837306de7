// The intervention commands of DESIGN.md §4: approve, reject, pause, resume, retry, skip,
// cancel, guide, add, abort. Each sends one update and prints the answer (an abort: the run's final status).
import type { Config } from '../../config/index.js';
import { intervene } from '../../client/interventions.js';
import { waitForResult } from '../../client/runs.js';
import { withWorker } from '../../client/worker-check.js';
import { PlanError } from '../../plan/errors.js';
import { taskIdOf, type Intervention, type InterventionInput } from '../../workflows/messages.js';
import type { RunStatus } from '../../workflows/status.js';
import { commandOf } from '../../workflows/wording.js';
import { phaseLabel, stateLabel, statusReport } from '../format.js';
import { openClient } from '../temporal.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { TaskSchema, type Task } from '../../plan/schema.js';
import { z } from 'zod';

export interface InterveneOptions<O extends Intervention = Intervention> {
  runId: string;
  operation: O;
  /** Fields left undefined (options not given) are not sent. */
  payload: InterventionInput<O>;
  json?: boolean;
}

export async function interveneCommand<O extends Intervention>(
  config: Config,
  options: InterveneOptions<O>,
): Promise<number> {
  const connected = await openClient(config);
  try {
    // An update waits for a worker to take it, forever if none runs: say so at once instead.
    let status = await withWorker(connected, options.runId, () =>
      intervene(connected.client, options.runId, options.operation, withoutUndefined(options.payload)),
    );
    // An abort ends the run once its agents have stopped: what it answers is the run's final status.
    if (options.operation === 'abort') status = await waitForResult(connected.client, options.runId);
    print(status, options);
    return 0;
  } finally {
    await connected.close();
  }
}

/** The payload without its undefined fields: what reaches the workflow is what the person gave. */
function withoutUndefined<T extends object>(payload: T): T {
  const given = { ...payload };
  for (const key of Object.keys(given) as (keyof T)[]) if (given[key] === undefined) delete given[key];
  return given;
}

function print(status: RunStatus, options: InterveneOptions): void {
  if (options.json) {
    process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${headline(status, options)}\n${statusReport(status)}\n`);
}

/** What the intervention did, in a line: the command as people type it, then its effect. */
function headline(status: RunStatus, options: InterveneOptions): string {
  const command = commandOf(options.operation);
  const taskId = taskIdOf(options.payload);
  const task = taskId ? status.tasks.find((t) => t.id === taskId) : undefined;
  if (task) return `${command}: task ${task.id} is now ${stateLabel(task.state)}`;
  if (options.operation === 'addTasks') {
    const added = (options.payload as InterventionInput<'addTasks'>).tasks.map((t) => t.id);
    return `${command}: added ${added.length === 1 ? 'task' : 'tasks'} ${added.join(', ')}`;
  }
  return `${command}: the run is now ${phaseLabel(status.phase)}`;
}

/** Tasks to add, from a YAML/JSON file holding either a list of tasks or `{ tasks: [...] }`. */
export async function readTasksFile(file: string): Promise<Task[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new PlanError([{ file, path: '', message: `cannot read the file: ${(err as Error).message}` }], file);
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    throw new PlanError([{ file, path: '', message: `not valid YAML or JSON: ${(err as Error).message}` }], file);
  }
  const list = Array.isArray(value) ? value : (value as { tasks?: unknown })?.tasks;
  const parsed = z.array(TaskSchema).min(1).safeParse(list);
  if (!parsed.success) {
    throw new PlanError(
      parsed.error.issues.map((i) => ({
        file,
        path: `tasks${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}`,
        message: i.message,
      })),
      file,
    );
  }
  // As in a plan file (DESIGN.md §2): relative paths are resolved against the folder baton runs in.
  const absolute = (p: string) => path.resolve(process.cwd(), p);
  return parsed.data.map((task) => ({
    ...task,
    contextFiles: task.contextFiles.map(absolute),
    expectedOutputs: task.expectedOutputs.map(absolute),
  }));
}
