// The worker's half of the status snapshot (./sink.ts): the workflow hands its status over through the sink;
// this writes it to <artifactsDir>/<runId>/.status.json (./format.ts; whole files only: a temporary file, then a
// rename), with the attempt each of this worker's running agents is in, which the workflow cannot know. Writes
// of one run never overlap; a status that arrives while one is written replaces any that waits. Nothing here
// may disturb a run: a snapshot that cannot be written is skipped (and `baton status` asks the run instead).
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { OWNER_ONLY_DIR, ownerOnlyFile } from '../files/owner-only.js';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, InjectedSinks, Next } from '@temporalio/worker';
import { snapshotPath } from '../activities/artifact-paths.js';
import { AGENT_ACTIVITY, taskIdOfActivity, type Phase } from '../workflows/status.js';
import { snapshotFileText } from './format.js';
import type { StatusSnapshotSinks } from './sink.js';

interface Waiting {
  executionRunId: string;
  json: string;
  phase: Phase;
  publishedAt: number;
}

export class StatusSnapshots {
  readonly #artifactsDir: string;
  /** Per run, the attempt of each task whose agent runs in this worker. */
  readonly #attempts = new Map<string, Map<string, number>>();
  readonly #waiting = new Map<string, Waiting>();
  readonly #writing = new Set<string>();
  readonly #warn: (message: string) => void;
  #warned = false;

  constructor(artifactsDir: string, warn: (message: string) => void) {
    this.#artifactsDir = artifactsDir;
    this.#warn = warn;
  }

  /** `onPhase`: also told each run's phase as it is published (the worker's progress lines). */
  sinks(onPhase?: (runId: string, phase: Phase) => void): InjectedSinks<StatusSnapshotSinks> {
    // callDuringReplay stays false: a replayed status is an old one.
    return {
      statusSnapshot: {
        publish: {
          fn: (info, json, phase) => {
            this.offer(info.workflowId, info.runId, json, phase);
            onPhase?.(info.workflowId, phase);
          },
        },
      },
    };
  }

  /** Records which attempt each agent of this worker is in, for the snapshots of its run. */
  activityInterceptor(): () => { inbound: ActivityInboundCallsInterceptor } {
    const attempts = this.#attempts;
    const inbound: ActivityInboundCallsInterceptor = {
      async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>) {
        const { info } = Context.current();
        const runId = info.workflowExecution?.workflowId;
        if (info.activityType !== AGENT_ACTIVITY || !runId) return await next(input);
        const taskId = taskIdOfActivity(info.activityId);
        const run = attempts.get(runId) ?? new Map<string, number>();
        attempts.set(runId, run.set(taskId, info.attempt));
        try {
          return await next(input);
        } finally {
          run.delete(taskId);
          if (run.size === 0 && attempts.get(runId) === run) attempts.delete(runId);
        }
      },
    };
    return () => ({ inbound });
  }

  offer(runId: string, executionRunId: string, json: string, phase: Phase): void {
    this.#waiting.set(runId, { executionRunId, json, phase, publishedAt: Date.now() });
    if (!this.#writing.has(runId)) void this.#drain(runId);
  }

  async #drain(runId: string): Promise<void> {
    this.#writing.add(runId);
    try {
      for (let next = this.#waiting.get(runId); next; next = this.#waiting.get(runId)) {
        this.#waiting.delete(runId);
        await this.#write(runId, next);
      }
    } finally {
      this.#writing.delete(runId);
    }
  }

  async #write(runId: string, { executionRunId, json, phase, publishedAt }: Waiting): Promise<void> {
    const file = snapshotPath(this.#artifactsDir, runId);
    const laterAttempts: Record<string, number> = {};
    const runningHere: string[] = [];
    for (const [taskId, attempt] of this.#attempts.get(runId) ?? []) {
      runningHere.push(taskId);
      if (attempt > 1) laterAttempts[taskId] = attempt - 1;
    }
    const temporary = `${file}.${process.pid}.tmp`;
    try {
      await mkdir(path.dirname(file), { recursive: true, mode: OWNER_ONLY_DIR });
      const header = { publishedAt, runId, executionRunId, phase, laterAttempts, runningHere };
      await writeFile(temporary, snapshotFileText(header, json), ownerOnlyFile);
      await rename(temporary, file);
    } catch (err) {
      if (!this.#warned) this.#warn(`cannot write the status snapshot ${file} (${String(err)}); status will query`);
      this.#warned = true;
    }
  }
}
