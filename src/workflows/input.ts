// What the orchestrate workflow is started with (DESIGN.md §3): a plan or a goal, and the run's options.
import type { Duration } from '@temporalio/common';
import type { Duration as PlanDuration, Plan } from '../plan/schema.js';
import type { RefusedSignal } from './status.js';
import type { ParentLink } from './children/child-plan.js';

export interface OrchestrateOptions {
  /** Folder baton was started from (absolute): the workspace when the plan names none. */
  cwd?: string;
  /** First retry delay of an agent attempt (doubles each time, up to a minute). */
  retryInitialInterval?: Duration;
  /** How long an agent may go without a heartbeat before its worker is presumed dead. */
  heartbeatTimeout?: Duration;
  /** Continue-as-new after this many history events even if Temporal does not suggest it yet. */
  continueAsNewAfterEvents?: number;
  /** Started from a goal: wait for a person's approve (or reject with a reason) of the plan before running it. */
  approvePlan?: boolean;
  /** Started from a goal: the folder of the agents a plan may assign (absolute; default `<cwd>/.claude/agents`). */
  agentsDir?: string;
  /** Started from a goal: invalid plans in a row before the run waits on a person (default 3). */
  planningRounds?: number;
  /** Started from a goal: the planner's model (claude's default when absent). */
  plannerModel?: string;
  /** Started from a goal: wall-clock limit of one planner attempt (default 20m). */
  plannerTimeout?: PlanDuration;
  /** A child run (a task's sub-plan, DESIGN.md §10): its parent, its place in the tree, what it inherits. */
  parent?: ParentLink;
}

export interface OrchestrateInput {
  plan?: Plan;
  goal?: string;
  options?: OrchestrateOptions;
  /** State carried over continue-as-new, packed (`pack.ts`): thousands of tasks stay under the payload limit. */
  carried?: string;
  /** Signals refused before the run continued as new (./refusals.ts). */
  refusals?: RefusedSignal[];
}
