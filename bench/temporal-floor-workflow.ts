// The Temporal floor's workflow (temporal-floor.ts): a plan's tasks in dependency order, at most maxParallel at
// once, each one activity that runs its agent; no state but what ordering needs, no status, no interventions.
import { proxyActivities } from '@temporalio/workflow';

export interface FloorTask {
  id: string;
  dependsOn: string[];
}

export interface FloorActivities {
  /** Runs the task's agent; its result line's text. */
  floorAgent(id: string, dependencyResults: Record<string, string>): Promise<string>;
}

const { floorAgent } = proxyActivities<FloorActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { maximumAttempts: 1 },
});

export async function temporalFloor(tasks: FloorTask[], maxParallel: number): Promise<void> {
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
        floorAgent(id, summaries).then((text) => {
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
