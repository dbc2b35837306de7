// The rehearsal's planner: answers a planner conversation (`# Task: planner`, see src/activities/planner-prompt.ts)
// with a small valid plan for the goal in its prompt, through the StructuredOutput tool that `--json-schema` adds.

/** The goal under the prompt's `## Goal` heading. */
export function goalOf(prompt: string): string {
  const match = /^## Goal[ \t]*\r?\n([\s\S]*?)(?=^## |$(?![\s\S]))/m.exec(prompt);
  return match?.[1]?.trim() || 'the goal';
}

function slug(text: string): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return s === '' ? 'rehearsal' : s;
}

/** Two tasks: the work, then a summary of it. */
export function rehearsalPlan(goal: string): Record<string, unknown> {
  return {
    version: 1,
    name: slug(goal),
    goal,
    tasks: [
      { id: 'work', title: 'Do the work', prompt: `Work towards the goal: ${goal}` },
      { id: 'summary', title: 'Sum up', prompt: 'Sum up what was done.', dependsOn: ['work'] },
    ],
  };
}
