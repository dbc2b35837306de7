// Warm agents (DESIGN §5): claudes started ahead of their attempt, with the command line, environment, folder and
// files that attempt will have, stdin a pipe with nothing written yet. claude 2.1.197 started so does nothing until
// its first message (no request, no conversation file); the attempt that takes it writes its prompt there, and
// its first model request follows within ~60 ms instead of claude's own start (~0.5 s). What the workflow may warm
// comes through a sink (../contract/warm.ts); this worker starts it only with room to spare (free agent slots, free
// memory), stops one not taken within its idle limit, and never lets an attempt run beside a warm claude of its
// conversation: one that differs in anything is stopped, and waited for, before the attempt starts its own.
import { mkdirSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { freemem } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import type { InjectedSinks } from '@temporalio/worker';
import type { WarmAgentSinks, WarmAgentSpec } from '../contract/warm.js';
import { OWNER_ONLY_DIR } from '../files/owner-only.js';
import { openUnboundBridge, type UnboundBridge } from './agent-talk/bridge.js';
import { attemptPaths } from './artifact-paths.js';
import { addDirsFor } from './claude-args.js';
import { claudeLaunch, type ClaudeRunnerDeps } from './claude-attempt.js';
import type { ClaudeLaunch, WarmAgent, WarmAgentSource } from './warm-agent.js';
import { cannotStart } from './claude-preflight.js';
import { runningClaudes, spawnClaude, type ClaudeProcess } from './spawn-claude.js';

export type WarmPoolDeps = ClaudeRunnerDeps & { artifactsDir: string; remoteStore: boolean; agentTools?: boolean };

export interface WarmPoolOptions {
  /** Warm claudes at most at once; 0: none. */
  max: number;
  /** The worker's agent slots: running and warm claudes together never exceed them. */
  slots: number;
  /** Free memory a warm start must leave (each claude takes ~150–250 MB). */
  memoryReserveBytes?: number;
  /** A warm claude not taken within this is stopped. */
  idleMs?: number;
  /** Once its task was launched, a warm claude not taken within this is stopped (the task ran on another worker). */
  claimMs?: number;
  /**
   * A warm start waits, at most this long, until no attempt is starting on the worker: a claude's start takes most of
   * a CPU for ~0.5 s, which the attempts starting then (their preparation, their claude's first request) would wait for.
   */
  deferMs?: number;
  /** How long a warm start waits before it looks at the attempts starting (`DEFAULT_SETTLE_MS`). */
  settleMs?: number;
  warn: (message: string) => void;
}

interface Started {
  claude: ClaudeProcess;
  bridge: UnboundBridge | null;
  launch: ClaudeLaunch;
  /** Where it writes until adopted: its own names, so that it never touches an attempt's files. */
  stdoutFile: string;
  stderrFile: string;
}

interface Entry {
  spec: WarmAgentSpec;
  started: Promise<Started | null>;
  timer: NodeJS.Timeout;
  /** Still waiting for the worker's starting attempts (nothing spawned yet); `abandoned`: it never will. */
  deferred: boolean;
  abandoned: boolean;
}

const DEFAULT_MEMORY_RESERVE = 1024 ** 3;
const DEFAULT_IDLE_MS = 5 * 60_000;
const DEFAULT_CLAIM_MS = 10_000;
/** A warm start waits at most this long for the attempts starting on the worker. */
const DEFAULT_DEFER_MS = 2000;
/**
 * How long a warm start waits, at most, before it looks: the workflow task that warms a task usually launches its
 * last dependency too, whose activity reaches this worker (eagerly, with the task's completion) a few milliseconds
 * later. It looks as soon as its running dependencies have begun their attempts here; the whole wait otherwise.
 */
const DEFAULT_SETTLE_MS = 100;

export class WarmPool implements WarmAgentSource {
  readonly #entries = new Map<string, Entry>();
  #closed = false;
  /** Attempts starting on this worker now, and the warm starts waiting for none to be. */
  #starting = 0;
  readonly #quiet = new Set<() => void>();
  /** The tasks whose attempts began here within the last settle period (run and task → when), oldest first. */
  readonly #begun = new Map<string, number>();
  /** Warm starts waiting for their dependencies to begin here. */
  readonly #awaitingBegin = new Set<(key: string) => void>();

  constructor(
    private readonly deps: WarmPoolDeps,
    private readonly options: WarmPoolOptions,
  ) {}

  /** Warm claudes now (started or starting). */
  get size(): number {
    return this.#entries.size;
  }

  warm(spec: WarmAgentSpec): void {
    const key = keyOf(spec.runId, spec.taskId);
    if (this.#closed || this.#entries.has(key) || !this.#hasRoom()) return;
    const timer = setTimeout(() => void this.#stop(key), this.options.idleMs ?? DEFAULT_IDLE_MS);
    timer.unref();
    const entry: Entry = { spec, timer, started: Promise.resolve(null), deferred: true, abandoned: false };
    entry.started = this.#whenQuiet(spec).then(() => {
      entry.deferred = false;
      return entry.abandoned || this.#closed ? null : this.#start(spec);
    });
    this.#entries.set(key, entry);
  }

  starting(ids?: { runId: string; taskId: string }): () => void {
    this.#starting++;
    if (ids) this.#began(keyOf(ids.runId, ids.taskId));
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#starting--;
      if (this.#starting > 0) return;
      for (const go of [...this.#quiet]) go();
    };
  }

  /** How long a warm start waits, at most, before it looks at the attempts starting. */
  get #settleMs(): number {
    return this.options.settleMs ?? DEFAULT_SETTLE_MS;
  }

  #began(key: string): void {
    const now = Date.now();
    const settle = this.#settleMs;
    this.#begun.delete(key);
    this.#begun.set(key, now);
    for (const [old, at] of this.#begun) {
      if (now - at <= settle) break;
      this.#begun.delete(old);
    }
    for (const heard of [...this.#awaitingBegin]) heard(key);
  }

  /**
   * Once every dependency of the task still running has begun an attempt here (the workflow task that warms the task
   * launches them), or after `settleMs` (one runs elsewhere, or began long before).
   */
  #dependenciesBegun(spec: WarmAgentSpec): Promise<void> {
    const settle = this.#settleMs;
    const running = spec.dependencies.filter(
      (dependency) => dependency.artifactPath === undefined && !dependency.skipped,
    );
    const keys = running.map((dependency) => keyOf(spec.runId, dependency.id));
    const allBegun = (): boolean =>
      keys.length > 0 && keys.every((key) => Date.now() - (this.#begun.get(key) ?? -Infinity) <= settle);
    return allBegun() ? Promise.resolve() : heardOrAfter(this.#awaitingBegin, settle, allBegun);
  }

  /** Once no attempt is starting on the worker (or after `deferMs`), looking once its dependencies began (`settleMs`). */
  async #whenQuiet(spec: WarmAgentSpec): Promise<void> {
    await this.#dependenciesBegun(spec);
    if (this.#starting === 0 || this.#closed) return;
    await heardOrAfter(this.#quiet, this.options.deferMs ?? DEFAULT_DEFER_MS);
  }

  launched(runId: string, taskId: string): void {
    const entry = this.#entries.get(keyOf(runId, taskId));
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => void this.#stop(keyOf(runId, taskId)), this.options.claimMs ?? DEFAULT_CLAIM_MS);
    entry.timer.unref();
  }

  /** Stops the run's warm claudes of these tasks (all of the run's when absent). */
  async release(runId: string, taskIds?: readonly string[]): Promise<void> {
    const keys = taskIds
      ? taskIds.map((taskId) => keyOf(runId, taskId))
      : [...this.#entries.keys()].filter((key) => key.startsWith(keyOf(runId, '')));
    await Promise.all(keys.map((key) => this.#stop(key)));
  }

  async claim(ids: { runId: string; taskId: string; generation: number }, sessionId: string | null) {
    const taken = await this.#take(keyOf(ids.runId, ids.taskId));
    if (!taken) return undefined;
    if (taken.spec.generation !== ids.generation || taken.spec.sessionId !== sessionId) {
      await taken.agent.discard();
      return undefined;
    }
    return taken.agent;
  }

  /** The worker stops: every warm claude with it. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const go of [...this.#quiet]) go();
    await Promise.all([...this.#entries.keys()].map((key) => this.#stop(key)));
  }

  /** The worker's side of the sink (not called on replay). */
  sinks(): InjectedSinks<WarmAgentSinks> {
    return {
      warmAgents: {
        warm: { fn: (_info, spec) => this.warm(spec) },
        launched: { fn: (info, taskId) => this.launched(info.workflowId, taskId) },
        // Awaited by the SDK before the workflow task completes: the run's end, or the cancellation a person asked
        // for, is answered only once its warm claudes are gone.
        release: { fn: (info, taskIds) => this.release(info.workflowId, taskIds) },
      },
    };
  }

  #hasRoom(): boolean {
    const { max, slots } = this.options;
    if (this.#entries.size >= max || runningClaudes() >= slots) return false;
    return freemem() >= (this.options.memoryReserveBytes ?? DEFAULT_MEMORY_RESERVE);
  }

  async #stop(key: string): Promise<void> {
    await (await this.#take(key))?.agent.discard();
  }

  /**
   * Takes the task's entry out of the pool: its claude, once started. One not spawned yet (the worker was busy
   * starting attempts) never will be, and is not waited for: the attempt starts its own at once.
   */
  async #take(key: string): Promise<{ agent: WarmAgent; spec: WarmAgentSpec } | undefined> {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    clearTimeout(entry.timer);
    entry.abandoned = true;
    if (entry.deferred) return undefined;
    const started = await entry.started;
    return started ? { agent: warmAgent(started, entry.spec.sessionId), spec: entry.spec } : undefined;
  }

  /** Starts the claude attempt 1 of the task's run would start; null when it cannot (the attempt will). */
  async #start(spec: WarmAgentSpec): Promise<Started | null> {
    const { deps } = this;
    if (cannotStart(deps.claudeBin, spec.cwd, "the task's working directory")) return null;
    const ids = { runId: spec.runId, taskId: spec.taskId, generation: spec.generation };
    const paths = attemptPaths(deps.artifactsDir, { ...ids, attempt: 1 });
    let bridge: UnboundBridge | null = null;
    try {
      mkdirSync(paths.dir, { recursive: true, mode: OWNER_ONLY_DIR });
      bridge = deps.agentTools === false ? null : await openUnboundBridge(this.options.warn);
      // Where runAgent will find its dependencies' results (attempt-files.ts dependencyResults): in a local store
      // the kept file itself, else a copy in the attempt's folder.
      const resultFiles = spec.dependencies
        .filter((dep) => dep.artifactPath !== null && !(dep.skipped && dep.artifactPath === undefined))
        .map((dep) =>
          deps.remoteStore
            ? paths.dependencyResult(dep.id)
            : (dep.artifactPath ??
              attemptPaths(deps.artifactsDir, {
                runId: spec.runId,
                taskId: dep.id,
                generation: dep.generation,
                attempt: 1,
              }).result),
        );
      const launch = await claudeLaunch(
        deps,
        {
          command: {
            task: spec.task,
            agents: spec.agents,
            session: { kind: 'new', sessionId: spec.sessionId },
            addDirs: addDirsFor(spec.cwd, resultFiles),
            ...(bridge ? { mcpConfig: bridge.mcpConfig } : {}),
          },
          cwd: spec.cwd,
          transcriptFile: paths.transcript,
          stderrFile: paths.stderr,
        },
        null,
        true,
      );
      const own = { stdoutFile: `${paths.transcript}.warm`, stderrFile: `${paths.stderr}.warm` };
      const claude = await spawnClaude({ ...launch, ...own, stdinPipe: true, ahead: true });
      return { claude, bridge, launch, ...own };
    } catch (err) {
      await bridge?.close();
      this.options.warn(`could not start task ${spec.taskId}'s agent ahead: ${(err as Error).message}`);
      return null;
    }
  }
}

/** The sink of a worker that starts no claude ahead (`--warm-agents 0`): the workflow's calls do nothing. */
export function noWarmAgents(): InjectedSinks<WarmAgentSinks> {
  const ignore = { fn: () => undefined };
  return { warmAgents: { warm: ignore, launched: ignore, release: ignore } };
}

/** Once a listener added to `listeners` hears something `wanted` accepts, or after `ms`; the listener goes then. */
function heardOrAfter<T>(
  listeners: Set<(heard: T) => void>,
  ms: number,
  wanted: (heard: T) => boolean = () => true,
): Promise<void> {
  return new Promise((resolve) => {
    const listener = (heard: T): void => {
      if (wanted(heard)) go();
    };
    const go = (): void => {
      clearTimeout(timer);
      listeners.delete(listener);
      resolve();
    };
    const timer = setTimeout(go, ms);
    timer.unref();
    listeners.add(listener);
  });
}

function keyOf(runId: string, taskId: string): string {
  return `${runId}\n${taskId}`;
}

function warmAgent(started: Started, sessionId: string): WarmAgent {
  let exited = false;
  void started.claude.exited.then(() => (exited = true));
  let adopted = false;
  return {
    sessionId,
    bridge: started.bridge,
    async adopt(launch) {
      if (!exited && isDeepStrictEqual(launch, started.launch)) {
        try {
          // Renamed, not reopened: claude goes on writing to the same files, now under the attempt's names.
          await rename(started.stdoutFile, launch.stdoutFile);
          await rename(started.stderrFile, launch.stderrFile);
          adopted = true;
          started.claude.taken();
          return started.claude;
        } catch {
          // Its files are gone (a person cleaned the artifacts up): the attempt starts its own claude.
        }
      }
      await this.discard();
      return null;
    },
    async discard() {
      if (adopted) return;
      // It never had a prompt: nothing of its work to let it finish.
      await started.claude.terminate(0);
      await Promise.all([rm(started.stdoutFile, { force: true }), rm(started.stderrFile, { force: true })]);
      if (started.bridge && !started.bridge.bound) await started.bridge.close();
    },
  };
}
