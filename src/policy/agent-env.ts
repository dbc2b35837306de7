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

/** A test of a variable's name. */
type Matcher = (name: string) => boolean;

function matcherOf(patterns: readonly string[]): Matcher {
  const names = new Set(patterns.filter((pattern) => !pattern.endsWith('*')));
  const prefixes = patterns.filter((pattern) => pattern.endsWith('*')).map((pattern) => pattern.slice(0, -1));
  return (name) => names.has(name) || prefixes.some((prefix) => name.startsWith(prefix));
}

const never = matcherOf(NEVER);
const claudeNeeds = matcherOf(CLAUDE_NEEDS);

/** Whether an agent may see the worker's variable `name`, given the names the worker lists. */
export function agentMaySee(name: string, listed: readonly string[] = []): boolean {
  return mayKnow(listed)(name);
}

/** The test of `agentMaySee` for the names a worker lists (built once per list: every agent asks, for every variable). */
function mayKnow(listed: readonly string[]): Matcher {
  const extra = listed.length === 0 ? () => false : matcherOf(listed);
  return (name) => !never(name) && (claudeNeeds(name) || extra(name));
}

/** The part of `env` an agent sees. */
export function agentVisibleEnv(
  env: Record<string, string | undefined>,
  listed: readonly string[] = [],
): Record<string, string> {
  const maySee = mayKnow(listed);
  const visible: Record<string, string> = {};
  // Names first: reading a variable of process.env is a call into the runtime, and most are not the agent's.
  for (const name of Object.keys(env)) {
    if (!maySee(name)) continue;
    const value = env[name];
    if (value !== undefined) visible[name] = value;
  }
  return visible;
}
