// The environment every claude runs in (DESIGN §5, §9): what the worker's policy lets agents see of the worker's
// own environment (an allow-list: src/policy/agent-env.ts), then what the worker adds for its agents
// (ActivityDeps.env), then what baton sets whatever those say.
import type { PermissionMode } from '../plan/schema.js';
import { agentVisibleEnv } from '../policy/agent-env.js';
import type { WorkerPolicy } from '../policy/worker-policy.js';
import { claudeConfigDir } from './session-store.js';

/** Set for every claude: Temporal owns retries, and the agent stays off every network but the model's. */
const CLAUDE_ENV = {
  // claude's own retries take minutes on 429/529 and hide the error from the workflow.
  CLAUDE_CODE_MAX_RETRIES: '0',
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  DISABLE_AUTOUPDATER: '1',
  // claude waits this long for baton's in-run MCP server (agent-talk/bridge.ts: an `alwaysLoad` one) before its
  // first request; 5 s unless told, which a busy machine can miss, leaving the agent without its tools.
  MCP_CONNECT_TIMEOUT_MS: '30000',
};

export type EnvChanges = Record<string, string | undefined>;

export interface AgentEnvSource {
  /** The worker's own environment (process.env). */
  worker: EnvChanges;
  /** What the worker adds for its agents; an undefined value removes a variable. */
  added?: EnvChanges;
  policy: Pick<WorkerPolicy, 'agentEnv' | 'allowBypassPermissions'>;
}

/** The whole environment of one claude. */
export function agentEnv(
  source: AgentEnvSource,
  agent?: { permissionMode: PermissionMode; asRoot: boolean },
): Record<string, string> {
  const env: EnvChanges = {
    ...agentVisibleEnv(source.worker, source.policy.agentEnv),
    ...source.added,
    ...CLAUDE_ENV,
  };
  // As root, claude refuses bypassPermissions unless told it runs in a sandbox: said only on a worker that allows it.
  if (agent?.permissionMode === 'bypassPermissions' && agent.asRoot && source.policy.allowBypassPermissions) {
    env.IS_SANDBOX = '1';
  } else {
    delete env.IS_SANDBOX;
  }
  const whole: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) whole[name] = value;
  return whole;
}

/**
 * The config folder (and so the stored conversations) claude uses. Asked by every attempt: the one variable is
 * looked up, not the worker's whole environment copied (process.env reads each variable through the runtime).
 */
export function agentConfigDir(added: EnvChanges | undefined, worker: EnvChanges = process.env): string {
  const name = 'CLAUDE_CONFIG_DIR';
  return claudeConfigDir({ [name]: added && Object.hasOwn(added, name) ? added[name] : worker[name] });
}
