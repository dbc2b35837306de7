// Which of the worker's environment variables an agent sees (DESIGN.md §9): an allow-list, so a secret the
// worker holds (its encryption key, a codec token, Temporal or cloud credentials) never reaches a model's
// transcript by accident. What claude itself needs, plus the names the worker lists in BATON_AGENT_ENV.

/** What claude needs: its own settings and key, where it runs, locale, terminal, and how it reaches the API. */
const CLAUDE_NEEDS = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'TMPDIR',
  'TZ',
  'TERM',
  'COLORTERM',
  'NO_COLOR',
  'LANG',
  'LANGUAGE',
  'LC_*',
  'ANTHROPIC_*',
  'CLAUDE_*',
  // A network that reaches the API only through a proxy, or with its own certificate authority.
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
];

/** Never passed, even when listed: baton's own settings and secrets, and Temporal's credentials. */
const NEVER = ['BATON_*', 'TEMPORAL_*'];

/** A name, or a prefix ending in `*` (`AWS_*`); what BATON_AGENT_ENV lists, comma-separated. */
export const AGENT_ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*\*?$/;

function matches(name: string, pattern: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

/** Whether an agent may see the worker's variable `name`, given the names the worker lists. */
export function agentMaySee(name: string, listed: readonly string[] = []): boolean {
  if (NEVER.some((pattern) => matches(name, pattern))) return false;
  return [...CLAUDE_NEEDS, ...listed].some((pattern) => matches(name, pattern));
}

/** The part of `env` an agent sees. */
export function agentVisibleEnv(
  env: Record<string, string | undefined>,
  listed: readonly string[] = [],
): Record<string, string> {
  const visible: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && agentMaySee(name, listed)) visible[name] = value;
  }
  return visible;
}
