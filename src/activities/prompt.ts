// The prompt one agent receives: its task plus the context block of DESIGN §2.
// The first line is `# Task: <id>` exactly: the rehearsal's scripted model keys on it. Pure: a prompt that
// travelled by reference, and dependencies' results in a remote store, are fetched before (attempt-files.ts).
import type { RunAgentInput } from '../contract/agent.js';

export interface PromptFiles {
  /** Local copies of dependencies' full results, by task id, where the artifactPath is not a local file. */
  dependencyResults?: Record<string, string>;
}

export function buildPrompt(input: RunAgentInput, files: PromptFiles = {}): string {
  const { task } = input;
  const sections: string[] = [`# Task: ${task.id}`, `Title: ${task.title}`];
  if (input.parentGoals && input.parentGoals.length > 0) {
    // A sub-plan's task: the run's goal first, then each plan's down to its own.
    const goals = [...input.parentGoals, ...(input.goal ? [input.goal] : [])];
    sections.push(
      `## Goals of the plans this task belongs to (the whole run's first)\n\n${goals.map((g) => `- ${g}`).join('\n')}`,
    );
  } else if (input.goal) sections.push(`## Goal of the whole run\n\n${input.goal}`);
  sections.push(`## Your task\n\n${task.prompt}`);
  if (task.contextFiles.length > 0) {
    sections.push(
      `## Context files\n\nRead these first:\n\n${task.contextFiles.map((path) => `- ${path}`).join('\n')}`,
    );
  }
  if (input.dependencies.length > 0) {
    const results = input.dependencies.map((dep) => {
      const lines = [`### ${dep.id}: ${dep.title}`, ''];
      if (dep.state === 'skipped') lines.push('This task was skipped by a person; it produced no result.');
      else lines.push(dep.summary.trim() || '(no summary)');
      const copy = files.dependencyResults?.[dep.id];
      if (copy && copy !== dep.artifactPath)
        lines.push(
          '',
          `Full result: ${copy} (a copy of ${dep.artifactPath}; read it if you need more than this summary)`,
        );
      else if (dep.artifactPath)
        lines.push('', `Full result: ${dep.artifactPath} (read it if you need more than this summary)`);
      return lines.join('\n');
    });
    sections.push(
      `## Results of dependencies\n\nThese tasks ran before yours; build on what they did.\n\n${results.join('\n\n')}`,
    );
  }
  if (input.guidance.length > 0) {
    sections.push(
      `## Guidance from people\n\nPeople watching this run added these notes; follow them:\n\n${input.guidance.map((note) => `- ${note}`).join('\n')}`,
    );
  }
  if (task.expectedOutputs.length > 0) {
    sections.push(
      `## Expected outputs\n${task.expectedOutputs.map((path) => `- ${path}`).join('\n')}\n\nThese files must exist when you finish; the task fails otherwise.`,
    );
  }
  sections.push('When you are done, end with a short summary of what you did and where the results are.');
  return sections.join('\n\n') + '\n';
}

/**
 * What a resumed attempt says: the conversation already holds the task, so only the interruption and the
 * conditions of success (the first line still names the task, as every prompt of baton does).
 */
export function buildResumePrompt(input: RunAgentInput): string {
  const lines = [
    `# Task: ${input.task.id}`,
    '',
    'You were interrupted (the process running you stopped). Continue the task where you left off: check what',
    'is already done before redoing anything.',
  ];
  if (input.task.expectedOutputs.length > 0) {
    lines.push('', `These files must exist when you finish: ${input.task.expectedOutputs.join(', ')}`);
  }
  lines.push('', 'When you are done, end with a short summary of what you did and where the results are.');
  return lines.join('\n') + '\n';
}
