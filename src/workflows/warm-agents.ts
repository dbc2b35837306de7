// Warm agents (DESIGN §5, ../contract/warm.ts): when a task's last dependency starts, its worker may start the
// task's claude ahead, so that the agent's first model request follows its dependencies' end at once instead of
// claude's own start (~0.5 s). The workflow decides which task may be warmed and chooses its conversation id then;
// the task's run uses that id, so nothing the agent sees differs from a cold start. Sinks add nothing to history
// and are not called on replay; a warm claude that is never taken is stopped by its worker.
import { patched, proxySinks, uuid4 } from '@temporalio/workflow';
import type { WarmAgentSinks, WarmDependency } from '../contract/warm.js';
import { effectiveTask, isSubPlanTask, type Plan } from '../plan/schema.js';
import type { Scheduler } from './scheduler/index.js';

const { warmAgents } = proxySinks<WarmAgentSinks>();

/** Changes the order of the workflow's random ids (a session id chosen early): new runs only. */
const WARM_AGENT_PATCH = 'baton-warm-agent';

export class WarmAgents {
  /** Tasks warmed and not launched yet: the conversation and generation their run will have. */
  private readonly warmed = new Map<string, { sessionId: string; generation: number }>();
  private index: { plan: Plan; dependents: Map<string, string[]> } | undefined;

  constructor(private readonly runId: string) {}

  /**
   * `started` was launched (its agent, not under worktree isolation): each dependent whose other dependencies are
   * done or running may be warmed.
   */
  dependencyStarted(sched: Scheduler, started: string, cwd: string): void {
    for (const taskId of this.dependentsOf(sched.plan).get(started) ?? []) {
      if (this.warmed.has(taskId) || !warmable(sched, taskId)) continue;
      if (!patched(WARM_AGENT_PATCH)) return;
      const task = effectiveTask(sched.plan, sched.task(taskId));
      const generation = sched.record(taskId).generation + 1;
      const sessionId = uuid4();
      this.warmed.set(taskId, { sessionId, generation });
      warmAgents.warm({
        runId: this.runId,
        taskId,
        generation,
        task: {
          permissionMode: task.permissionMode,
          model: task.model,
          maxTurns: task.maxTurns,
          allowedTools: task.allowedTools,
          agent: task.agent,
        },
        agents: sched.plan.agents,
        cwd,
        sessionId,
        dependencies: task.dependsOn.map((id): WarmDependency => {
          const dep = sched.record(id);
          const done = dep.state === 'succeeded' || dep.state === 'skipped';
          return {
            id,
            generation: dep.generation,
            skipped: dep.state === 'skipped',
            ...(done ? { artifactPath: dep.artifactPath } : {}),
          };
        }),
      });
    }
  }

  /** Each task's dependents, made once per plan: a scan of the plan at every launch is quadratic on a large run. */
  private dependentsOf(plan: Plan): Map<string, string[]> {
    if (this.index?.plan === plan) return this.index.dependents;
    const dependents = new Map<string, string[]>();
    for (const task of plan.tasks) {
      for (const dep of task.dependsOn ?? []) {
        const list = dependents.get(dep);
        if (list) list.push(task.id);
        else dependents.set(dep, [task.id]);
      }
    }
    this.index = { plan, dependents };
    return dependents;
  }

  /** The task starts now: the conversation it was warmed with, if it was (its generation the one foreseen). */
  launched(taskId: string, generation: number): string | undefined {
    const warm = this.warmed.get(taskId);
    if (!warm) return undefined;
    this.warmed.delete(taskId);
    warmAgents.launched(taskId, generation);
    return warm.generation === generation ? warm.sessionId : undefined;
  }

  /** Warmed tasks that can no longer start as warmed (a dependency failed, a person skipped them) are released. */
  sweep(sched: Scheduler): void {
    const gone = [...this.warmed.keys()].filter((taskId) => !['pending', 'ready'].includes(sched.record(taskId).state));
    if (gone.length === 0) return;
    for (const taskId of gone) this.warmed.delete(taskId);
    warmAgents.release(gone);
  }

  /** The run ends, is cancelled or continues as new: no warm claude of it is left. */
  releaseAll(): void {
    if (this.warmed.size === 0) return;
    this.warmed.clear();
    warmAgents.release();
  }
}

/** An agent task not started yet, with nothing that a warm start could not foresee, whose dependencies all run or are done. */
function warmable(sched: Scheduler, taskId: string): boolean {
  const task = sched.task(taskId);
  const record = sched.record(taskId);
  // One that waits for a person's approval first would keep its claude idle meanwhile (approval is the task's own
  // setting, never one of `defaults`).
  if (isSubPlanTask(task) || record.state !== 'pending' || record.question || task.approval === 'before') return false;
  // Asked for each dependent at each dependency's launch (a layer of 20 after a layer of 20: 400 times): the
  // dependencies' states first, the cheap test that mostly says no.
  return task.dependsOn.every((id) => {
    const dep = sched.record(id);
    if (dep.state === 'succeeded' || dep.state === 'skipped') return true;
    // A running sub-plan's result is not an agent's result file: not foreseen.
    return dep.state === 'running' && !isSubPlanTask(sched.task(id));
  });
}
