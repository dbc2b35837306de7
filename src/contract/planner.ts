// The contract between the orchestrate workflow and the planner activity (planGoal): the request for a plan,
// and the plan or the problems found. Types only: the workflow imports this file with `import type`.
import type { Plan } from '../plan/schema.js';
import type { DependencyResult } from './agent.js';

export interface PlanGoalInput {
  /** Workflow id of the run: names the artifact folder. */
  runId: string;
  goal: string;
  /** The folder the planner explores and relative plan paths are resolved against (absolute). */
  cwd: string;
  /** Where the agents a plan may assign are defined (`*.md` with front matter); default `<cwd>/.claude/agents`. */
  agentsDir?: string;
  /** What was wrong with the previous answers, and people's reasons for rejecting a plan. */
  feedback: string[];
  /** The previous answer (JSON) the feedback is about, shown to the planner (a new conversation each time). */
  previous?: string | null;
  /** 1 for the first plan of the run, +1 for each new request (an artifact sub-folder each). */
  round: number;
  /** The planner's model (claude's default when absent). */
  model?: string;
  /** Wall-clock limit of one attempt (default 20 minutes). */
  timeoutMs?: number;
  /**
   * A goal task's planner (DESIGN.md §10): where its plan sits in the run's tree of plans. Absent: the run's own
   * plan (level 1, the default maxDepth).
   */
  hierarchy?: PlannerHierarchy;
}

/** What the planner of a sub-goal is told of the plans above it. */
export interface PlannerHierarchy {
  /** The level of the plan asked for (the run's plan is 1). */
  level: number;
  /** The most levels the run allows: below that, its tasks may carry sub-goals of their own. */
  maxDepth: number;
  /** The task it plans, as a path id (`backend/api`). */
  taskPath: string;
  /** The goals of the plans above, the run's first. */
  parentGoals: string[];
  /** The results of the task's dependencies, which its sub-plan builds on. */
  dependencies: DependencyResult[];
}

export interface PlanGoalFacts {
  round: number;
  costUsd: number;
  sessionId: string | null;
  /** The attempt's stream-json transcript. */
  transcriptPath: string;
  /** The planner's answer as it gave it (JSON), when it gave one. */
  rawPath: string | null;
}

/** A plan that passed every check (paths absolute), or the problems found, one sentence each. */
export type PlanGoalResult = PlanGoalFacts &
  ({ ok: true; plan: Plan } | { ok: false; issues: string[]; /** the answer, when there was one */ raw?: unknown });
