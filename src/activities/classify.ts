// Turns how a `claude -p` run ended into a verdict: success, or a failure type with a sentence a person understands.
// The final result line decides (DESIGN §5): API errors end with exit code 1 *and* `subtype: "success"`.
import { FailureType, NON_RETRYABLE_FAILURE_TYPES } from '../contract/failures.js';
import type { ResultLine } from './stream.js';

export interface RunOutcome {
  /** The final `result` line, when claude wrote one. */
  result?: ResultLine;
  exitCode?: number;
  signal?: string;
  /** The process could not be started at all (errno code such as ENOENT). */
  spawnError?: { code?: string; message: string };
  /** Last lines claude wrote to stderr. */
  stderrTail: string[];
  /** The claude binary as configured, named in messages. */
  claudeBin: string;
}

export interface Classification {
  type: FailureType;
  message: string;
  retryable: boolean;
  apiErrorStatus?: number;
}

export function failure(type: FailureType, message: string, apiErrorStatus?: number): Classification {
  return { type, message, retryable: !NON_RETRYABLE_FAILURE_TYPES.includes(type), apiErrorStatus };
}

/** null when the run succeeded. */
export function classify(outcome: RunOutcome): Classification | null {
  if (outcome.spawnError) return classifySpawnError(outcome.claudeBin, outcome.spawnError);
  if (outcome.result) return classifyResult(outcome.result);
  // baton chose a conversation claude would not take (a session store changed under it): the next attempt chooses
  // again from what the store holds then, so this is no reason to give the task up.
  const session = outcome.stderrTail.find((line) => SESSION_PATTERNS.some((pattern) => pattern.test(line)));
  if (session) {
    return failure(
      FailureType.AgentExecutionError,
      `claude refused the attempt's conversation: ${session.trim()}; the next attempt chooses its conversation again`,
    );
  }
  const badArguments = outcome.stderrTail.find((line) => BAD_ARGUMENT_PATTERNS.some((pattern) => pattern.test(line)));
  if (badArguments) {
    return failure(
      FailureType.AgentBadArguments,
      `claude refused its arguments: ${badArguments.trim()}; retrying with the same task settings cannot help`,
    );
  }
  // Under `unshare`, a missing or non-executable claude is reported by unshare itself.
  const execFailure = outcome.stderrTail.find((line) => /unshare: failed to execute/.test(line));
  if (execFailure) {
    const code = /permission denied/i.test(execFailure) ? 'EACCES' : 'ENOENT';
    return classifySpawnError(outcome.claudeBin, { code, message: execFailure });
  }
  const how = outcome.signal ? `was killed by ${outcome.signal}` : `exited with code ${outcome.exitCode ?? 'unknown'}`;
  return failure(
    FailureType.AgentCrashed,
    `claude ${how} without writing its final result line, so it crashed or was killed; another attempt may succeed. ` +
      describeStderr(outcome.stderrTail),
  );
}

/**
 * With stream-json input claude does not refuse an `--agent` it does not know (it runs its default agent instead):
 * its init line lists the agents it knows, so the attempt is judged there, as claude judges it from argv.
 */
export function unknownAgent(event: Record<string, unknown>, agent: string | undefined): Classification | undefined {
  if (!agent || event.type !== 'system' || event.subtype !== 'init' || !Array.isArray(event.agents)) return undefined;
  if (event.agents.includes(agent)) return undefined;
  return failure(
    FailureType.AgentBadArguments,
    `claude refused its arguments: --agent '${agent}' not found (it knows ${event.agents.join(', ')}); retrying with the same task settings cannot help`,
  );
}

/** claude cannot be started: missing (ENOENT) or not executable (EACCES). */
export function notRunnable(claudeBin: string, code: 'ENOENT' | 'EACCES'): Classification {
  return classifySpawnError(claudeBin, { code, message: code });
}

function classifySpawnError(claudeBin: string, error: { code?: string; message: string }): Classification {
  const fix =
    'Install Claude Code (npm install -g @anthropic-ai/claude-code) or set BATON_CLAUDE_BIN to the path of the claude executable.';
  if (error.code === 'ENOENT') {
    return failure(FailureType.ClaudeNotFound, `cannot run claude: "${claudeBin}" was not found. ${fix}`);
  }
  if (error.code === 'EACCES') {
    return failure(FailureType.ClaudeNotFound, `cannot run claude: "${claudeBin}" is not executable. ${fix}`);
  }
  return failure(
    FailureType.AgentCrashed,
    `could not start claude ("${claudeBin}"): ${error.message}; another attempt may succeed`,
  );
}

function classifyResult(result: ResultLine): Classification | null {
  switch (result.subtype) {
    case 'error_max_turns':
      return failure(
        FailureType.AgentMaxTurns,
        `the agent used all ${result.numTurns} of its turns without finishing (error_max_turns); raise maxTurns or split the task, as the same attempt would stop at the same place`,
      );
    case 'error_max_budget_usd':
      return failure(
        FailureType.AgentMaxBudget,
        `the agent reached its spending limit after $${result.costUsd.toFixed(2)} (error_max_budget_usd); retrying cannot help`,
      );
    case 'error_max_structured_output_retries':
      return failure(
        FailureType.AgentStructuredOutputFailed,
        'the agent could not produce output matching the required JSON schema (error_max_structured_output_retries); retrying cannot help',
      );
    case 'error_during_execution':
      return failure(
        FailureType.AgentExecutionError,
        `claude reported an error while running the agent (error_during_execution)${detail(result)}; another attempt may succeed`,
      );
  }
  if (result.apiErrorStatus !== null) return classifyApiError(result.apiErrorStatus, apiMessage(result.text));
  if (result.isError) {
    if (CONNECTION_PATTERN.test(result.text)) {
      return failure(
        FailureType.AgentConnectionError,
        `claude could not reach the model API: ${apiMessage(result.text)}; another attempt may succeed`,
      );
    }
    return failure(
      FailureType.AgentExecutionError,
      `claude ended the run with an error${detail(result)}; another attempt may succeed`,
    );
  }
  if (result.subtype !== 'success') {
    return failure(
      FailureType.AgentExecutionError,
      `claude ended the run with the unexpected result "${result.subtype}"${detail(result)}; another attempt may succeed`,
    );
  }
  return null;
}

function classifyApiError(status: number, message: string): Classification {
  const answered = `the model API answered ${status}${STATUS_TEXT[status] ? ` ${STATUS_TEXT[status]}` : ''}: ${message}`;
  if (status === 429) {
    return failure(FailureType.AgentRateLimited, `${answered}; another attempt after a backoff may succeed`, status);
  }
  if (status === 529) {
    return failure(FailureType.AgentOverloaded, `${answered}; another attempt after a backoff may succeed`, status);
  }
  if (status >= 500) {
    return failure(FailureType.AgentServerError, `${answered}; another attempt may succeed`, status);
  }
  if (status === 401 || status === 403) {
    return failure(
      FailureType.AgentAuthFailed,
      `${answered}; check the API key or login of the worker (retrying cannot help)`,
      status,
    );
  }
  if (status === 404) {
    return failure(
      FailureType.AgentNotFound,
      `${answered}; the model or endpoint does not exist, so retrying cannot help (check the task's model)`,
      status,
    );
  }
  if (status === 408) {
    return failure(FailureType.AgentConnectionError, `${answered}; another attempt may succeed`, status);
  }
  return failure(FailureType.AgentBadRequest, `${answered}; retrying cannot help`, status);
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  413: 'Request Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  529: 'Overloaded',
};

/** Lines claude (commander) writes to stderr when its arguments are wrong; measured on 2.1.197. */
const BAD_ARGUMENT_PATTERNS = [
  /unknown option/i,
  /too many arguments/i,
  /missing required argument/i,
  /argument '.*' is invalid/i,
  /--agent '.*' not found/i,
  /agent .* not found/i,
  /Invalid session ID/i,
  // bypassPermissions as root without IS_SANDBOX=1
  /cannot be used with root\/sudo privileges/i,
];

/** claude's answers to a session id it cannot start or resume (2.1.197). */
const SESSION_PATTERNS = [/Session ID .* is already in use/i, /No conversation found with session ID/i];

const CONNECTION_PATTERN =
  /unable to connect|connection|ECONNRESET|ECONNREFUSED|ETIMEDOUT|timed out|socket hang up|fetch failed/i;

/**
 * The API's own message from claude's result text: "API Error: 400 <message>",
 * "API Error: Request rejected (429) · <message>", "Failed to authenticate. API Error: 401 <message>",
 * where <message> may be the API's JSON error body.
 */
export function apiMessage(text: string): string {
  const at = text.search(/API Error:/i);
  const stripped = (at >= 0 ? text.slice(at).replace(/^API Error:\s*/i, '') : text)
    .replace(/^Request rejected \(\d{3}\)\s*·?\s*/i, '')
    .replace(/^\d{3}\s+/, '');
  const json = stripped.indexOf('{');
  if (json >= 0) {
    try {
      const parsed = JSON.parse(stripped.slice(json)) as { error?: { message?: unknown }; message?: unknown };
      const message = parsed.error?.message ?? parsed.message;
      if (typeof message === 'string' && message) return message;
    } catch {
      // not JSON after all: keep the text
    }
  }
  return oneLine(stripped) || '(no message)';
}

function detail(result: ResultLine): string {
  const text = [...result.errors, result.text].map(oneLine).filter(Boolean).join('; ');
  return text ? `: ${text}` : '';
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 500 ? `${flat.slice(0, 500)}…` : flat;
}

function describeStderr(lines: string[]): string {
  const kept = lines.map((line) => line.trimEnd()).filter(Boolean);
  return kept.length > 0 ? `Last lines on stderr:\n${kept.join('\n')}` : 'It wrote nothing to stderr.';
}
