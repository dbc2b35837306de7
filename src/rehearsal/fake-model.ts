// A scripted stand-in for the Anthropic Messages API that the real `claude` binary talks to through
// ANTHROPIC_BASE_URL: `baton run --rehearse` runs a plan with it (no API key, nothing leaves the machine),
// and the tests script it to make real agents write files, run commands, fail with API errors or hang.
//
// What Claude Code 2.1.197 does against it (measured with `claude -p … --output-format stream-json --verbose
// --permission-mode acceptEdits`, stdin closed, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1,
// DISABLE_AUTOUPDATER=1, CLAUDE_CODE_MAX_RETRIES=0, a fresh CLAUDE_CONFIG_DIR):
// - Requests: `HEAD /` (a reachability check) then one `POST /v1/messages?beta=true` per turn, always
//   `stream: true`, headers `x-api-key`, `anthropic-version: 2023-06-01`, `anthropic-beta: claude-code-…`,
//   `x-claude-code-session-id`. No side requests in -p mode: no title generation, no haiku quota check,
//   no count_tokens (the fake still answers `/v1/messages/count_tokens`).
// - Models: default `claude-opus-4-8` (reported as `claude-opus-4-8[1m]`); `--model sonnet` →
//   `claude-sonnet-5`, `haiku` → `claude-haiku-4-5-20251001`, `opus` → `claude-opus-4-8`; any other id is
//   sent as given.
// - The first user message is [system-reminder text block, prompt text block]; a `role: "system"` message
//   follows it (agent and skill lists). Tool results come back as a user message of `tool_result` blocks
//   (`content` a string; `is_error: true` for failures, e.g. "This command requires approval" when
//   acceptEdits refuses a Bash command such as `exit 3` — commands that only write in the cwd run).
// - Write needs an absolute `file_path` (a relative one is resolved here against the "Primary working
//   directory" line of the system prompt) and creates missing folders. It refuses to overwrite a file that
//   exists but was not Read first (tool_result error "File has not been read yet…"): rehearsal, which never
//   Reads, therefore leaves existing files alone and only creates missing ones.
// - stream-json stdout: `system/init`, one `assistant` line per content block, a `user` line per
//   tool_result, then `{"type":"result","subtype":"success","is_error":false,"api_error_status":null,
//   "num_turns":N,"result":"<last text>","total_cost_usd":…,"usage":…,"permission_denials":[…],…}`; exit 0.
// - Cost is computed by claude from the usage tokens (input from message_start, output from
//   message_delta) at $/MTok in/out: opus and unknown ids 5/25, sonnet 3/15, haiku 1/5.
// - HTTP errors (JSON body `{type:"error",error:{type,message}}`), with CLAUDE_CODE_MAX_RETRIES=0: no retry,
//   an `assistant` line with model "<synthetic>" and `error` ("rate_limit" | "authentication_failed" |
//   "server_error" | "unknown"), then `{"type":"result","subtype":"success","is_error":true,
//   "api_error_status":<status>,"result":"API Error: …","total_cost_usd":0,…}` and exit code 1, about 0.5 s
//   after the process started. Same shape for 400, 401, 429, 500, 529; result texts:
//   429 "API Error: Request rejected (429) · <message>", 400 "API Error: 400 <message>",
//   401 "Failed to authenticate. API Error: 401 <message>", 5xx/529 "API Error: 5xx <message>. This is a
//   server-side issue…".
// - A connection cut mid-request (stop() while hanging): `assistant` line with `error: "server_error"`, then
//   `result` with is_error true, `api_error_status: null`, "API Error: Unable to connect to API (ECONNRESET)";
//   exit 1 within ~50 ms. claude's own request timeout is 600 s (`x-stainless-timeout`).
// - `--json-schema` adds a `StructuredOutput` tool; the model must call it (script a `toolUse` turn), or
//   claude asks again with a "[structured-output-enforce]" user message.
// - A whole run with a text answer takes about 0.5–0.8 s.
// - With `--input-format stream-json` (how baton runs agents), a user message read from stdin while a turn is
//   under way goes with that turn's next request, after the tool results, as a `role: "system"` message "The user
//   sent a new message while you were working: …" (the log's `latestText`); one read during the final answer
//   becomes a new turn of its own, after the turn's result line.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAbsolute, resolve } from 'node:path';
import {
  MessagesRequestSchema,
  errorJson,
  messageJson,
  messageSse,
  newToolUseId,
  readConversation,
  usageForCost,
  type AnswerBlock,
  type Conversation,
} from './messages-api.js';
import { ANSWER_HEADING, expectedOutputsOf, talkStepsOf, taskKeyOf, type TalkStep } from './task-prompt.js';
import { goalOf, rehearsalPlan } from './planner-answer.js';

export { TASK_HEADER, expectedOutputsOf, taskKeyOf } from './task-prompt.js';

export type Turn =
  | { text: string } // final assistant text, ends the conversation (stop_reason end_turn)
  | { write: { path: string; content: string } } // Write tool_use; a relative path is taken from the agent's cwd
  | { bash: string } // a Bash tool_use running that command
  | { toolUse: { name: string; input: Record<string, unknown> } };

export interface TaskScript {
  /** Stateful per key: the first N requests of this key get these HTTP errors, in order. */
  failFirst?: Array<{ status: number; message?: string }>;
  /**
   * Stateless: the request whose conversation already holds i assistant messages gets turns[i];
   * past the end `{ text: 'Done.' }`.
   */
  turns?: Turn[];
  /** Delay before every answer of this key (a streamed answer starts after it). */
  delayMs?: number;
  /** Accept the request and never answer (until stop()); applies once failFirst is used up. */
  hang?: boolean;
}

export interface FakeModelOptions {
  /** Scripts by task key. */
  script?: Record<string, TaskScript>;
  /** Default true: keys without a script get the rehearsal behaviour; false: they answer `Done.` */
  rehearse?: boolean;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: an ephemeral port. */
  port?: number;
  /**
   * Cost claude reports for each answered request (default 0). Sent as input tokens at the model's
   * price, which claude turns back into `total_cost_usd` (exact for opus, sonnet, haiku and unknown ids).
   */
  costPerRequestUsd?: number;
}

export interface RequestLogEntry {
  /** Task key from the conversation's first user message (null: a side request). */
  key: string | null;
  receivedAt: number;
  answeredAt: number | null;
  /** Assistant messages already in the conversation. */
  assistantTurns: number;
  /** HTTP status answered (0 while unanswered). */
  status: number;
  model: string;
  firstUserText: string;
  lastUserText: string;
  /** Text of the messages after the last assistant message (messages-api.ts: `Conversation.latestText`). */
  latestText: string;
}

const LOG_TEXT_LIMIT = 2_000;
const MAX_BODY_BYTES = 32 * 1024 * 1024;
const BASH_DESCRIPTION = 'Run a scripted command';

type Answer =
  | { kind: 'error'; status: number; message?: string }
  | { kind: 'message'; blocks: AnswerBlock[]; conversation: Conversation }
  | { kind: 'json'; body: string };

function truncate(text: string): string {
  return text.length > LOG_TEXT_LIMIT ? text.slice(0, LOG_TEXT_LIMIT) + '…' : text;
}

function absolute(path: string, cwd: string | null): string {
  return isAbsolute(path) || cwd === null ? path : resolve(cwd, path);
}

function blocksOfTurn(turn: Turn, conversation: Conversation): AnswerBlock[] {
  if ('text' in turn) return [{ type: 'text', text: turn.text }];
  const id = newToolUseId();
  if ('write' in turn) {
    const input = { file_path: absolute(turn.write.path, conversation.cwd), content: turn.write.content };
    return [{ type: 'tool_use', id, name: 'Write', input }];
  }
  if ('bash' in turn) {
    return [{ type: 'tool_use', id, name: 'Bash', input: { command: turn.bash, description: BASH_DESCRIPTION } }];
  }
  return [{ type: 'tool_use', id, name: turn.toolUse.name, input: turn.toolUse.input }];
}

/** The next of the task's talk steps the conversation has not taken yet (an ask answered by a resume counts). */
function nextTalkStep(conversation: Conversation): TalkStep | undefined {
  const used = new Map<string, number>();
  for (const use of conversation.toolUses) used.set(use.name, (used.get(use.name) ?? 0) + 1);
  for (const step of talkStepsOf(conversation.firstUserText)) {
    const name = `mcp__baton__${step.tool}`;
    const count = used.get(name) ?? 0;
    if (count > 0) used.set(name, count - 1);
    // A resumed conversation no longer holds the ask its agent was stopped in: its prompt brings the answer.
    else if (!(step.tool === 'ask' && conversation.userText.includes(ANSWER_HEADING))) return step;
  }
  return undefined;
}

/** What the rehearsal's agent says it did with baton's tools, the answer it got included. */
function talkSummary(conversation: Conversation): string {
  const asked = conversation.toolUses.find((use) => use.name === 'mcp__baton__ask' && use.result !== null);
  const resumed = conversation.userText.split(ANSWER_HEADING)[1]?.split('The answer:')[1];
  const answer = (asked?.result?.replace(/^A person answered your question:\s*/, '') ?? resumed)?.trim();
  const notes = conversation.toolUses.filter((use) => use.name === 'mcp__baton__note').length;
  const parts = [];
  if (notes > 0) parts.push(`recorded ${notes} note${notes === 1 ? '' : 's'}`);
  if (answer) parts.push(`heard the answer to its question: ${answer.split('\n')[0]}`);
  return parts.length > 0 ? ` It ${parts.join('; ')}.` : '';
}

/** Stateless: the talk steps its prompt asks for, then writes each expected output that has no Write yet, then ends. */
function rehearsalBlocks(key: string, conversation: Conversation): AnswerBlock[] {
  if (key === 'planner') {
    // A planner conversation (`baton plan --goal`, `--goal --rehearse`): a plan for its goal.
    const input = rehearsalPlan(goalOf(conversation.firstUserText));
    return conversation.assistantTurns === 0
      ? [{ type: 'tool_use', id: newToolUseId(), name: 'StructuredOutput', input }]
      : [{ type: 'text', text: 'Rehearsal: plan given.' }];
  }
  const step = nextTalkStep(conversation);
  if (step) {
    const { tool, ...input } = step;
    return [{ type: 'tool_use', id: newToolUseId(), name: `mcp__baton__${tool}`, input }];
  }
  const outputs = expectedOutputsOf(conversation.firstUserText).map((p) => absolute(p, conversation.cwd));
  const next = outputs.find((path) => !conversation.writtenPaths.includes(path));
  if (next === undefined) {
    const wrote = `wrote ${outputs.length} file${outputs.length === 1 ? '' : 's'}`;
    return [{ type: 'text', text: `Rehearsal: task ${key} done (${wrote}).${talkSummary(conversation)}` }];
  }
  return [
    { type: 'text', text: `Rehearsal: writing ${next}.` },
    {
      type: 'tool_use',
      id: newToolUseId(),
      name: 'Write',
      input: { file_path: next, content: `Rehearsal output of task ${key}\n` },
    },
  ];
}

function readBody(request: IncomingMessage): Promise<string | null> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => done(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8')));
    request.on('error', fail);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export class FakeModel {
  readonly url: string;
  readonly log: RequestLogEntry[] = [];
  readonly #server: Server;
  readonly #scripts: Map<string, TaskScript>;
  readonly #rehearse: boolean;
  readonly #costPerRequestUsd: number;
  /** Requests seen per key since its script was set: the failFirst cursor. */
  readonly #seen = new Map<string, number>();
  /** Delayed and hanging answers, released by stop(). */
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #held = new Set<ServerResponse>();
  #stopping: Promise<void> | null = null;

  private constructor(server: Server, url: string, options: FakeModelOptions) {
    this.#server = server;
    this.url = url;
    this.#scripts = new Map(Object.entries(options.script ?? {}));
    this.#rehearse = options.rehearse ?? true;
    this.#costPerRequestUsd = options.costPerRequestUsd ?? 0;
  }

  static async start(options: FakeModelOptions = {}): Promise<FakeModel> {
    const host = options.host ?? '127.0.0.1';
    const server = createServer();
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', fail);
        done();
      });
    });
    const { port } = server.address() as AddressInfo;
    const fake = new FakeModel(server, `http://${host.includes(':') ? `[${host}]` : host}:${port}`, options);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      fake.#handle(request, response).catch((err: unknown) => {
        if (!response.headersSent) {
          response.writeHead(500, { 'content-type': 'application/json' });
          response.end(errorJson(500, `Fake model failed: ${String(err)}`));
        } else response.destroy();
      });
    });
    return fake;
  }

  /** Replaces the key's script; its failFirst count starts again. */
  setScript(key: string, script: TaskScript): void {
    this.#scripts.set(key, script);
    this.#seen.delete(key);
  }

  requestsFor(key: string): RequestLogEntry[] {
    return this.log.filter((entry) => entry.key === key);
  }

  /** Closes the server; hanging and delayed requests are cut off (claude sees a connection error). */
  stop(): Promise<void> {
    this.#stopping ??= new Promise<void>((done) => {
      for (const timer of this.#timers) clearTimeout(timer);
      this.#timers.clear();
      for (const response of this.#held) response.destroy();
      this.#held.clear();
      this.#server.close(() => done());
      this.#server.closeAllConnections();
    });
    return this.#stopping;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://fake').pathname;
    if (request.method !== 'POST') {
      // Claude Code sends `HEAD /` before its first request.
      response.writeHead(path === '/' ? 200 : 404, { 'content-type': 'application/json' });
      response.end(path === '/' || request.method === 'HEAD' ? undefined : errorJson(404, `No route ${path}`));
      return;
    }
    const entry: RequestLogEntry = {
      key: null,
      receivedAt: Date.now(),
      answeredAt: null,
      assistantTurns: 0,
      status: 0,
      model: '',
      firstUserText: '',
      lastUserText: '',
      latestText: '',
    };
    this.log.push(entry);
    const body = await readBody(request);
    if (body === null) return this.#send(response, entry, { kind: 'error', status: 413, message: 'Body too large.' });
    const parsed = MessagesRequestSchema.safeParse(parseJson(body));
    if (path === '/v1/messages/count_tokens') {
      // A side request: logged with key null, never counted against a key's script.
      entry.model = parsed.success ? parsed.data.model : '';
      const tokens = JSON.stringify({ input_tokens: Math.ceil(body.length / 4) });
      return this.#send(response, entry, { kind: 'json', body: tokens });
    }
    if (path !== '/v1/messages') return this.#send(response, entry, { kind: 'error', status: 404 });
    if (!parsed.success) {
      const message = `Invalid request: ${parsed.error.message}`;
      return this.#send(response, entry, { kind: 'error', status: 400, message });
    }
    const conversation = readConversation(parsed.data);
    const key = taskKeyOf(conversation.firstUserText);
    entry.key = key;
    entry.assistantTurns = conversation.assistantTurns;
    entry.model = conversation.model;
    entry.firstUserText = truncate(conversation.firstUserText);
    entry.lastUserText = truncate(conversation.lastUserText);
    entry.latestText = truncate(conversation.latestText);
    if (key === null) {
      return this.#send(response, entry, { kind: 'message', blocks: [{ type: 'text', text: 'OK' }], conversation });
    }
    const script = this.#scripts.get(key);
    const answer = this.#answerFor(key, script, conversation);
    const delayMs = script?.delayMs ?? 0;
    if (answer === null || delayMs > 0) {
      this.#held.add(response);
      response.on('close', () => this.#held.delete(response));
    }
    if (answer === null) return; // hang: stop() cuts it off
    if (delayMs <= 0) return this.#send(response, entry, answer);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#held.delete(response);
      this.#send(response, entry, answer);
    }, delayMs);
    this.#timers.add(timer);
  }

  /** The answer to a keyed request, or null to hang. */
  #answerFor(key: string, script: TaskScript | undefined, conversation: Conversation): Answer | null {
    const index = this.#seen.get(key) ?? 0;
    this.#seen.set(key, index + 1);
    const failure = script?.failFirst?.[index];
    if (failure) return { kind: 'error', ...failure };
    if (script?.hang) return null;
    let blocks: AnswerBlock[];
    if (script) blocks = blocksOfTurn(script.turns?.[conversation.assistantTurns] ?? { text: 'Done.' }, conversation);
    else if (this.#rehearse) blocks = rehearsalBlocks(key, conversation);
    else blocks = [{ type: 'text', text: 'Done.' }];
    return { kind: 'message', blocks, conversation };
  }

  #send(response: ServerResponse, entry: RequestLogEntry, answer: Answer): void {
    if (response.destroyed || response.writableEnded) return;
    const json = { 'content-type': 'application/json', 'request-id': 'req_fake' };
    if (answer.kind === 'error') {
      entry.status = answer.status;
      response.writeHead(answer.status, answer.status === 429 ? { ...json, 'retry-after': '1' } : json);
      response.end(errorJson(answer.status, answer.message));
    } else if (answer.kind === 'json') {
      entry.status = 200;
      response.writeHead(200, json);
      response.end(answer.body);
    } else {
      entry.status = 200;
      const { model, stream } = answer.conversation;
      const usage = usageForCost(model, this.#costPerRequestUsd);
      if (stream) {
        response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        for (const frame of messageSse(model, answer.blocks, usage)) response.write(frame);
        response.end();
      } else {
        response.writeHead(200, json);
        response.end(messageJson(model, answer.blocks, usage));
      }
    }
    entry.answeredAt = Date.now();
  }
}
