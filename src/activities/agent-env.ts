// The environment every claude runs in (DESIGN §5, §9): the worker's own, changed by what the worker adds for its
// agents (ActivityDeps.env), then by what baton sets whatever those say.
import type { PermissionMode } from '../plan/schema.js';
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

/** Changes to the worker's environment for one claude; an undefined value removes a variable. */
export function agentEnv(
  added: EnvChanges | undefined,
  agent?: { permissionMode: PermissionMode; asRoot: boolean },
): EnvChanges {
  return {
    ...added,
    ...CLAUDE_ENV,
    // As root, claude refuses bypassPermissions unless told it runs in a sandbox.
    ...(agent?.permissionMode === 'bypassPermissions' && agent.asRoot ? { IS_SANDBOX: '1' } : {}),
  };
}

/** The config folder (and so the stored conversations) claude uses: it inherits the worker's environment. */
export function agentConfigDir(added: EnvChanges | undefined): string {
  return claudeConfigDir({ ...process.env, ...agentEnv(added) });
}
