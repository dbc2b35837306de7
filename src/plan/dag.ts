// Dependency-graph checks and queries over a plan's tasks.
// Pure and free of Node builtins: the orchestrate workflow bundles this file into its sandbox.
// Everything is iterative and O(V + E), so plans of many thousands of tasks (or very long
// chains) neither stall nor overflow the stack.
import type { PlanIssue } from './errors.js';
import { didYouMean } from './suggest.js';

/** The part of a task the graph needs. */
export interface DagTask {
  id: string;
  dependsOn?: readonly string[];
}

/** Ids of the tasks, in plan order, with the index of the first task holding each id. */
function indexIds(tasks: readonly DagTask[]): Map<string, number> {
  const index = new Map<string, number>();
  tasks.forEach((task, i) => {
    if (task.id !== '' && !index.has(task.id)) index.set(task.id, i);
  });
  return index;
}

/**
 * Edges in the direction work flows: `next[i]` lists the (first-occurrence) indices of the tasks
 * that depend on task `i`. Later tasks with a duplicate id, self-dependencies and unknown
 * dependencies are left out (checkDag reports them).
 */
function flowEdges(tasks: readonly DagTask[], index: ReadonlyMap<string, number>): number[][] {
  const next = tasks.map((): number[] => []);
  tasks.forEach((task, i) => {
    if (index.get(task.id) !== i) return;
    const seen = new Set<string>();
    for (const dep of task.dependsOn ?? []) {
      const from = index.get(dep);
      if (from === undefined || from === i || seen.has(dep)) continue;
      seen.add(dep);
      next[from]?.push(i);
    }
  });
  return next;
}

/**
 * Every problem with the dependency graph: duplicate ids, unknown dependencies, self-dependencies
 * and cycles (one cycle per strongly connected group of tasks, named in the order work would flow,
 * `a → b → c → a`, starting from the task that comes first in the plan). Empty ids and empty
 * dependencies are skipped: the loader passes them for values of the wrong type, which the schema reports. Paths are `tasks[i].…` by position in `tasks`.
 */
export function checkDag(tasks: readonly DagTask[]): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const index = indexIds(tasks);

  tasks.forEach((task, i) => {
    const first = index.get(task.id);
    if (first !== undefined && first !== i) {
      issues.push({ path: `tasks[${i}].id`, message: `duplicate task id "${task.id}" (also used by tasks[${first}])` });
    }
  });

  tasks.forEach((task, i) => {
    if (task.id === '') return;
    (task.dependsOn ?? []).forEach((dep, j) => {
      if (dep === '') return;
      const path = `tasks[${i}].dependsOn[${j}]`;
      if (dep === task.id) {
        issues.push({ path, message: `task "${task.id}" depends on itself` });
      } else if (!index.has(dep)) {
        const hint = didYouMean(dep, index.keys());
        issues.push({ path, message: `task "${task.id}" depends on "${dep}", but no task has that id${hint}` });
      }
    });
  });

  for (const cycle of findCycles(tasks, index)) {
    const start = cycle[0] ?? 0;
    const last = cycle[cycle.length - 1] ?? start;
    const startTask = tasks[start];
    const lastId = tasks[last]?.id ?? '';
    const j = startTask?.dependsOn?.indexOf(lastId) ?? -1;
    issues.push({
      path: j >= 0 ? `tasks[${start}].dependsOn[${j}]` : `tasks[${start}]`,
      message: `dependency cycle: ${cycleText(tasks, cycle)} (each task waits for the one before it)`,
    });
  }
  return issues;
}

/** `a → b → c → a`; a long cycle shows its first and last few tasks. */
function cycleText(tasks: readonly DagTask[], cycle: readonly number[]): string {
  const names = cycle.map((i) => tasks[i]?.id ?? '');
  const shown = names.length > 12 ? [...names.slice(0, 6), `… ${names.length - 10} more …`, ...names.slice(-4)] : names;
  return [...shown, names[0]].join(' → ');
}

/** One cycle (as task indices in flow order) per strongly connected component of 2+ tasks. */
function findCycles(tasks: readonly DagTask[], index: ReadonlyMap<string, number>): number[][] {
  const next = flowEdges(tasks, index);
  const cycles: number[][] = [];
  for (const component of stronglyConnectedComponents(next)) {
    if (component.length < 2) continue;
    const members = new Set(component);
    const start = component.reduce((a, b) => Math.min(a, b));
    cycles.push(shortestCycleThrough(start, next, members));
  }
  cycles.sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
  return cycles;
}

/**
 * One dependency cycle among the tasks, in the direction of their dependencies (`a → b`: a depends on b), closed
 * (`a → b → a`); a task that depends on itself is `a → a`. The cycle that starts earliest in the plan, or null.
 */
export function dependencyCycle(tasks: readonly DagTask[]): string[] | null {
  const index = indexIds(tasks);
  const self = tasks.findIndex((task, i) => index.get(task.id) === i && (task.dependsOn ?? []).includes(task.id));
  const [first] = findCycles(tasks, index);
  const cycle = first && (self === -1 || (first[0] ?? 0) < self) ? first : self === -1 ? null : [self];
  if (!cycle) return null;
  // findCycles names cycles in the order work flows: the same start, the rest reversed.
  const ids = [cycle[0] ?? 0, ...cycle.slice(1).reverse()].map((i) => tasks[i]?.id ?? '');
  return [...ids, ids[0] ?? ''];
}

/** Tarjan's algorithm with an explicit stack instead of recursion. */
function stronglyConnectedComponents(next: readonly (readonly number[])[]): number[][] {
  const n = next.length;
  const order = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;

  for (let root = 0; root < n; root++) {
    if (order[root] !== -1) continue;
    const frames: { node: number; edge: number }[] = [{ node: root, edge: 0 }];
    order[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = true;
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as { node: number; edge: number };
      const v = frame.node;
      const edges = next[v] ?? [];
      if (frame.edge < edges.length) {
        const w = edges[frame.edge++] as number;
        if (order[w] === -1) {
          order[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = true;
          frames.push({ node: w, edge: 0 });
        } else if (onStack[w]) {
          low[v] = Math.min(low[v] ?? 0, order[w] ?? 0);
        }
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) low[parent.node] = Math.min(low[parent.node] ?? 0, low[v] ?? 0);
      if (low[v] === order[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop() as number;
          onStack[w] = false;
          component.push(w);
        } while (w !== v);
        components.push(component);
      }
    }
  }
  return components;
}

/** Breadth-first search from `start` back to itself, staying inside one component. */
function shortestCycleThrough(start: number, next: readonly (readonly number[])[], members: Set<number>): number[] {
  const parent = new Map<number, number>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head] as number;
    for (const w of next[v] ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const cycle = [v];
        for (let u = v; u !== start;) {
          u = parent.get(u) as number;
          cycle.push(u);
        }
        return cycle.reverse();
      }
      if (!parent.has(w)) {
        parent.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start]; // unreachable for a real component of 2+ tasks
}

/**
 * Task ids so that every task comes after its dependencies; among tasks that are free at the same
 * time, plan order. Unknown dependencies are ignored. Throws when the graph has a cycle.
 */
export function topologicalOrder(tasks: readonly DagTask[]): string[] {
  return topologicalIndices(tasks).map((i) => tasks[i]?.id ?? '');
}

function topologicalIndices(tasks: readonly DagTask[]): number[] {
  const index = indexIds(tasks);
  const next = flowEdges(tasks, index);
  const waiting = new Array<number>(tasks.length).fill(0);
  for (const targets of next) for (const w of targets) waiting[w] = (waiting[w] ?? 0) + 1;
  const queue: number[] = [];
  tasks.forEach((task, i) => {
    if (index.get(task.id) === i && waiting[i] === 0) queue.push(i);
  });
  for (let head = 0; head < queue.length; head++) {
    for (const w of next[queue[head] as number] ?? []) {
      waiting[w] = (waiting[w] ?? 0) - 1;
      if (waiting[w] === 0) queue.push(w);
    }
  }
  const selfLoop = tasks.find((task) => task.dependsOn?.includes(task.id));
  if (selfLoop) throw new Error(`dependency cycle: task "${selfLoop.id}" depends on itself`);
  if (queue.length < index.size) {
    throw new Error(`dependency cycle: ${cycleText(tasks, findCycles(tasks, index)[0] ?? [])}`);
  }
  return queue;
}

/** For every task id, the ids of the tasks that depend on it directly (in plan order). */
export function dependentsOf(tasks: readonly DagTask[]): Map<string, string[]> {
  const index = indexIds(tasks);
  const next = flowEdges(tasks, index);
  const dependents = new Map<string, string[]>();
  for (const [id, i] of index)
    dependents.set(
      id,
      (next[i] ?? []).map((w) => tasks[w]?.id ?? ''),
    );
  return dependents;
}

/**
 * Every task that depends on `id` directly or through other tasks (nearest first), without `id`
 * itself. Takes the tasks, or the map from `dependentsOf` when asking many times.
 */
export function transitiveDependents(
  tasksOrDependents: readonly DagTask[] | ReadonlyMap<string, readonly string[]>,
  id: string,
): string[] {
  const dependents = isDependentsMap(tasksOrDependents) ? tasksOrDependents : dependentsOf(tasksOrDependents);
  const seen = new Set<string>([id]);
  const found: string[] = [];
  for (let head = -1; head < found.length; head++) {
    const current = head < 0 ? id : (found[head] as string);
    for (const dependent of dependents.get(current) ?? []) {
      if (seen.has(dependent)) continue;
      seen.add(dependent);
      found.push(dependent);
    }
  }
  return found;
}

function isDependentsMap(
  value: readonly DagTask[] | ReadonlyMap<string, readonly string[]>,
): value is ReadonlyMap<string, readonly string[]> {
  return !Array.isArray(value);
}

/**
 * The chain of tasks (ids, first to last) whose summed weight is largest: the run can finish no
 * sooner than this chain. `weight` defaults to 1 per task (longest chain by count); among equal
 * chains, the one ending first in the plan wins, then the dependency listed first. Throws when the graph has a cycle.
 */
export function criticalPath<T extends DagTask>(tasks: readonly T[], weight: (task: T) => number = () => 1): string[] {
  const index = indexIds(tasks);
  const total = new Array<number>(tasks.length).fill(0);
  const previous = new Array<number>(tasks.length).fill(-1);
  let end = -1;
  for (const i of topologicalIndices(tasks)) {
    const task = tasks[i] as T;
    let best = 0;
    for (const dep of task.dependsOn ?? []) {
      const d = index.get(dep);
      if (d === undefined || d === i) continue;
      if (previous[i] === -1 || (total[d] ?? 0) > best) {
        best = total[d] ?? 0;
        previous[i] = d;
      }
    }
    total[i] = best + weight(task);
    const longer = (total[i] ?? 0) - (total[end] ?? 0);
    if (end === -1 || longer > 0 || (longer === 0 && i < end)) end = i;
  }
  const chain: string[] = [];
  for (let i = end; i !== -1; i = previous[i] ?? -1) chain.push(tasks[i]?.id ?? '');
  return chain.reverse();
}
