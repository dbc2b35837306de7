// The slice of the Anthropic Messages API that Claude Code uses: reading its requests, and writing
// answers (a JSON message or its SSE stream) and errors in the shapes the real API sends.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

const TextLikeSchema = z.object({ type: z.string(), text: z.string().optional() });

const ContentBlockSchema = z.object({
  type: z.string(),
  text: z.string().optional(),
  id: z.string().optional(),
  tool_use_id: z.string().optional(),
  name: z.string().optional(),
  input: z.record(z.string(), z.unknown()).optional(),
  // tool_result blocks carry the tool's output as a string or as blocks
  content: z.union([z.string(), z.array(TextLikeSchema)]).optional(),
});

const MessageSchema = z.object({
  role: z.string(),
  content: z.union([z.string(), z.array(ContentBlockSchema)]),
});

/** Only the fields the fake reads; everything else in the request is ignored. */
export const MessagesRequestSchema = z.object({
  model: z.string(),
  messages: z.array(MessageSchema),
  system: z.union([z.string(), z.array(TextLikeSchema)]).optional(),
  stream: z.boolean().optional(),
});
export type MessagesRequest = z.infer<typeof MessagesRequestSchema>;
type Message = z.infer<typeof MessageSchema>;

export interface Conversation {
  model: string;
  stream: boolean;
  /** All text of the first user message (Claude Code adds system-reminder blocks before the prompt). */
  firstUserText: string;
  /** Text of the last user message, tool results included. */
  lastUserText: string;
  /**
   * Text of the messages after the last assistant message: the prompt, or tool results, and what claude passes on
   * of a message it read on its stdin while it worked (a `system` message: "The user sent a new message…").
   */
  latestText: string;
  /** Assistant messages already in the conversation (`system` messages in between are not counted). */
  assistantTurns: number;
  /** `file_path` of every Write tool_use already in the conversation. */
  writtenPaths: string[];
  /** Every tool_use already in the conversation, in order, with the text of its result (if it has one yet). */
  toolUses: { name: string; input: Record<string, unknown>; result: string | null }[];
  /** All text of every user message (prompts and tool results), joined. */
  userText: string;
  /** The agent's working directory, as Claude Code states it in its system prompt. */
  cwd: string | null;
}

function textOf(message: Message): string {
  if (typeof message.content === 'string') return message.content;
  const parts: string[] = [];
  for (const block of message.content) {
    if (block.text !== undefined) parts.push(block.text);
    if (typeof block.content === 'string') parts.push(block.content);
    else if (block.content) for (const inner of block.content) if (inner.text !== undefined) parts.push(inner.text);
  }
  return parts.join('\n');
}

export function readConversation(request: MessagesRequest): Conversation {
  const users = request.messages.filter((m) => m.role === 'user');
  const assistants = request.messages.filter((m) => m.role === 'assistant');
  const writtenPaths: string[] = [];
  const results = new Map<string, string>();
  for (const message of users) {
    if (typeof message.content === 'string') continue;
    for (const block of message.content) {
      if (block.type === 'tool_result' && block.tool_use_id)
        results.set(block.tool_use_id, textOf({ ...message, content: [block] }));
    }
  }
  const toolUses: Conversation['toolUses'] = [];
  for (const message of assistants) {
    if (typeof message.content === 'string') continue;
    for (const block of message.content) {
      if (block.type !== 'tool_use') continue;
      const path = block.input?.['file_path'];
      if (block.name === 'Write' && typeof path === 'string') writtenPaths.push(path);
      const result = block.id === undefined ? null : (results.get(block.id) ?? null);
      toolUses.push({ name: block.name ?? '', input: block.input ?? {}, result });
    }
  }
  const system =
    typeof request.system === 'string' ? request.system : (request.system ?? []).map((b) => b.text ?? '').join('\n');
  const first = users[0];
  const last = users[users.length - 1];
  const lastAssistant = request.messages.findLastIndex((m) => m.role === 'assistant');
  return {
    model: request.model,
    stream: request.stream === true,
    firstUserText: first ? textOf(first) : '',
    lastUserText: last ? textOf(last) : '',
    latestText: request.messages
      .slice(lastAssistant + 1)
      .map(textOf)
      .join('\n'),
    assistantTurns: assistants.length,
    writtenPaths,
    toolUses,
    userText: users.map(textOf).join('\n'),
    cwd: /^ - Primary working directory: (.+)$/m.exec(system)?.[1]?.trim() ?? null,
  };
}

export type AnswerBlock =
  { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface Usage {
  input_tokens: number;
  output_tokens: number;
}

export function newToolUseId(): string {
  return 'toolu_' + randomBytes(12).toString('hex');
}

function newMessageId(): string {
  return 'msg_' + randomBytes(12).toString('hex');
}

function stopReasonOf(blocks: AnswerBlock[]): 'tool_use' | 'end_turn' {
  return blocks.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn';
}

/** The non-streaming answer: one JSON message. */
export function messageJson(model: string, blocks: AnswerBlock[], usage: Usage): string {
  return JSON.stringify({
    id: newMessageId(),
    type: 'message',
    role: 'assistant',
    model,
    content: blocks,
    stop_reason: stopReasonOf(blocks),
    stop_sequence: null,
    usage: { ...usage, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  });
}

const JSON_CHUNK = 64;

/** The streaming answer: the SSE frames of one message, text as one delta, tool input as input_json_delta chunks. */
export function messageSse(model: string, blocks: AnswerBlock[], usage: Usage): string[] {
  const frame = (type: string, data: Record<string, unknown>): string =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const frames = [
    frame('message_start', {
      message: {
        id: newMessageId(),
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: usage.input_tokens,
          output_tokens: Math.min(1, usage.output_tokens),
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
        },
      },
    }),
  ];
  blocks.forEach((block, index) => {
    if (block.type === 'text') {
      frames.push(frame('content_block_start', { index, content_block: { type: 'text', text: '' } }));
      frames.push(frame('content_block_delta', { index, delta: { type: 'text_delta', text: block.text } }));
    } else {
      const { id, name } = block;
      frames.push(frame('content_block_start', { index, content_block: { type: 'tool_use', id, name, input: {} } }));
      const json = JSON.stringify(block.input);
      for (let at = 0; at < json.length; at += JSON_CHUNK) {
        const partial_json = json.slice(at, at + JSON_CHUNK);
        frames.push(frame('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } }));
      }
    }
    frames.push(frame('content_block_stop', { index }));
  });
  frames.push(
    frame('message_delta', {
      delta: { stop_reason: stopReasonOf(blocks), stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    }),
  );
  frames.push(frame('message_stop', {}));
  return frames;
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

export function errorTypeOf(status: number): string {
  return ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

export function errorJson(status: number, message?: string): string {
  const type = errorTypeOf(status);
  return JSON.stringify({ type: 'error', error: { type, message: message ?? `Fake model: ${type} (${status})` } });
}

/** USD per million tokens [input, output], as Claude Code 2.1.197 prices them (measured: it computes the cost itself). */
function pricesOf(model: string): [number, number] {
  if (/haiku/i.test(model)) return [1, 5];
  if (/sonnet/i.test(model)) return [3, 15];
  return [5, 25]; // opus 4.5+ and any id Claude Code does not know
}

/**
 * Token counts that make Claude Code report `costUsd` for one request of `model`. Output tokens are
 * priced too, so they stay 0 and the input tokens carry the whole cost (rounded to a whole token).
 */
export function usageForCost(model: string, costUsd: number): Usage {
  const [inputPrice] = pricesOf(model);
  return { input_tokens: Math.max(0, Math.round((costUsd * 1e6) / inputPrice)), output_tokens: 0 };
}
