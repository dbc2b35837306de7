// Which Claude conversation a runAgent attempt has (DESIGN §5): the first starts the one the workflow chose; a later
// one continues its predecessor's where it can, else starts afresh and records why.
import { randomUUID } from 'node:crypto';
import type { SessionMode } from './claude-args.js';
import { findSession } from './session-store.js';
import type { AgentHeartbeat, AttemptSession, RunAgentInput } from '../contract/agent.js';

export type AttemptStart = SessionMode & {
  record: AttemptSession;
  /** Model turns the conversation held before this attempt (resumed: the previous attempt's count). */
  earlierTurns: number;
};

/**
 * A later attempt continues the conversation the previous attempt heartbeated, when that attempt got as far as a
 * model answer and claude can find the conversation here (same CLAUDE_CONFIG_DIR, same cwd); otherwise it starts
 * a fresh one — under a new id, since claude refuses to reuse a session id ("Session ID … is already in use",
 * even after an API error).
 */
export async function sessionFor(
  input: RunAgentInput,
  attempt: number,
  heartbeatDetails: unknown,
  configDir: string,
): Promise<AttemptStart> {
  if (attempt === 1 && input.answer) return await continueAsked(input.sessionId, input.cwd, configDir);
  if (attempt === 1) {
    return {
      kind: 'new',
      sessionId: input.sessionId,
      record: { mode: 'new', sessionId: input.sessionId },
      earlierTurns: 0,
    };
  }
  const fresh = (reason: string, previousSessionId?: string): AttemptStart => {
    const sessionId = randomUUID();
    const record: AttemptSession = { mode: 'new', sessionId, previousSessionId, notResumedBecause: reason };
    return { kind: 'new', sessionId, record, earlierTurns: 0 };
  };
  const previous = lastHeartbeat(heartbeatDetails);
  if (!previous) return fresh('the previous attempt reported no Claude session (it heartbeated nothing)');
  if (previous.turns === 0) {
    return fresh('the previous attempt ended before the model answered: nothing to continue', previous.sessionId);
  }
  const found = await findSession(configDir, previous.sessionId, input.cwd);
  if (!found.available)
    return fresh(`its session is not available to this worker: ${found.reason}`, previous.sessionId);
  return {
    kind: 'resume',
    sessionId: previous.sessionId,
    record: { mode: 'resumed', sessionId: previous.sessionId, previousSessionId: previous.sessionId },
    earlierTurns: previous.turns,
  };
}

/**
 * An attempt that brings the answer to a question its agent asked before its attempt ended (DESIGN §13): that
 * agent's conversation (`asked`, as the question recorded it) is continued where claude can find it; otherwise a
 * fresh one starts, and its prompt carries the question and the answer.
 */
export async function continueAsked(asked: string, cwd: string, configDir: string): Promise<AttemptStart> {
  const found = await findSession(configDir, asked, cwd);
  if (found.available) {
    const record: AttemptSession = { mode: 'resumed', sessionId: asked, previousSessionId: asked };
    // At least the question's turn: an attempt after this one continues the conversation too.
    return { kind: 'resume', sessionId: asked, record, earlierTurns: 1 };
  }
  const sessionId = randomUUID();
  const record: AttemptSession = {
    mode: 'new',
    sessionId,
    previousSessionId: asked,
    notResumedBecause: `the conversation that asked is not available to this worker: ${found.reason}`,
  };
  return { kind: 'new', sessionId, record, earlierTurns: 0 };
}

/** The previous attempt's last heartbeat, if it has the shape runAgent sends. */
function lastHeartbeat(details: unknown): Pick<AgentHeartbeat, 'sessionId' | 'turns'> | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const { sessionId, turns } = details as Partial<AgentHeartbeat>;
  if (typeof sessionId !== 'string' || sessionId === '') return undefined;
  return { sessionId, turns: typeof turns === 'number' ? turns : 0 };
}
