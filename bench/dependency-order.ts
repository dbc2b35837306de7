// The least a scheduler can do, shared by the lower bound (in the bench's process) and the Temporal floor's workflow
// (in its sandbox, so nothing here imports a Node module): the tasks in dependency order, at most maxParallel at
// once, ready tasks in plan order (as baton does when priorities are equal), each run once with its dependencies'
// results.

export interface OrderedTask {
  id: string;
  dependsOn: string[];
}

/** Runs every task once its dependencies have; resolves when all have, rejects with the first failure. */
export async function inDependencyOrder(
  tasks: OrderedTask[],
  maxParallel: number,
  run: (id: string, dependencyResults: Record<string, string>) => Promise<string>,
): Promise<void> {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const waitingOn = new Map(tasks.map((t) => [t.id, t.dependsOn.length]));
  const dependents = new Map<string, string[]>();
  for (const t of tasks) for (const d of t.dependsOn) dependents.set(d, [...(dependents.get(d) ?? []), t.id]);
  const results = new Map<string, string>();
  const ready = tasks.filter((t) => t.dependsOn.length === 0).map((t) => t.id);
  let running = 0;
  await new Promise<void>((resolve, reject) => {
    const fill = (): void => {
      while (running < maxParallel && ready.length > 0) {
        const id = ready.shift()!;
        running++;
        const summaries = Object.fromEntries(byId.get(id)!.dependsOn.map((d) => [d, results.get(d) ?? '']));
        run(id, summaries).then((text) => {
          running--;
          results.set(id, text);
          for (const next of dependents.get(id) ?? []) {
            const left = waitingOn.get(next)! - 1;
            waitingOn.set(next, left);
            if (left === 0) ready.push(next);
          }
          if (results.size === tasks.length) resolve();
          else fill();
        }, reject);
      }
    };
    fill();
  });
}
