// The argv of one `claude -p` run (DESIGN §5). Pure, so it is unit-tested without a process.
import type { AgentDefinition, EffectiveTask } from '../plan/schema.js';

/** How the attempt relates to a Claude conversation. */
export type SessionMode =
  /** Start a new conversation with this id (`--session-id`). */
  | { kind: 'new'; sessionId: string }
  /** Continue an earlier conversation (`--resume`); only works from the same cwd and CLAUDE_CONFIG_DIR. */
  | { kind: 'resume'; sessionId: string };

export interface ClaudeArgsInput {
  prompt: string;
  task: Pick<EffectiveTask, 'permissionMode' | 'model' | 'maxTurns' | 'allowedTools' | 'agent'>;
  agents?: Record<string, AgentDefinition>;
  session: SessionMode;
}

export function buildClaudeArgs({ prompt, task, agents, session }: ClaudeArgsInput): string[] {
  const args = ['-p', prompt, '--output-format', 'stream-json', '--verbose', '--permission-mode', task.permissionMode];
  if (task.model) args.push('--model', task.model);
  if (task.maxTurns !== undefined) args.push('--max-turns', String(task.maxTurns));
  // Multi-value flags take every following word, the prompt included: always the `=` form.
  if (task.allowedTools && task.allowedTools.length > 0) args.push(`--allowedTools=${task.allowedTools.join(',')}`);
  if (task.agent) {
    const definition = agents?.[task.agent];
    // An agent the plan does not define may be one of claude's own (Explore, Plan…): name it only.
    if (definition) args.push('--agents', JSON.stringify(agents));
    args.push('--agent', task.agent);
  }
  if (session.kind === 'new') args.push('--session-id', session.sessionId);
  else args.push('--resume', session.sessionId);
  return args;
}
