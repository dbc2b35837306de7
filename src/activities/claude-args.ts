// claude's command line (DESIGN §5), for every activity that runs claude: the only module that knows its flags.
// Pure, so it is unit-tested without a process.
import path from 'node:path';
import { agentToolNames } from '../contract/agent-tools.js';
import type { AgentDefinition, EffectiveTask } from '../plan/schema.js';

/** How the attempt relates to a Claude conversation. */
export type SessionMode =
  /** Start a new conversation with this id (`--session-id`). */
  | { kind: 'new'; sessionId: string }
  /** Continue an earlier conversation (`--resume`); only works from the same cwd and CLAUDE_CONFIG_DIR. */
  | { kind: 'resume'; sessionId: string };

/**
 * Linux refuses an argv string longer than MAX_ARG_STRLEN (128 KiB), and no argv string can hold a NUL
 * byte: such prompts go to claude on stdin (`-p` without a prompt reads it, `--input-format text`),
 * which keeps them intact. Smaller ones stay in argv, where `ps` shows what an agent is doing.
 */
export const ARGV_PROMPT_LIMIT_BYTES = 100_000;

export function promptFitsArgv(prompt: string): boolean {
  return !prompt.includes('\0') && Buffer.byteLength(prompt, 'utf8') <= ARGV_PROMPT_LIMIT_BYTES;
}

export interface ClaudeArgsInput {
  /** The prompt; null when it is written to claude's stdin instead (as text, or as the first `live` message). */
  prompt: string | null;
  /**
   * Stream-json input (DESIGN §11): the prompt and a person's guidance are user messages on claude's stdin, which
   * it echoes once passed on to the model (live-input.ts).
   */
  live?: boolean;
  /** The agent's settings: a task's, or the planner's (plan mode, no turn limit). */
  task: Pick<EffectiveTask, 'permissionMode'> &
    Partial<Pick<EffectiveTask, 'model' | 'maxTurns' | 'allowedTools' | 'agent'>>;
  agents?: Record<string, AgentDefinition>;
  session: SessionMode;
  /** Folders outside the cwd the agent may read: where its dependencies' full results are (`--add-dir`). */
  addDirs?: string[];
  /** The JSON Schema the final answer must match; the result line then carries it as `structured_output`. */
  jsonSchema?: Record<string, unknown>;
  /** baton's in-run MCP server (DESIGN §13), as `--mcp-config` JSON: its tools are allowed without asking. */
  mcpConfig?: string;
}

export function buildClaudeArgs({
  prompt,
  live = false,
  task,
  agents,
  session,
  addDirs = [],
  jsonSchema,
  mcpConfig,
}: ClaudeArgsInput): string[] {
  const args = live
    ? ['-p', '--input-format', 'stream-json', '--replay-user-messages']
    : prompt === null
      ? ['-p', '--input-format', 'text']
      : ['-p', prompt];
  args.push('--output-format', 'stream-json', '--verbose', '--permission-mode', task.permissionMode);
  if (task.model) args.push('--model', task.model);
  if (task.maxTurns !== undefined) args.push('--max-turns', String(task.maxTurns));
  // Multi-value flags take every following word, the prompt included: always the `=` form. Allowing a tool
  // spares the question claude would ask (and nobody answers in -p); it takes no other tool away.
  const allowed = [...(task.allowedTools ?? []), ...(mcpConfig ? agentToolNames() : [])];
  if (allowed.length > 0) args.push(`--allowedTools=${allowed.join(',')}`);
  if (mcpConfig) args.push(`--mcp-config=${mcpConfig}`);
  for (const dir of addDirs) args.push(`--add-dir=${dir}`);
  if (task.agent) {
    const definition = agents?.[task.agent];
    // An agent the plan does not define may be one of claude's own (Explore, Plan…): name it only.
    if (definition) args.push('--agents', JSON.stringify(agents));
    args.push('--agent', task.agent);
  }
  if (jsonSchema) args.push('--json-schema', JSON.stringify(jsonSchema));
  if (session.kind === 'new') args.push('--session-id', session.sessionId);
  else args.push('--resume', session.sessionId);
  return args;
}

/** `--add-dir` folders: those of `files` not inside `cwd`, each once (outside its cwd claude asks, and nobody answers). */
export function addDirsFor(cwd: string, files: string[]): string[] {
  const root = path.resolve(cwd);
  const folders = files.map((file) => path.dirname(path.resolve(file)));
  return [...new Set(folders)].filter((dir) => dir !== root && !dir.startsWith(`${root}${path.sep}`));
}
