// What a worker gives the activities that run claude: where files go, which claude, and how it is run.
import type { ArtifactStore } from '../artifacts/store.js';
import type { WorkerPolicy } from '../policy/worker-policy.js';
import type { WarmAgentSource } from './warm-agent.js';

export interface ActivityDeps {
  /** Root folder of artifacts (transcripts, results) on this worker: claude writes here. */
  artifactsDir: string;
  /** Where the files are kept for other workers and people (BATON_ARTIFACTS); default: artifactsDir itself. */
  store?: ArtifactStore;
  /** Root folder of the runs' git worktrees (`<BATON_HOME>/worktrees`; default: beside artifactsDir). */
  worktreesDir?: string;
  /** What any plan's agents may do on this worker (src/policy): checked before an agent starts. */
  policy: WorkerPolicy;
  /** The claude executable: a path, or a name looked up on PATH. */
  claudeBin: string;
  /**
   * Added to what agents see of the worker's environment (the policy's allow-list of it) for claude; an undefined
   * value removes a variable. For the worker's own settings of claude (the rehearsal's model, a config folder).
   */
  env?: Record<string, string | undefined>;
  /** Start claude in its own PID namespace when the machine allows it (default true). */
  usePidNamespace?: boolean;
  /** How long claude gets after SIGINT before the tree is SIGKILLed (default 2 s). */
  killGraceMs?: number;
  /** Heartbeat period (default 1 s). */
  heartbeatMs?: number;
  /** How often a running agent's run is asked for a person's guidance (default 1 s: guidance-channel.ts). */
  guidancePollMs?: number;
  /** Give agents baton's tools: notes and questions to a person (DESIGN §13; default true). */
  agentTools?: boolean;
  /** Least time between two uploads of a growing conversation to the store (default 2 s). */
  conversationSyncMs?: number;
  /** Least time between two checkpoints of a worktree to `workspace.remote` (default 2 s). */
  checkpointMs?: number;
  /** Claudes started ahead of their attempts (warm-pool.ts); absent: every attempt starts its own. */
  warmAgents?: WarmAgentSource;
}
