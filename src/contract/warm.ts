// The warm agent (DESIGN §5): the workflow tells its worker, through a sink, which task's claude it may start
// ahead — when the task's last dependency starts — and what fixes that claude's command line. The prompt is not
// part of it: it is written on claude's stdin (the first stream-json message) once the attempt has it.
import type { Sinks } from '@temporalio/workflow';
import type { AgentDefinition, EffectiveTask } from '../plan/schema.js';

/** A dependency of the task, as the workflow knows it when the task is warmed. */
export interface WarmDependency {
  id: string;
  /** The generation that will give (or gave) its result. */
  generation: number;
  /** Skipped: it gives no result file. */
  skipped: boolean;
  /** Its result's ref when it has succeeded already (null: it has none); undefined while it runs. */
  artifactPath?: string | null;
}

export interface WarmAgentSpec {
  runId: string;
  taskId: string;
  /** The generation the task's run will have (its record's next). */
  generation: number;
  /** What of the effective task goes into claude's command line. */
  task: Pick<EffectiveTask, 'permissionMode' | 'model' | 'maxTurns' | 'allowedTools' | 'agent'>;
  agents?: Record<string, AgentDefinition>;
  /** The task's working directory, as its RunAgentInput will say it. */
  cwd: string;
  /** The conversation the task's run will start (its RunAgentInput.sessionId). */
  sessionId: string;
  dependencies: WarmDependency[];
}

export interface WarmAgentSinks extends Sinks {
  warmAgents: {
    /** Start the task's claude ahead, if the worker has room for it. */
    warm(spec: WarmAgentSpec): void;
    /** The task was launched: a warm claude not taken by its attempt soon is stopped (it ran elsewhere). */
    launched(taskId: string, generation: number): void;
    /** Stop the warm claudes of these tasks (all of the run's when absent): they will not run as warmed. */
    release(taskIds?: string[]): void;
  };
}
