// Incremental parser of `claude --output-format stream-json --verbose`, one JSON object per line: the one reader of
// claude's output, for every activity that runs claude (claude-attempt.ts). Tolerant by design: partial lines wait
// for their end, lines that are not JSON objects are counted and skipped.
import type { Usage } from '../contract/agent.js';

/** The final `{"type":"result"}` line, the only reliable verdict on a run (DESIGN §5). */
export interface ResultLine {
  subtype: string;
  isError: boolean;
  /** HTTP status of the model API error that ended the run, if any. */
  apiErrorStatus: number | null;
  /** The final text (for API errors: "API Error: 429 …"). */
  text: string;
  /** Messages of error subtypes (`errors: [...]`), when claude gives them. */
  errors: string[];
  costUsd: number;
  usage: Usage;
  numTurns: number;
  durationMs: number;
  permissionDenials: { toolName: string }[];
  sessionId?: string;
  /** The answer matching `--json-schema` (the planner's plan), when claude was given one and the model answered. */
  structuredOutput?: unknown;
}

export interface StreamState {
  sessionId?: string;
  model?: string;
  /** Assistant messages seen so far (a message split over several lines counts once; API errors do not count). */
  turns: number;
  /** Name of the last tool the agent called. */
  lastTool?: string;
  result?: ResultLine;
  lines: number;
  /** Lines that were not JSON objects. */
  garbageLines: number;
}

export class StreamParser {
  readonly state: StreamState = { turns: 0, lines: 0, garbageLines: 0 };
  #partial = '';
  #messageIds = new Set<string>();

  /** `onEvent`: every JSON object line, as it is parsed (a live agent's input reacts to some: live-input.ts). */
  constructor(private readonly onEvent?: (event: Record<string, unknown>) => void) {}

  /** Feed a chunk of stdout (any split, decoded as UTF-8). */
  push(chunk: string): void {
    const pieces = (this.#partial + chunk).split('\n');
    this.#partial = pieces.pop() ?? '';
    for (const line of pieces) this.#line(line);
  }

  /** The stream ended: parse what is left without a trailing newline. */
  end(): StreamState {
    const rest = this.#partial;
    this.#partial = '';
    this.#line(rest);
    return this.state;
  }

  #line(raw: string): void {
    const line = raw.trim();
    if (!line) return;
    this.state.lines++;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.state.garbageLines++;
      return;
    }
    if (!isRecord(value)) {
      this.state.garbageLines++;
      return;
    }
    this.#event(value);
    this.onEvent?.(value);
  }

  #event(event: Record<string, unknown>): void {
    const sessionId = str(event.session_id);
    if (sessionId) this.state.sessionId = sessionId;
    switch (event.type) {
      case 'system':
        if (event.subtype === 'init') this.state.model = str(event.model) ?? this.state.model;
        return;
      case 'assistant': {
        const message = isRecord(event.message) ? event.message : {};
        const id = str(message.id) ?? str(event.uuid) ?? `line-${this.state.lines}`;
        // claude reports an API error as an assistant message of model "<synthetic>": not a model's turn.
        if (message.model !== '<synthetic>' && !this.#messageIds.has(id)) {
          this.#messageIds.add(id);
          this.state.turns++;
        }
        const content = Array.isArray(message.content) ? message.content : [];
        for (const block of content) {
          if (isRecord(block) && block.type === 'tool_use' && str(block.name)) this.state.lastTool = str(block.name);
        }
        return;
      }
      case 'result': {
        // A live agent answers a message that came with its final answer as one more turn, with a result line of
        // its own: turns and time add up; the cost is claude's running total already.
        const earlier = this.state.result;
        const result = parseResult(event);
        if (earlier) {
          result.numTurns += earlier.numTurns;
          result.durationMs += earlier.durationMs;
        }
        this.state.result = result;
        return;
      }
      default:
        return;
    }
  }
}

export function parseResult(event: Record<string, unknown>): ResultLine {
  const usage = isRecord(event.usage) ? event.usage : {};
  const denials = Array.isArray(event.permission_denials) ? event.permission_denials : [];
  const errors = Array.isArray(event.errors) ? event.errors.filter((e): e is string => typeof e === 'string') : [];
  return {
    subtype: str(event.subtype) ?? 'unknown',
    isError: event.is_error === true,
    apiErrorStatus: typeof event.api_error_status === 'number' ? event.api_error_status : null,
    text: str(event.result) ?? '',
    errors,
    costUsd: num(event.total_cost_usd),
    usage: {
      inputTokens: num(usage.input_tokens),
      outputTokens: num(usage.output_tokens),
      cacheReadInputTokens: num(usage.cache_read_input_tokens),
      cacheCreationInputTokens: num(usage.cache_creation_input_tokens),
    },
    numTurns: num(event.num_turns),
    durationMs: num(event.duration_ms),
    permissionDenials: denials.map((d) => ({ toolName: (isRecord(d) && str(d.tool_name)) || 'unknown' })),
    sessionId: str(event.session_id),
    ...(event.structured_output === undefined ? {} : { structuredOutput: event.structured_output }),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
