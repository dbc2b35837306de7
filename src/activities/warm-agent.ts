// What an attempt sees of a claude started ahead for it (warm-pool.ts), apart from the pool that starts it.
import type { UnboundBridge } from './agent-talk/bridge.js';
import type { ClaudeProcess, SpawnClaudeOptions } from './spawn-claude.js';

/** Everything that fixes the claude process of an attempt, but what it is told on stdin. */
export type ClaudeLaunch = Omit<SpawnClaudeOptions, 'stdinFile' | 'stdinPipe'>;

/** A warm claude handed to the attempt it was started for (runAgent). */
export interface WarmAgent {
  readonly sessionId: string;
  /** Its agent tools' bridge (in its `--mcp-config`): the attempt's tools serve it (attempt-talk.ts). */
  readonly bridge: UnboundBridge | null;
  /** The process, when it was started exactly as `launch` says; otherwise it is stopped first, and null. */
  adopt(launch: ClaudeLaunch): Promise<ClaudeProcess | null>;
  /** Stops it unless adopted (and closes its bridge unless the attempt took it). Idempotent. */
  discard(): Promise<void>;
}

/** Where an attempt finds its warm claude (the worker's WarmPool). */
export interface WarmAgentSource {
  /**
   * The warm claude of this run of the task, taken out of the pool; undefined when there is none, or when the one
   * there was started for another generation or conversation (`sessionId` null: the attempt starts none) — then
   * it is stopped before this returns.
   */
  claim(
    ids: { runId: string; taskId: string; generation: number },
    sessionId: string | null,
  ): Promise<WarmAgent | undefined>;
  /**
   * An attempt starts on this worker: no claude is started ahead until it is done starting — the returned function,
   * called once its claude has said something after its prompt (or the attempt ended); idempotent. `ids`: the
   * attempt's run and task, which a warm start waiting for its dependencies to begin here hears of.
   */
  starting(ids?: { runId: string; taskId: string }): () => void;
}
