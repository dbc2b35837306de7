// The plan's JSON Schema for editors and other tools (docs/plan.schema.json, written by scripts/plan-schema.js),
// generated from the zod schema so the two cannot drift apart. It checks the shape; `baton validate` checks the
// rest (the dependency graph, ids that only zod's refinements catch, the workspace on disk). Pure.
import { z } from 'zod';
import { PlanSchema } from './schema.js';

/** Descriptions editors show on hover, by object and key. docs/PLAN.md says the same at length. */
const TASK_SETTINGS: Record<string, string> = {
  agent: 'The agent that runs the task: one defined under `agents`, or one claude knows (.claude/agents, its own).',
  model: 'The model of the agent: an alias such as "sonnet", "opus" or "haiku", or a full model name.',
  maxTurns: "The most turns one attempt may take (claude's --max-turns).",
  timeout: 'The wall-clock limit of one attempt: "90s", "30m", "2h", "500ms", or a number of seconds. Default "30m".',
  retries: 'Attempts after the first when one fails for a reason that may pass (attempts = retries + 1). Default 3.',
  permissionMode: "claude's --permission-mode. Default acceptEdits.",
  allowedTools: 'Tools the agent may use without asking (claude --allowedTools), e.g. [Read, Edit, Bash].',
  taskQueue: "The Temporal task queue whose workers run this task's agent. Default: the run's own queue.",
};

const DESCRIPTIONS: Record<'plan' | 'task' | 'subPlan' | 'defaults' | 'workspace' | 'agent', Record<string, string>> = {
  plan: {
    version: 'The plan format version: 1.',
    name: 'The name of the plan: part of run ids and shown in the Web UI. Lowercase letters, digits, ".", "_", "-".',
    goal: 'What the whole plan achieves: shown in the Web UI and given to every agent.',
    maxParallel: 'How many tasks may run at once. Default 4.',
    onFailure:
      'When a task fails for good: wait (default: its dependents are blocked, the rest goes on, then a person decides), fail (cancel everything, the run fails) or continue (run everything still reachable).',
    budgetUsd: 'Pause the run when the cost its agents report passes this many US dollars.',
    maxDepth:
      'How many levels of plans may nest (this plan is level 1; a task with a plan or a goal adds one). Default 3.',
    defaults: 'Settings for every task that does not set them itself.',
    workspace: 'Where the agents work. Default: the folder baton was started from.',
    agents: 'Agent definitions (claude --agents) that tasks name with `agent`.',
    verify:
      "Worktree isolation only: commands that must pass on the integration branch after each task's merge, each an argv list run without a shell; a failure undoes the merge and waits for a person (verification-failed).",
    tasks: 'The tasks, in plan order (among ready tasks of equal priority, the earlier starts first).',
  },
  task: {
    ...TASK_SETTINGS,
    id: 'Unique within the plan; also a file and git branch name: lowercase letters, digits, ".", "_", "-", no "..".',
    title: 'A short title for people (default: the id).',
    prompt:
      "What the agent is asked to do. It is sent with the run's goal and the results of the task's dependencies. A task has a prompt, a plan or a goal.",
    plan: 'A sub-plan that does the task, run as a child workflow: a plan file (relative to this plan) or an inline { tasks: [...] }.',
    goal: 'A goal: when the task starts, a planner agent writes its sub-plan (approval: before makes that plan wait for a person).',
    dependsOn: 'Ids of the tasks that must succeed (or be skipped) before this one starts.',
    priority: 'Among ready tasks, higher starts first. Default 0.',
    approval:
      'A gate for a person: none (default), before (approve before the task starts) or after (approve its result; a rejection runs it again with the reason).',
    contextFiles: 'Files the agent is pointed at (relative to the workspace).',
    expectedOutputs:
      'Files the agent must leave behind (relative to the workspace); one missing goes back to the agent (verifyRounds), then fails the task.',
    verify:
      'Commands that must pass in the workspace after the agent ends, each an argv list run without a shell ([npm, test]); a failure goes back to the agent.',
    verifyRounds: 'Times a failing verify command is given back to the agent to fix (0–10, default 2).',
  },
  subPlan: {
    name: "The sub-plan's name (default: its task's id).",
    goal: 'What the sub-plan achieves, given to its agents.',
    maxParallel: "How many of its tasks may run at once. Default: the plan above's.",
    onFailure: "As the plan's onFailure. Default: the plan above's.",
    budgetUsd: 'Its own budget; it never gets more than what the plan above has left.',
    maxDepth: 'Lowers how deep plans may nest below it.',
    defaults: 'Settings for its tasks, over the defaults of the plan above.',
    agents: 'Agent definitions, beside those of the plan above.',
    tasks: 'The tasks of the sub-plan.',
  },
  defaults: TASK_SETTINGS,
  workspace: {
    repo: 'The folder the agents work in, relative to the folder baton is started from. Default ".".',
    isolation:
      'none (default: every agent works in the folder itself) or worktree (each task on its own git branch and worktree, merged in dependency order).',
    remote:
      'With worktree isolation across hosts: a git remote every worker reaches (a URL, or the path of a bare repository; a relative path is resolved like repo). Task branches, the integration branch and checkpoints of unfinished work live there.',
  },
  agent: {
    description: 'When to use this agent.',
    prompt: "The agent's system prompt.",
    tools: 'The tools it may use (default: all).',
    disallowedTools: 'Tools it must not use.',
    model: 'Its model (default: the task’s).',
  },
};

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function describe(schema: unknown, what: keyof typeof DESCRIPTIONS): void {
  if (!isObject(schema) || !isObject(schema.properties)) return;
  for (const [key, property] of Object.entries(schema.properties)) {
    const description = DESCRIPTIONS[what][key];
    if (description !== undefined && isObject(property)) {
      // Put the description first: it reads better in the checked-in file, and editors do not care.
      schema.properties[key] = { description, ...property };
    }
  }
}

/** The JSON Schema (draft 7, the draft editors support best) of a plan file as people write it. */
export function planJsonSchema(): JsonObject {
  const generated = z.toJSONSchema(PlanSchema, { io: 'input', target: 'draft-7' }) as JsonObject;
  const { $schema, ...rest } = generated;
  const schema: JsonObject = {
    $schema,
    title: 'baton plan (format v1)',
    description:
      'A plan of Claude Code tasks with dependencies, run by baton as a Temporal workflow. See docs/PLAN.md.',
    ...rest,
  };
  const properties = schema.properties as JsonObject;
  describe(schema, 'plan');
  describe(properties.defaults, 'defaults');
  describe(properties.workspace, 'workspace');
  describe((properties.agents as JsonObject | undefined)?.additionalProperties, 'agent');
  // Tasks and sub-plans nest (a task's plan has tasks): they are definitions the plan refers to.
  const definitions = (schema.definitions ?? {}) as JsonObject;
  describe(definitions.task, 'task');
  describe(definitions.subPlan, 'subPlan');
  const subPlan = (definitions.subPlan as JsonObject | undefined)?.properties as JsonObject | undefined;
  describe(subPlan?.defaults, 'defaults');
  describe((subPlan?.agents as JsonObject | undefined)?.additionalProperties, 'agent');
  return schema;
}
