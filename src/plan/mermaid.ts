// A Mermaid flowchart of a plan, optionally coloured by task state (for `baton status` and the docs).
// Pure: safe to import from workflow code.
import type { DagTask } from './dag.js';

/** The task states of DESIGN.md §3 that get a colour; other states are drawn uncoloured. */
export const STATE_STYLES: Readonly<Record<string, string>> = {
  pending: 'fill:#f4f4f5,stroke:#a1a1aa,color:#3f3f46',
  ready: 'fill:#e0f2fe,stroke:#0284c7,color:#0c4a6e',
  'awaiting-approval': 'fill:#fef9c3,stroke:#ca8a04,color:#713f12',
  running: 'fill:#dbeafe,stroke:#2563eb,color:#1e3a8a,stroke-width:2px',
  verifying: 'fill:#e0e7ff,stroke:#4f46e5,color:#312e81,stroke-width:2px',
  'awaiting-review': 'fill:#fef9c3,stroke:#ca8a04,color:#713f12',
  'merge-conflict': 'fill:#ffedd5,stroke:#ea580c,color:#7c2d12',
  'verification-failed': 'fill:#ffedd5,stroke:#ea580c,color:#7c2d12',
  succeeded: 'fill:#dcfce7,stroke:#16a34a,color:#14532d',
  failed: 'fill:#fee2e2,stroke:#dc2626,color:#7f1d1d',
  skipped: 'fill:#f4f4f5,stroke:#a1a1aa,color:#71717a,stroke-dasharray:4 2',
  cancelled: 'fill:#f4f4f5,stroke:#52525b,color:#52525b,stroke-dasharray:4 2',
  blocked: 'fill:#fae8ff,stroke:#a21caf,color:#701a75',
};

export interface MermaidOptions {
  /** Task id → state; states in STATE_STYLES colour their tasks. */
  states?: Readonly<Record<string, string>>;
}

/** What the drawing needs of a task; `plan` and `goal` make it a sub-plan (DESIGN.md §10). */
export type MermaidTask = DagTask & {
  title?: string;
  approval?: string;
  goal?: string;
  plan?: string | { tasks: readonly MermaidTask[] };
};

/**
 * `flowchart TD` with one node per task (labelled with its title, or its id) and an edge from each
 * dependency to its dependent. Nodes are named `t0`, `t1`, … by position, because task ids may be
 * Mermaid keywords (`end`) or contain characters Mermaid reads as syntax. A task with an approval gate is
 * a hexagon whose second line says which (`approval: before` / `approval: after`), so the places where a
 * run will wait on a person stand out whatever the colours. A task with an inline sub-plan is a subgraph of
 * its tasks (`t2_0`, `t2_1`, …; edges to and from the task meet the subgraph); a task with a goal is a
 * rounded node saying that a planner writes its sub-plan. `states` are keyed by path id (`backend/db`).
 */
export function toMermaid(plan: { tasks: readonly MermaidTask[] }, options: MermaidOptions = {}): string {
  const lines = ['flowchart TD'];
  const byState = new Map<string, string[]>();
  draw(plan.tasks, 't', '', '  ', lines, (path, node) => {
    const state = options.states?.[path];
    if (state === undefined || STATE_STYLES[state] === undefined) return;
    byState.set(state, [...(byState.get(state) ?? []), node]);
  });
  for (const [state, nodes] of byState) {
    const name = className(state);
    lines.push(`  classDef ${name} ${STATE_STYLES[state]}`, `  class ${nodes.join(',')} ${name}`);
  }
  return lines.join('\n') + '\n';
}

function draw(
  tasks: readonly MermaidTask[],
  prefix: string,
  pathPrefix: string,
  indent: string,
  lines: string[],
  colour: (path: string, node: string) => void,
): void {
  const node = new Map<string, string>();
  tasks.forEach((task, i) => {
    if (!node.has(task.id)) node.set(task.id, `${prefix}${i}`);
  });
  tasks.forEach((task, i) => {
    const name = `${prefix}${i}`;
    const path = pathPrefix === '' ? task.id : `${pathPrefix}/${task.id}`;
    const label = escapeLabel(task.title ?? task.id);
    const gate = task.approval === 'before' || task.approval === 'after' ? `<br/>approval: ${task.approval}` : '';
    colour(path, name);
    if (typeof task.plan === 'object') {
      lines.push(`${indent}subgraph ${name}["${label}${gate}"]`);
      draw(task.plan.tasks, `${name}_`, path, `${indent}  `, lines, colour);
      lines.push(`${indent}end`);
    } else if (task.goal !== undefined || task.plan !== undefined) {
      const what =
        task.goal !== undefined ? `goal: ${escapeLabel(task.goal)}` : `plan: ${escapeLabel(task.plan ?? '')}`;
      lines.push(`${indent}${name}(["${label}<br/>${what}${gate}"])`);
    } else {
      lines.push(gate ? `${indent}${name}{{"${label}${gate}"}}` : `${indent}${name}["${label}"]`);
    }
  });
  tasks.forEach((task, i) => {
    for (const dep of task.dependsOn ?? []) {
      const from = node.get(dep);
      if (from !== undefined) lines.push(`${indent}${from} --> ${prefix}${i}`);
    }
  });
}

/** Mermaid entity codes for everything that could end or break a quoted label. */
function escapeLabel(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[#"<>&[\](){}|`\\]/g, (char) => `#${char.charCodeAt(0)};`);
}

/** `awaiting-approval` → `awaitingApproval`: a class name Mermaid accepts. */
function className(state: string): string {
  return state.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
