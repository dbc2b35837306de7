// Under worktree isolation a task works in its worktree, but the plan's paths (contextFiles,
// expectedOutputs) were made absolute under workspace.repo when the run started: they are moved onto the
// worktree, so the agent reads and writes its own copy and the outputs are checked where it wrote them.
import path from 'node:path';
import type { EffectiveTask } from '../../plan/schema.js';
import type { PathRebase, RunAgentInput } from '../../contract/agent.js';

export type { PathRebase };

/** `file` moved from the first rule whose `from` holds it; a file outside them all stays as it is. */
export function rebasePath(file: string, rules: readonly PathRebase[]): string {
  for (const rule of rules) {
    const relative = path.relative(rule.from, file);
    if (relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))) {
      return path.join(rule.to, relative);
    }
  }
  return file;
}

export function rebaseTask(task: EffectiveTask, rules: readonly PathRebase[]): EffectiveTask {
  if (rules.length === 0) return task;
  return {
    ...task,
    contextFiles: task.contextFiles.map((file) => rebasePath(file, rules)),
    expectedOutputs: task.expectedOutputs.map((file) => rebasePath(file, rules)),
  };
}

/** The agent's input with its task's paths moved onto its worktree (unchanged without `pathRebase`). */
export function rebaseAgentInput(input: RunAgentInput): RunAgentInput {
  return input.pathRebase?.length ? { ...input, task: rebaseTask(input.task, input.pathRebase) } : input;
}

/**
 * The rules for a worktree: `workspace.repo` (as the plan names it) onto the agent's folder in the worktree,
 * then the repository's top folder onto the worktree's (for paths outside workspace.repo but in the repo).
 */
export function worktreeRebase(repo: string, toplevel: string, worktree: string, cwd: string): PathRebase[] {
  return [
    { from: path.resolve(repo), to: cwd },
    { from: toplevel, to: worktree },
  ];
}
