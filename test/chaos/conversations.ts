// What the resume chaos tests observe of an agent's Claude conversation: what it held when its worker died, where
// the agent was at that moment (from the scripted model's log and the files its tools write), and whether the next
// attempt continued the conversation or started it over.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { attemptPaths } from '../../src/activities/artifact-paths.js';
import { modelAnswers, sessionFile } from '../../src/activities/session-store.js';
import type { FakeModel, RequestLogEntry, TaskScript } from '../../src/rehearsal/fake-model.js';

/** Where an agent was when its worker was killed. */
export const Phase = {
  BeforeFirstAnswer: 'before-first-answer',
  MidTurn: 'mid-turn',
  ToolCall: 'tool-call',
  BetweenTurns: 'between-turns',
} as const;
export type Phase = (typeof Phase)[keyof typeof Phase];

/** Tool turns that take a while (the kill may land in them), each writing `<task>-<n>.txt` when done, then the end. */
export function toolScript(taskId: string, delayMs: number, tools = 2, toolSeconds = 1): TaskScript {
  const turns = Array.from({ length: tools }, (_, i) => ({
    bash: `sleep ${toolSeconds}; echo ${i + 1} > ${taskId}-${i + 1}.txt`,
  }));
  // A resumed conversation may hold a placeholder answer of claude's own: every later turn is the final text.
  const done = { text: `${taskId} finished` };
  return { turns: [...turns, done, done, done, done], delayMs };
}

/**
 * Where the agent was at `at`, for a toolScript agent in its first attempt: no answer yet; a request waiting
 * for its answer; a tool running (its file not written yet); or between a tool's end and the next request.
 */
export function phaseAt(fake: FakeModel, taskId: string, cwd: string, at: number, tools = 2): Phase {
  const requests = fake.requestsFor(taskId).filter((r) => r.receivedAt <= at);
  const answered = requests.filter((r) => r.answeredAt !== null && r.answeredAt <= at);
  if (answered.length === 0) return Phase.BeforeFirstAnswer;
  if (requests.some((r) => r.answeredAt === null || r.answeredAt > at)) return Phase.MidTurn;
  const last = answered.reduce((a, b) => (b.assistantTurns > a.assistantTurns ? b : a));
  if (last.assistantTurns >= tools) return Phase.BetweenTurns; // the final answer came: claude is ending
  const toolFile = path.join(cwd, `${taskId}-${last.assistantTurns + 1}.txt`);
  return existsSync(toolFile) ? Phase.BetweenTurns : Phase.ToolCall;
}

/** Model answers the model had sent the agent before `at`. */
export function answeredBefore(fake: FakeModel, taskId: string, at: number): number {
  return fake.requestsFor(taskId).filter((r) => r.status === 200 && r.answeredAt !== null && r.answeredAt <= at).length;
}

/** The conversation the task's latest attempt had (its generation's index), and the answers stored in it here. */
export async function storedConversation(
  where: { artifactsDir: string; configDir: string; cwd: string },
  runId: string,
  taskId: string,
): Promise<{ sessionId: string; answers: number } | undefined> {
  const paths = attemptPaths(where.artifactsDir, { runId, taskId, generation: 1, attempt: 1 });
  const index = await readFile(paths.conversations, 'utf8').catch(() => undefined);
  if (index === undefined) return undefined;
  const entries = (JSON.parse(index) as { conversations: { sessionId: string }[] }).conversations;
  const sessionId = entries.at(-1)?.sessionId;
  if (!sessionId) return undefined;
  return { sessionId, answers: await modelAnswers(await sessionFile(where.configDir, where.cwd, sessionId)) };
}

/** How the task's first request after `at` went on: the conversation continued, or started over. */
export function nextRequest(
  fake: FakeModel,
  taskId: string,
  at: number,
): { outcome: 'resumed' | 'restarted'; request: RequestLogEntry } | undefined {
  const request = fake.requestsFor(taskId).find((r) => r.receivedAt > at);
  if (!request) return undefined;
  const resumed = request.assistantTurns >= 1 && /You were interrupted/.test(request.lastUserText);
  return { outcome: resumed ? 'resumed' : 'restarted', request };
}

/** A seeded generator (mulberry32): the kill moments of a failed run can be replayed with BATON_CHAOS_SEED. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}
