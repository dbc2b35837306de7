// What the planner agent is asked: the instructions file of the project (prompts/planner.md), the goal, the
// agents a plan may assign, and what was wrong with its previous answers. The first line is `# Task: planner`:
// the rehearsal's scripted model keys on it, as it does on every task's `# Task: <id>`.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { PlannerHierarchy } from '../contract/planner.js';
import type { AgentInfo } from './agents-dir.js';

/** The key of planner conversations (the rehearsal answers it with a plan). */
export const PLANNER_KEY = 'planner';

// Compiled, this file is dist/src/activities/planner-prompt.js: the package root is three levels up.
export const PLANNER_INSTRUCTIONS_FILE = fileURLToPath(new URL('../../../prompts/planner.md', import.meta.url));

export async function readPlannerInstructions(file: string = PLANNER_INSTRUCTIONS_FILE): Promise<string> {
  return await readFile(file, 'utf8');
}

export interface PlannerPromptInput {
  instructions: string;
  goal: string;
  /** The folder the planner explores and the agents will work in. */
  cwd: string;
  agents: Pick<AgentInfo, 'name' | 'description' | 'tools' | 'model'>[];
  /** Where the agents came from, named in the prompt. */
  agentsSource: string;
  /** Problems with the previous plan, and people's reasons for rejecting it. */
  feedback: string[];
  /** The previous answer (JSON) the feedback is about. */
  previous: string | null;
  /** A sub-goal's planner: the plans above, and the results it builds on. */
  hierarchy?: PlannerHierarchy;
}

/**
 * The goal and what went wrong come first (they are what changes between rounds, and what a reader of the
 * request looks for), then the agents, then the standing instructions.
 */
export function buildPlannerPrompt(input: PlannerPromptInput): string {
  const sections = [`# Task: ${PLANNER_KEY}`, `## Goal\n\n${input.goal.trim()}`];
  sections.push(...hierarchySections(input.hierarchy));
  if (input.feedback.length > 0) {
    sections.push(
      `## Your previous plan was not accepted\n\nFix every problem below and give the whole plan again:\n\n${input.feedback.map((f) => `- ${f}`).join('\n')}`,
    );
    if (input.previous) sections.push(`## Your previous plan\n\n\`\`\`json\n${input.previous}\n\`\`\``);
  }
  if (input.agents.length === 0) {
    sections.push(
      `## Agents you may assign\n\nNone are defined (${input.agentsSource} has none): leave \`agent\` out of every task.`,
    );
  } else {
    const lines = input.agents.map((a) => {
      const extra = [a.tools ? `tools: ${a.tools}` : '', a.model ? `model: ${a.model}` : ''].filter(Boolean);
      return `- \`${a.name}\`: ${a.description || '(no description)'}${extra.length > 0 ? ` (${extra.join('; ')})` : ''}`;
    });
    sections.push(
      `## Agents you may assign\n\nFrom ${input.agentsSource}; \`agent\` must be one of these names, or left out:\n\n${lines.join('\n')}`,
    );
  }
  sections.push(`## Project folder\n\n${input.cwd}`);
  sections.push(`## Instructions\n\n${input.instructions.trim()}`);
  return sections.join('\n\n') + '\n';
}

/** Where a sub-goal sits: the goals above it, what its dependencies did, and whether it may have sub-goals. */
function hierarchySections(hierarchy: PlannerHierarchy | undefined): string[] {
  const deeper = hierarchy ? hierarchy.level < hierarchy.maxDepth : true;
  const subGoals = deeper
    ? 'A task may carry `goal` instead of `prompt` when its part is large enough to need a plan of its own: a ' +
      'planner then plans it when it starts. Use this only for large, separable areas.'
    : 'Every task needs a `prompt`: plans may nest no deeper here, so no task may carry a `goal`.';
  if (!hierarchy) return [`## Sub-goals\n\n${subGoals}`];
  const sections = [
    `## Where this plan fits\n\nThis plan does task \`${hierarchy.taskPath}\` of a larger run (plan level ${hierarchy.level} of at most ${hierarchy.maxDepth}). The goals above it, outermost first:\n\n${hierarchy.parentGoals.map((g) => `- ${g.trim()}`).join('\n')}`,
  ];
  if (hierarchy.dependencies.length > 0) {
    const results = hierarchy.dependencies.map((dep) => {
      const full = dep.artifactPath ? `\n\nFull result: ${dep.artifactPath}` : '';
      const said = dep.state === 'skipped' ? 'Skipped by a person; no result.' : dep.summary.trim() || '(no summary)';
      return `### ${dep.id}: ${dep.title}\n\n${said}${full}`;
    });
    sections.push(`## Results this plan builds on\n\nThese tasks finished before it:\n\n${results.join('\n\n')}`);
  }
  sections.push(`## Sub-goals\n\n${subGoals}`);
  return sections;
}
