// The lower bound: the same plan run by the least an executor can do, in this process — spawn the same
// agent with the same arguments, in dependency order, at most maxParallel at once, no durability,
// no retries, no artifacts, no server round trips.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { buildClaudeArgs } from '../src/activities/claude-args.js';
import { buildPrompt } from '../src/activities/prompt.js';
import { effectiveTask, type Plan } from '../src/plan/schema.js';

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
  const waitingOn = new Map(plan.tasks.map((t) => [t.id, t.dependsOn.length]));
  const dependents = new Map<string, string[]>();
  for (const t of plan.tasks) for (const d of t.dependsOn) dependents.set(d, [...(dependents.get(d) ?? []), t.id]);
  const results = new Map<string, Done>();
  // Plan order among ready tasks, as baton does when priorities are equal.
  const ready: string[] = plan.tasks.filter((t) => t.dependsOn.length === 0).map((t) => t.id);
  let running = 0;

  await new Promise<void>((resolve, reject) => {
    const fill = (): void => {
      while (running < plan.maxParallel && ready.length > 0) {
        const id = ready.shift()!;
        running++;
        runOne(id).then((done) => {
          running--;
          results.set(id, done);
          for (const next of dependents.get(id) ?? []) {
            const left = waitingOn.get(next)! - 1;
            waitingOn.set(next, left);
            if (left === 0) ready.push(next);
          }
          if (results.size === tasks.size) resolve();
          else fill();
        }, reject);
      }
    };
    fill();
  });

  function runOne(id: string): Promise<Done> {
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
        summary: results.get(d)?.text ?? '',
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
