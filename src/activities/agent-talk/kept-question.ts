// claude writes its conversation file in batches: the model's message that calls a tool may reach the file a
// moment after the call began, or never when claude is killed first (a worker SIGKILLed while its agent waited on a
// question has left a conversation without the message that asked). A question is told to the run only
// once the conversation holds the message that asks it: whatever ends the attempt after that, the next attempt
// continues the conversation that asked (DESIGN §13). Bounded: past the wait, the question goes to the run anyway
// (the attempt that brings the answer then starts a conversation with the question and its answer in its prompt).
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { AGENT_MCP_SERVER } from '../../contract/agent-tools.js';

const ASK_TOOL = `mcp__${AGENT_MCP_SERVER}__ask`;

export interface KeptQuestionOptions {
  /** How long to wait for claude to write the message, at most. */
  timeoutMs?: number;
  /** How often to look. */
  everyMs?: number;
}

/**
 * Waits until the conversation file `file()` names holds an assistant message calling the ask tool with
 * `question`; true when it does, false when the wait ran out or `signal` ended it.
 */
export async function untilConversationAsks(
  file: () => Promise<string | undefined>,
  question: string,
  signal: AbortSignal,
  { timeoutMs = 5000, everyMs = 50 }: KeptQuestionOptions = {},
): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  // Only what claude appended since the last look is read: a long conversation is not read again every time.
  let read: { file: string; offset: number; partial: Buffer } | undefined;
  for (;;) {
    const where = await file();
    if (where) {
      if (read?.file !== where) read = { file: where, offset: 0, partial: Buffer.alloc(0) };
      const added = await appended(where, read.offset);
      read.offset += added.length;
      const bytes = Buffer.concat([read.partial, added]);
      // A line claude is still writing waits for its end (cut at a newline byte: never inside a UTF-8 character).
      const cut = bytes.lastIndexOf(0x0a) + 1;
      read.partial = bytes.subarray(cut);
      if (asks(bytes.subarray(0, cut).toString('utf8'), question)) return true;
    }
    if (signal.aborted || Date.now() >= until) return false;
    await sleep(everyMs, undefined, { signal }).catch(() => undefined);
  }
}

/** The bytes of `file` from `offset` on (none when it cannot be read). */
async function appended(file: string, offset: number): Promise<Buffer> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return Buffer.alloc(0);
  try {
    const { size } = await handle.stat();
    if (size <= offset) return Buffer.alloc(0);
    const buffer = Buffer.alloc(size - offset);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Whether a conversation's text holds a model message that asks `question` with the ask tool. */
export function asks(text: string, question: string): boolean {
  for (const line of text.split('\n')) {
    // Cheap test first: most lines are other tools' results.
    if (!line.includes(ASK_TOOL)) continue;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      continue; // a line claude is still writing
    }
    const { type, message } = entry as { type?: unknown; message?: { content?: unknown } };
    if (type !== 'assistant' || !Array.isArray(message?.content)) continue;
    const found = (message.content as unknown[]).some((block) => {
      const { type: kind, name, input } = block as { type?: unknown; name?: unknown; input?: { question?: unknown } };
      return kind === 'tool_use' && name === ASK_TOOL && input?.question === question;
    });
    if (found) return true;
  }
  return false;
}
