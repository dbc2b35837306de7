// The lower bound: the same plan run by the least an executor can do, in this process — spawn the same
// agent with the same arguments, in dependency order (dependency-order.ts), at most maxParallel at once, no durability,
// no retries, no artifacts, no server round trips.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { buildClaudeArgs } from '../src/activities/claude-args.js';
import { buildPrompt } from '../src/activities/prompt.js';
import { effectiveTask, type Plan } from '../src/plan/schema.js';
import { inDependencyOrder } from './dependency-order.js';

export interface AgentCommand {
  bin: string;
  env: Record<string, string>;
  cwd: string;
}

interface Done {
  text: string;
}

export async function runLowerBound(plan: Plan, agent: AgentCommand): Promise<void> {
  const tasks = new Map(plan.tasks.map((t) => [t.id, t]));
  await inDependencyOrder(plan.tasks, plan.maxParallel, async (id, summaries) => (await runOne(id, summaries)).text);

  function runOne(id: string, summaries: Record<string, string>): Promise<Done> {
    const task = effectiveTask(plan, tasks.get(id)!);
    const prompt = buildPrompt({
      runId: 'lower-bound',
      task,
      generation: 1,
      cwd: agent.cwd,
      dependencies: task.dependsOn.map((d) => ({
        id: d,
        title: d,
        state: 'succeeded',
        summary: summaries[d] ?? '',
      })),
      guidance: [],
      sessionId: '',
    });
    const args = buildClaudeArgs({ prompt, task, session: { kind: 'new', sessionId: randomUUID() } });
    return new Promise((resolve, reject) => {
      const child = spawn(agent.bin, args, {
        cwd: agent.cwd,
        env: { ...process.env, ...agent.env },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => (out += chunk));
      child.once('error', reject);
      child.once('close', (code) => {
        const last = out.trimEnd().split('\n').pop() ?? '';
        const result = safeJson(last);
        if (code !== 0 || result?.type !== 'result' || result.is_error !== false) {
          reject(new Error(`lower bound: task ${id} failed (exit ${code}): ${last.slice(0, 300)}`));
        } else resolve({ text: typeof result.result === 'string' ? result.result : '' });
      });
    });
  }
}

function safeJson(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
