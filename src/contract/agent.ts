// The contract between the orchestrate workflow and the agent activity (runAgent): its input, result and
// heartbeat. Types only: the workflow imports this file with `import type`.
import type { AgentDefinition, EffectiveTask } from '../plan/schema.js';

export interface DependencyResult {
  id: string;
  title: string;
  state: 'succeeded' | 'skipped';
  /** Bounded summary of the dependency's result text. */
  summary: string;
  /** File holding the dependency's full result (absent when skipped). */
  artifactPath?: string;
  /** Notes its agent recorded for others (mcp__baton__note), newest first, bounded. */
  notes?: { key: string; text: string }[];
}

export interface RunAgentInput {
  /** Workflow id of the run: names the artifact folder. */
  runId: string;
  goal?: string;
  /** A sub-plan's agent (DESIGN.md §10): the goals of the plans above its own, the root run's first. */
  parentGoals?: string[];
  /** The task with defaults applied; paths (contextFiles, expectedOutputs) absolute. */
  task: EffectiveTask;
  /** 1 for the first run of the task; +1 for each person's retry (artifact sub-folder). */
  generation: number;
  /** Working directory of the agent (absolute). */
  cwd: string;
  /** Subagent definitions of the plan (passed as `--agents <json>`). */
  agents?: Record<string, AgentDefinition>;
  dependencies: DependencyResult[];
  /** Messages from people (guide, reviewer feedback) added to the prompt. */
  guidance: string[];
  /** Claude session id chosen by the workflow (uuid) for the first attempt; with `answer`, the one to continue. */
  sessionId: string;
  /**
   * A person's answer to the question the task's agent asked before its attempt ended (DESIGN §13): this run
   * continues that agent's conversation (`sessionId`) with it.
   */
  answer?: { question: string; text: string };
  /**
   * A fix round (DESIGN §11): the task's `verify` failed after the agent's answer, and this run continues that
   * agent's conversation (`sessionId`) with what failed; `round` counts them from 1. Absent: the agent's first run.
   */
  fix?: { round: number; message: string };
  /**
   * Missing `expectedOutputs` are reported in the result (`missingOutputs`) instead of failing the attempt: the
   * workflow gives them back to the agent's conversation like a failed verify (DESIGN §11). Absent: they fail it.
   */
  reportMissingOutputs?: boolean;
  /**
   * Worktree isolation with a plan-level `verify`: how many commands run after this task's merge. A worker that
   * refuses commands (`--no-commands`) refuses the agent before it starts, as it does a task's own verify.
   */
  planVerifyCommands?: number;
  /**
   * Worktree isolation: the task's paths (contextFiles, expectedOutputs) under each `from` are read, written
   * and checked under its `to` (the task's worktree), first matching rule wins. Absent: paths as given.
   */
  pathRebase?: PathRebase[];
  /**
   * Worktree isolation with `workspace.remote` (DESIGN §12): the worktree is each host's own. An attempt on a host
   * where it is missing makes it from the remote (the task's branch and newest checkpoint), with `cwd` and the
   * `pathRebase` targets moved from `path` (where it was prepared) onto it, and keeps checkpoints there.
   */
  sharedWorktree?: { remote: string; path: string };
}

/** A folder of the repository as the plan names it, and the same folder in a task's worktree (absolute). */
export interface PathRebase {
  from: string;
  to: string;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
}

export interface RunAgentResult {
  /** Result text, bounded (a few KB); the full text is at artifactPath. */
  text: string;
  truncated: boolean;
  sessionId: string;
  costUsd: number;
  usage: Usage;
  numTurns: number;
  durationMs: number;
  /** File with the full result text. */
  artifactPath: string;
  /** File with the attempt's full stream-json transcript. */
  transcriptPath: string;
  attempt: number;
  permissionDenials: number;
  /** Whether this attempt continued the previous attempt's conversation, and if not, why (absent: older workers). */
  session?: AttemptSession;
  /** With `reportMissingOutputs`: the expected outputs the agent did not leave, as the plan names them. */
  missingOutputs?: string[];
}

/** How an attempt relates to the Claude conversation of the attempt before it (DESIGN §5). */
export interface AttemptSession {
  /** `new`: a conversation started with the full prompt; `resumed`: the previous attempt's, continued. */
  mode: 'new' | 'resumed';
  sessionId: string;
  /** From attempt 2 on: the conversation the previous attempt had, when it reported one. */
  previousSessionId?: string;
  /** From attempt 2 on, when it started afresh: why the previous conversation was not continued. */
  notResumedBecause?: string;
}

/** Details of runAgent's heartbeats (about every second); the next attempt sees the last one. */
export interface AgentHeartbeat {
  /** Claude session of this attempt. */
  sessionId: string;
  /** Model answers in the conversation so far (a resumed conversation counts its earlier attempts' too). */
  turns: number;
  /** The last tool the agent called. */
  lastTool?: string;
  /** Reported cost; claude reports it only at the end of a run, so 0 while running. */
  costUsd: number;
  /** The attempt's stream-json transcript, growing while the agent runs. */
  transcriptPath: string;
  /** Whether the attempt resumed the previous one's conversation (absent in heartbeats of older workers). */
  session?: AttemptSession;
}
