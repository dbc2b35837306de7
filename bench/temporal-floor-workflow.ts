// The Temporal floor's workflow (temporal-floor.ts): a plan's tasks in dependency order, at most maxParallel at
// once (dependency-order.ts, as the lower bound), each one activity that stands in for its agent; no state but what
// ordering needs, no status, no interventions.
import { proxyActivities } from '@temporalio/workflow';
import { inDependencyOrder, type OrderedTask } from './dependency-order.js';

export interface FloorActivities {
  /** Stands in for the task's agent; the text of its result. */
  floorAgent(id: string, dependencyResults: Record<string, string>): Promise<string>;
}

const { floorAgent } = proxyActivities<FloorActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { maximumAttempts: 1 },
});

export async function temporalFloor(tasks: OrderedTask[], maxParallel: number): Promise<void> {
  await inDependencyOrder(tasks, maxParallel, (id, dependencyResults) => floorAgent(id, dependencyResults));
}
