// The plans the bench runs. Each task's prompt carries `sleep-ms: N`: how long the stub agent works.
import { criticalPath } from '../src/plan/dag.js';
import { PlanSchema, type Plan, type TaskInput } from '../src/plan/schema.js';

export type AgentKind = 'stub' | 'claude';

export interface Scenario {
  name: string;
  /** One line for the table and the docs: the shape of the plan. */
  shape: string;
  plan: Plan;
  /** Milliseconds each task's agent works (the stub sleeps that long; the fake model waits that long to answer claude). */
  sleepMs: (taskId: string) => number;
  agent: AgentKind;
  /** Sample the status query (library and `baton status` CLI) while the run goes and after it ends. */
  probeStatus?: boolean;
  /**
   * A plan of sub-plans (DESIGN.md §10): its agents' tasks — the leaves — as one flat plan. The lower bound runs it;
   * task counts, hops and the critical path are of these. Leaf ids are unique across the tree (the stub logs them).
   */
  leaves?: Plan;
  /** The baton worker's warm agents at most at once (its default when absent; 0: none). */
  warmAgents?: number;
}

/** The tasks that run agents: the plan's own, or a plan of sub-plans' leaves. */
export const agentPlan = (scenario: Scenario): Plan => scenario.leaves ?? scenario.plan;

function plan(name: string, maxParallel: number, tasks: TaskInput[]): Plan {
  // Short timeout and few retries: a stuck bench run fails fast instead of hanging for 30 minutes.
  return PlanSchema.parse({ version: 1, name, maxParallel, defaults: { timeout: '5m', retries: 2 }, tasks });
}

const prompt = (sleepMs: number) => `Benchmark task.\nsleep-ms: ${sleepMs}\n`;
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** `layers` × `width` tasks; every task depends on `fanIn(layer, i)` tasks of the previous layer. */
function layered(
  name: string,
  layers: number,
  width: number,
  sleepMs: number,
  maxParallel: number,
  fanIn: (i: number) => number[],
): Plan {
  const id = (layer: number, i: number) => `l${pad(layer, 3)}-t${pad(i, 4)}`;
  const tasks: TaskInput[] = [];
  for (let layer = 0; layer < layers; layer++) {
    for (let i = 0; i < width; i++) {
      tasks.push({
        id: id(layer, i),
        prompt: prompt(sleepMs),
        dependsOn: layer === 0 ? [] : fanIn(i).map((j) => id(layer - 1, j)),
      });
    }
  }
  return plan(name, maxParallel, tasks);
}

const constant = (ms: number) => () => ms;

export function dag10x20(): Scenario {
  const all = Array.from({ length: 20 }, (_, j) => j);
  return {
    name: 'dag-10x20',
    shape: '10 layers × 20 tasks of 500 ms; every task depends on all 20 of the layer before; maxParallel 20',
    plan: layered('bench-dag', 10, 20, 500, 20, () => all),
    sleepMs: constant(500),
    agent: 'stub',
  };
}

export function chain100(): Scenario {
  const tasks: TaskInput[] = Array.from({ length: 100 }, (_, i) => ({
    id: `c${pad(i, 3)}`,
    prompt: prompt(0),
    dependsOn: i === 0 ? [] : [`c${pad(i - 1, 3)}`],
  }));
  return {
    name: 'chain-100',
    shape: '100 tasks of 0 ms, each depending on the one before',
    plan: plan('bench-chain', 1, tasks),
    sleepMs: constant(0),
    agent: 'stub',
  };
}

export function independent1000(): Scenario {
  const tasks: TaskInput[] = Array.from({ length: 1000 }, (_, i) => ({ id: `t${pad(i, 4)}`, prompt: prompt(0) }));
  return {
    name: 'independent-1000',
    shape: '1,000 independent tasks of 0 ms; maxParallel 50',
    plan: plan('bench-independent', 50, tasks),
    sleepMs: constant(0),
    agent: 'stub',
  };
}

export function scale5000(): Scenario {
  return {
    name: 'scale-5000',
    shape:
      '10 layers × 500 tasks of 0 ms; task i depends on tasks i and i+1 (mod 500) of the layer before; maxParallel 50',
    plan: layered('bench-scale', 10, 500, 0, 50, (i) => [i, (i + 1) % 500]),
    sleepMs: constant(0),
    agent: 'stub',
    probeStatus: true,
  };
}

/**
 * Three levels of plans: 10 tasks, each a sub-plan of 10 tasks, each a sub-plan of 10 leaves of 100 ms (1,000
 * agents, 110 child runs). maxParallel 10 at the top, inherited by every sub-plan; the worker has 16 agent slots.
 */
export function hierarchy1000(): Scenario {
  const ten = Array.from({ length: 10 }, (_, i) => i);
  const sleepMs = 100;
  const leafIds = (a: number, b: number) => ten.map((c) => `a${a}-b${b}-c${c}`);
  const tasks: TaskInput[] = ten.map((a) => ({
    id: `a${a}`,
    plan: {
      tasks: ten.map((b) => ({
        id: `a${a}-b${b}`,
        plan: { tasks: leafIds(a, b).map((id) => ({ id, prompt: prompt(sleepMs) })) },
      })),
    },
  }));
  const leaves = ten.flatMap((a) => ten.flatMap((b) => leafIds(a, b))).map((id) => ({ id, prompt: prompt(sleepMs) }));
  return {
    name: 'hierarchy-1000',
    shape:
      '10 tasks × a sub-plan of 10 tasks × a sub-plan of 10 leaves of 100 ms (1,000 agents, 110 child runs); maxParallel 10 at every level, 16 agent slots; lower bound: the 1,000 leaves flat, 16 at once',
    plan: plan('bench-hierarchy', 10, tasks),
    leaves: plan('bench-hierarchy-leaves', 16, leaves),
    sleepMs: constant(sleepMs),
    agent: 'stub',
  };
}

/**
 * examples/diamond.yaml's shape with the real claude binary and the scripted fake model, which answers each task's
 * request after a second (a model takes seconds: time for the claudes started ahead to be ready, as they would be).
 */
export function diamondClaude(): Scenario {
  const tasks: TaskInput[] = [
    { id: 'map-endpoints', prompt: 'Map the endpoints.' },
    { id: 'security-review', prompt: 'Review security.', dependsOn: ['map-endpoints'] },
    { id: 'performance-review', prompt: 'Review performance.', dependsOn: ['map-endpoints'] },
    { id: 'report', prompt: 'Write the report.', dependsOn: ['security-review', 'performance-review'] },
  ];
  return {
    name: 'diamond-claude',
    shape:
      "examples/diamond.yaml's 4 tasks (1 → 2 in parallel → 1), real claude + fake model answering after 1 s; maxParallel 2; warm agents (the worker's default)",
    plan: plan('bench-diamond', 2, tasks),
    sleepMs: constant(1000),
    agent: 'claude',
  };
}

/** diamond-claude with no warm agents: every dependent's claude starts when its activity does. */
export function diamondClaudeCold(): Scenario {
  const warm = diamondClaude();
  return { ...warm, name: 'diamond-claude-cold', shape: `${warm.shape}; no warm agents`, warmAgents: 0 };
}

export const SCENARIOS: Record<string, () => Scenario> = {
  'dag-10x20': dag10x20,
  'chain-100': chain100,
  'independent-1000': independent1000,
  'scale-5000': scale5000,
  'diamond-claude': diamondClaude,
  'diamond-claude-cold': diamondClaudeCold,
  'hierarchy-1000': hierarchy1000,
};

/** The sum of the agents' work along the longest chain: no executor can finish sooner. */
export function criticalPathMs(scenario: Scenario): number {
  const chain = criticalPath(agentPlan(scenario).tasks, (t) => scenario.sleepMs(t.id));
  return chain.reduce((sum, id) => sum + scenario.sleepMs(id), 0);
}
