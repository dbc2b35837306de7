// One tool per intervention of DESIGN.md §4, its arguments the run id plus the very payload schema the
// workflow validates (src/workflows/messages.ts: interventionSchemas). The answer is the run's status after the change.
import { z } from 'zod';
import { intervene } from '../client/interventions.js';
import * as m from '../workflows/messages.js';
import { describeRun } from './format.js';
import { RunIdSchema } from './run-tools.js';
import { defineTool, type BatonTool } from './tool.js';
import { withWorker } from '../client/worker-check.js';
import { waitForResult } from '../client/runs.js';
import type { Client } from '@temporalio/client';
import type { RunStatus } from '../workflows/status.js';

/** How long baton_abort waits for the run to end (its agents to stop) before it answers with what it has. */
const ABORT_WAIT_MS = 30_000;

/** The run's final status if it ends within `ms`; undefined otherwise. */
async function endedWithin(client: Client, runId: string, ms: number): Promise<RunStatus | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([waitForResult(client, runId), late]);
  } finally {
    clearTimeout(timer);
  }
}

interface InterventionSpec {
  name: string;
  title: string;
  description: string;
  destructive: boolean;
}

const SPECS: Record<m.Intervention, InterventionSpec> = {
  approve: {
    name: 'baton_approve',
    title: 'Approve a gate',
    description:
      "Approve an open gate: a task's approval to start (`before`), the review of its result (`after`), a resolved merge conflict, or with no taskId the plan itself. Allowed while that gate is open.",
    destructive: false,
  },
  reject: {
    name: 'baton_reject',
    title: 'Reject a gate',
    description:
      'Reject an open gate with a reason. A rejected `after` review re-runs the task with the reason as feedback; with no taskId, rejects the plan.',
    destructive: false,
  },
  pause: {
    name: 'baton_pause',
    title: 'Pause a run',
    description: 'Pause a running run: tasks already running finish, no new task starts until baton_resume.',
    destructive: false,
  },
  resume: {
    name: 'baton_resume',
    title: 'Resume a run',
    description: 'Resume a paused run; budgetUsd raises the budget when the run paused because it was spent.',
    destructive: false,
  },
  retryTask: {
    name: 'baton_retry_task',
    title: 'Retry a task',
    description:
      'Run a failed or cancelled task again, optionally with a replacement prompt or a note added to its prompt; the tasks it blocked can then go on.',
    destructive: false,
  },
  skipTask: {
    name: 'baton_skip_task',
    title: 'Skip a task',
    description:
      'Skip a task that is not running or succeeded (for instance a failed one): its dependents proceed as if it were done.',
    destructive: true,
  },
  cancelTask: {
    name: 'baton_cancel_task',
    title: 'Cancel a task',
    description:
      'Cancel a running task: its claude process and everything it started are killed and the task becomes cancelled (baton_retry_task runs it again).',
    destructive: true,
  },
  guide: {
    name: 'baton_guide',
    title: 'Guide a task',
    description:
      "Send a task's agent a message (the task must not be finished): a running agent gets it at its next turn, in the same attempt; otherwise it joins the next attempt's prompt.",
    destructive: false,
  },
  addTasks: {
    name: 'baton_add_tasks',
    title: 'Add tasks to a run',
    description:
      "Add tasks to a run that has not ended. Tasks have the plan's task shape; ids must be new, dependencies must exist, and no cycle may form.",
    destructive: false,
  },
  answer: {
    name: 'baton_answer',
    title: "Answer an agent's question",
    description:
      "Answer the question a task's agent asked (the task is awaiting-answer; the status shows the question): the agent continues its conversation with the answer, even if its process ended while it waited.",
    destructive: false,
  },
  abort: {
    name: 'baton_abort',
    title: 'Abort a run',
    description: 'End a run now: running tasks are cancelled and the run ends. Allowed until the run has ended.',
    destructive: true,
  },
};

function interventionTool(operation: m.Intervention, spec: InterventionSpec): BatonTool {
  return defineTool({
    name: spec.name,
    title: spec.title,
    description: `${spec.description} Answers the run's status after the change, or why it was refused.`,
    input: z.strictObject({ runId: RunIdSchema, ...m.interventionSchemas[operation].shape }),
    annotations: { readOnlyHint: false, destructiveHint: spec.destructive, idempotentHint: false, openWorldHint: true },
    async run(args, context) {
      const { runId, ...payload } = args;
      const connected = await context.session.connected();
      let status = await withWorker(connected, runId, () =>
        intervene(connected.client, runId, operation, payload, spec.name),
      );
      // An abort ends the run once its agents have stopped: answer with the final status when it comes soon.
      if (operation === 'abort') status = (await endedWithin(connected.client, runId, ABORT_WAIT_MS)) ?? status;
      const taskId = m.taskIdOf(payload);
      const task = taskId ? status.tasks.find((t) => t.id === taskId) : undefined;
      const head = task
        ? `${spec.name}: task ${task.id} is now ${task.state}.`
        : `${spec.name}: the run is now ${status.phase}.`;
      return { text: `${head}\n${describeRun(status)}`, data: { ...status } };
    },
  });
}

export const INTERVENTION_TOOLS: BatonTool[] = m.INTERVENTIONS.map((operation) =>
  interventionTool(operation, SPECS[operation]),
);
