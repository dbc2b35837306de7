// The environment that points a real `claude` at a fake model and keeps it offline, and the task queue of
// rehearsed runs.

/**
 * The task queue of rehearsals started with `baton start --rehearse` (or the MCP tools' `rehearse: true`) and served
 * by `baton worker --rehearse`: never the queue itself, so no rehearsal worker answers a real run with the scripted
 * model, and no real worker spends money on a rehearsal.
 */
export function rehearsalTaskQueue(taskQueue: string): string {
  return `${taskQueue}-rehearsal`;
}

/**
 * Variables to add to claude's environment: the fake's URL, a dummy key, no updater or other traffic,
 * and no retries of its own (API errors end the process at once; Temporal owns retries).
 */
export function fakeModelEnv(url: string): Record<string, string> {
  return {
    ANTHROPIC_BASE_URL: url,
    ANTHROPIC_API_KEY: 'fake',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_MAX_RETRIES: '0',
  };
}
