// The prompt one agent receives: its task plus the context block of DESIGN §2.
// The first line is `# Task: <id>` exactly: the rehearsal's scripted model keys on it.
import { readFileSync } from 'node:fs';
import { ApplicationFailure } from '@temporalio/common';
import { promptFileOf } from '../plan/prompt-ref.js';
import { FailureType } from '../workflows/failure-types.js';
import type { RunAgentInput } from './types.js';

export function buildPrompt(input: RunAgentInput): string {
  const { task } = input;
  const sections: string[] = [`# Task: ${task.id}`, `Title: ${task.title}`];
  if (input.goal) sections.push(`## Goal of the whole run\n\n${input.goal}`);
  sections.push(`## Your task\n\n${promptText(task.prompt)}`);
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
      if (dep.artifactPath)
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

/** The task's prompt; one that travelled by reference is read from its file. */
function promptText(prompt: string): string {
  const file = promptFileOf(prompt);
  if (file === null) return prompt;
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw ApplicationFailure.create({
      type: FailureType.AgentBadArguments,
      message: `the task's prompt is in ${file}, which this worker cannot read (${(err as Error).message}); workers of a run need the BATON_HOME it was started with`,
      nonRetryable: true,
    });
  }
}
