// Which agents a plan may assign (`agent` on a task or in `defaults`): those the plan defines (`agents`), those an
// agents folder defines (`.claude/agents/*.md`), and Claude Code's own. An unknown name is a plan error: claude
// would otherwise run the task as itself, or fail at run time. Pure: the folders are read by the caller.
import type { PlanIssue } from './errors.js';
import { didYouMean } from './suggest.js';

/** The agents Claude Code 2.1.197 has built in, which `--agent` takes without a definition. */
export const CLAUDE_BUILT_IN_AGENTS = ['general-purpose', 'Explore', 'Plan', 'statusline-setup', 'claude-code-guide'];

/** The agents a plan defines and the ones it assigns, from whatever of it is readable. */
function agentsOf(raw: unknown): { defined: string[]; assigned: { path: string; agent: string }[] } {
  const record = (value: unknown): Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const plan = record(raw);
  const assigned: { path: string; agent: string }[] = [];
  const defaultAgent = record(plan.defaults).agent;
  if (typeof defaultAgent === 'string') assigned.push({ path: 'defaults.agent', agent: defaultAgent });
  const tasks = Array.isArray(plan.tasks) ? (plan.tasks as unknown[]) : [];
  tasks.forEach((task, i) => {
    const agent = record(task).agent;
    if (typeof agent === 'string') assigned.push({ path: `tasks[${i}].agent`, agent });
  });
  return { defined: Object.keys(record(plan.agents)), assigned };
}

export interface KnownAgents {
  /** Names the agents folders define, and how the message names those folders. */
  fromFolders: string[];
  folders: string;
  /** Claude Code's own agents, when the plan may use them. */
  builtIn?: readonly string[];
}

/** One issue per assignment of an agent nobody defines. */
export function unknownAgentIssues(raw: unknown, known: KnownAgents): PlanIssue[] {
  const { defined, assigned } = agentsOf(raw);
  const names = [...defined, ...known.fromFolders];
  const builtIn = known.builtIn ?? [];
  const list =
    names.length === 0
      ? `no agents are defined (neither in the plan's "agents" nor in ${known.folders})${builtIn.length > 0 ? `; claude's own are ${builtIn.join(', ')}` : ': leave "agent" out'}`
      : `the agents are: ${names.join(', ')}${builtIn.length > 0 ? ` (and claude's own: ${builtIn.join(', ')})` : ''}`;
  return assigned
    .filter(({ agent }) => !names.includes(agent) && !builtIn.includes(agent))
    .map(({ path, agent }) => ({
      path,
      message: `unknown agent ${JSON.stringify(agent)}${didYouMean(agent, [...names, ...builtIn])}; ${list}`,
    }));
}
