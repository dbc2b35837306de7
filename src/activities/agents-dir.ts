// The subagents a folder defines, as Claude Code reads them: `<dir>/*.md`, each opening with YAML front matter
// (`name`, `description`, optional `tools`, `model`). The planner is told these names, and a plan may only
// assign an agent that exists.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';

export interface AgentInfo {
  name: string;
  description: string;
  tools?: string;
  model?: string;
  /** The file it came from. */
  file: string;
}

export interface AgentsDirResult {
  agents: AgentInfo[];
  /** Files that look like agent definitions but could not be read as one (said why). */
  skipped: string[];
}

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/;

/** `.claude/agents` of the folder the agents work in. */
export function defaultAgentsDir(cwd: string): string {
  return path.join(cwd, '.claude', 'agents');
}

/** The agents of `dir`, by name, in file-name order; a missing folder has none. */
export async function readAgentsDir(dir: string): Promise<AgentsDirResult> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.md')).sort();
  } catch {
    return { agents: [], skipped: [] };
  }
  const agents: AgentInfo[] = [];
  const skipped: string[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const text = await readFile(file, 'utf8').catch(() => undefined);
    const found = text === undefined ? undefined : FRONT_MATTER.exec(text);
    if (!found) {
      skipped.push(`${file}: no YAML front matter`);
      continue;
    }
    let meta: unknown;
    try {
      meta = parse(found[1] ?? '');
    } catch (err) {
      skipped.push(`${file}: front matter is not YAML (${err instanceof Error ? err.message.split('\n')[0] : ''})`);
      continue;
    }
    const record = typeof meta === 'object' && meta !== null ? (meta as Record<string, unknown>) : {};
    if (typeof record.name !== 'string' || record.name.trim() === '') {
      skipped.push(`${file}: front matter has no "name"`);
      continue;
    }
    agents.push({
      name: record.name.trim(),
      description: typeof record.description === 'string' ? record.description.trim() : '',
      tools: Array.isArray(record.tools) ? record.tools.join(', ') : asString(record.tools),
      model: asString(record.model),
      file,
    });
  }
  return { agents, skipped };
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
