// An agent's worktree under `workspace.remote` (DESIGN §12), on the runAgent side: the attempt's worktree is
// this host's — made from the remote's branch and newest checkpoint when the task worked elsewhere before — and
// while the agent works, its files go to the remote as checkpoints: throttled, at most one at a time, only when
// they changed, and once more when the attempt ends (a graceful shutdown included). A SIGKILLed host loses at most
// what its agent wrote since the last one.
import { Context } from '@temporalio/activity';
import type { ActivityDeps } from '../activity-deps.js';
import { checkWorkspaceAllowed } from '../policy-check.js';
import { revParse } from './git.js';
import { WorkspaceError, WorkspaceFailureType } from './failures.js';
import { rebasePath } from './rebase-paths.js';
import { checkpointRef, push, snapshotWorktree, treeOf } from './remote.js';
import { withRepoLock, type LockOptions } from './repo-lock.js';
import { runRepo } from './run-repo.js';
import { mark, readMark, syncTaskWorktree, taskPlace, type TaskPlace } from './shared.js';
import type { RunAgentInput } from '../../contract/agent.js';
import { taskBranch, worktreesDirOf } from './names.js';

/** What of a worker's deps its worktrees need: where they go, and its policy (workspace roots). */
export type WorktreeDeps = Pick<ActivityDeps, 'policy' | 'artifactsDir' | 'worktreesDir'>;

/** What an activity that works in a task's shared worktree says of it (an agent's attempt, a verify round). */
export type SharedWorktreeInput = Pick<RunAgentInput, 'runId' | 'cwd' | 'pathRebase'> & {
  task: { id: string };
  sharedWorktree: NonNullable<RunAgentInput['sharedWorktree']>;
};

/**
 * The agent's input on this host: its worktree made here when it is missing or older than the remote's newest
 * state, and its folders (cwd, the task's paths) moved from the preparing host's worktree onto this host's.
 * A remote that is a folder of this host outside its workspace roots is refused (PolicyRefused, non-retryable)
 * before git is given it: the host that prepared the task may allow folders this one does not.
 */
export async function worktreeHere<I extends SharedWorktreeInput>(
  deps: WorktreeDeps,
  input: I,
  lock: LockOptions = {},
): Promise<{ input: I; place: TaskPlace }> {
  const { remote, path: preparedAt } = input.sharedWorktree;
  checkWorkspaceAllowed(deps, undefined, remote);
  const worktreesDir = worktreesDirOf(deps);
  const repo = await runRepo(worktreesDir, input.runId, preparedAt, remote);
  const place = taskPlace(repo, worktreesDir, { runId: input.runId, taskId: input.task.id });
  await withRepoLock(
    repo.dir,
    async () => {
      await repo.refresh();
      const synced = await syncTaskWorktree(place);
      if (!synced.tip) {
        const branch = taskBranch(input.runId, input.task.id);
        throw new WorkspaceError(WorkspaceFailureType.BranchMissing, `branch ${branch} is not on ${remote}`);
      }
    },
    lock,
  );
  const rules = [{ from: preparedAt, to: place.folder }];
  return {
    place,
    input: {
      ...input,
      cwd: rebasePath(input.cwd, rules),
      pathRebase: input.pathRebase?.map((rule) => ({ from: rule.from, to: rebasePath(rule.to, rules) })),
      sharedWorktree: { remote, path: place.folder },
    },
  };
}

/** Checkpoints of one attempt's worktree. */
export class Checkpoints {
  /** `<tree> <parent>` of the state the remote holds (restored, or last pushed): the same again is not pushed. */
  #kept: string | undefined;
  #lastAt = 0;
  #inFlight: Promise<void> | undefined;
  #failure: Error | undefined;
  #count = 0;

  constructor(
    private readonly place: TaskPlace,
    private readonly intervalMs: number,
    private readonly label: string,
  ) {}

  /** Pushed checkpoints so far. */
  get count(): number {
    return this.#count;
  }

  /** The last checkpoint's failure, if the last one failed. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** Takes a checkpoint if the last is long enough ago and none is under way; returns at once. */
  poke(): void {
    if (this.#inFlight || Date.now() - this.#lastAt < this.intervalMs) return;
    this.#inFlight = this.#take().finally(() => (this.#inFlight = undefined));
  }

  /** Waits for a checkpoint under way, then takes one of what the worktree holds now, if it changed. */
  async flush(): Promise<void> {
    await this.#inFlight;
    await this.#take();
  }

  async #take(): Promise<void> {
    this.#lastAt = Date.now();
    try {
      this.#kept ??= await this.#heldState();
      const { commit, tree } = await snapshotWorktree(this.place.folder, `baton checkpoint: ${this.label}`);
      const parent = await revParse(this.place.folder, `${commit}^`);
      const state = `${tree} ${parent}`;
      if (state === this.#kept) return;
      await push(this.place.clone, this.place.remote, [
        `+${commit}:${checkpointRef(this.place.runId, this.place.taskId)}`,
      ]);
      await mark(this.place.folder, commit);
      this.#kept = state;
      this.#count += 1;
      this.#failure = undefined;
    } catch (err) {
      this.#failure = err as Error;
    }
  }

  /** The state the worktree was made from or last sent: a checkpoint's, or the branch commit's (nothing uncommitted). */
  async #heldState(): Promise<string> {
    const folder = this.place.folder;
    const head = await revParse(folder, 'HEAD');
    const held = await readMark(folder);
    if (!head) throw new Error(`the worktree ${folder} has no HEAD`);
    if (!held || held === head) return `${await treeOf(folder, head)} ${head}`;
    return `${await treeOf(folder, held)} ${await revParse(folder, `${held}^`)}`;
  }
}

/**
 * Runs an agent's attempt (`run`, given its input on this host) in its shared worktree, with checkpoints every
 * `intervalMs` while it runs and one when it ends, however it ends. A checkpoint that fails is said, not fatal:
 * the attempt's own work is still here.
 */
export async function withCheckpoints<T>(
  deps: WorktreeDeps,
  input: RunAgentInput & { sharedWorktree: NonNullable<RunAgentInput['sharedWorktree']> },
  intervalMs: number,
  run: (input: RunAgentInput) => Promise<T>,
): Promise<T> {
  const ctx = Context.current();
  const beat = setInterval(() => ctx.heartbeat(), 1000);
  let here: { input: RunAgentInput; place: TaskPlace };
  try {
    here = await worktreeHere(deps, input, { onWait: () => ctx.heartbeat(), signal: ctx.cancellationSignal });
  } finally {
    clearInterval(beat);
  }
  const label = `${input.runId} ${input.task.id} attempt ${ctx.info.attempt}`;
  const checkpoints = new Checkpoints(here.place, intervalMs, label);
  const timer = setInterval(() => checkpoints.poke(), Math.max(100, Math.floor(intervalMs / 2)));
  try {
    return await run(here.input);
  } finally {
    clearInterval(timer);
    // An attempt Temporal gave up on (timed out, or no longer known: a newer attempt has the task, maybe on
    // another host) sends nothing more: its checkpoint would overwrite the newer attempt's, or outlive the task.
    const gone =
      ctx.cancellationSignal.aborted && (ctx.cancellationDetails?.timedOut || ctx.cancellationDetails?.notFound);
    if (gone) ctx.log.info('no last checkpoint: this attempt timed out, a newer one has the task');
    else await checkpoints.flush();
    if (checkpoints.failure) {
      ctx.log.warn(`the worktree's last checkpoint did not reach ${here.place.remote}: ${checkpoints.failure.message}`);
    }
  }
}
