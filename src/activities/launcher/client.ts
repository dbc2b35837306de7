// The worker's side of the launcher (see main.ts for why agents are started from another process). One
// launcher per worker process, started on first use and again if it dies; when it cannot be started at all,
// processes are started from this process as before.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findOnPath } from '../../client/which.js';
import type { ExitInfo, FromLauncher, LaunchRequest, ToLauncher } from './protocol.js';
import { spawnDirect, type Launched, type StdinPipe } from './spawn-direct.js';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
/** A launcher that does not say it is ready within this time is given up on (the worker spawns directly). */
const READY_TIMEOUT_MS = 10_000;

interface Pending {
  started: (pid: number | undefined) => void;
  exited: (exit: ExitInfo) => void;
}

class Launcher {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  readonly ready: Promise<boolean>;
  #alive = true;
  #starting = 0;

  constructor() {
    // Under `setpriv --pdeathsig KILL` the launcher dies with the worker even when the worker is SIGKILLed, and
    // the agents with it (each has the same signal tied to the launcher: see pid-namespace.ts).
    const setpriv = process.platform === 'linux' ? findOnPath('setpriv') : null;
    const [file, args] = setpriv
      ? [setpriv, ['--pdeathsig', 'KILL', process.execPath, MAIN]]
      : [process.execPath, [MAIN]];
    this.#child = spawn(file, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
    this.ready = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS);
      this.#child.once('message', (message: FromLauncher) => {
        clearTimeout(timer);
        resolve(message.op === 'ready');
      });
      this.#child.once('error', () => resolve(false));
      this.#child.once('exit', () => resolve(false));
    });
    this.#child.on('message', (message: FromLauncher) => this.#receive(message));
    this.#child.once('exit', (code, signal) => this.#died(`the launcher process exited (${signal ?? `code ${code}`})`));
    this.#child.once('error', (err) => this.#died(`the launcher process failed: ${err.message}`));
    this.#idle();
  }

  get alive(): boolean {
    return this.#alive;
  }

  /** Launches sent whose process has not started yet: how busy this launcher is. */
  get inFlight(): number {
    return this.#starting;
  }

  launch(request: LaunchRequest): Promise<Launched> {
    const id = this.#nextId++;
    let pid: Promise<number | undefined>;
    const exited = new Promise<ExitInfo>((resolveExit) => {
      pid = new Promise((resolveStarted) => this.#pending.set(id, { started: resolveStarted, exited: resolveExit }));
    });
    if (this.#pending.size === 1) this.#busy();
    this.#starting++;
    this.#child.send({ op: 'launch', id, request } satisfies ToLauncher);
    return pid!.then((started) => {
      this.#starting--;
      return {
        pid: started,
        exited,
        ...(request.stdinPipe && started !== undefined ? { stdin: this.#stdin(id) } : {}),
      };
    });
  }

  /** The stdin of a process this launcher started with `stdinPipe`: written through the launcher. */
  #stdin(id: number): StdinPipe {
    const send = (message: ToLauncher): void => {
      // A dead launcher took its processes with it: nothing left to write to.
      if (this.#alive && this.#child.connected) this.#child.send(message);
    };
    return { write: (text) => send({ op: 'stdin', id, text }), end: () => send({ op: 'stdin-end', id }) };
  }

  #receive(message: FromLauncher): void {
    if (message.op === 'started') this.#pending.get(message.id)?.started(message.pid);
    if (message.op !== 'exited') return;
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    pending.started(undefined); // a process that could not start reports only its exit
    pending.exited(message.exit);
    if (this.#pending.size === 0) this.#idle();
  }

  #died(why: string): void {
    if (!this.#alive) return;
    this.#alive = false;
    // Its agents died with it (parent-death signal): their attempts fail, and Temporal retries them.
    for (const pending of this.#pending.values()) {
      pending.started(undefined);
      pending.exited({ spawnError: { code: 'ELAUNCHER', message: why } });
    }
    this.#pending.clear();
  }

  // An idle launcher must not keep the worker's process alive; one with agents running must keep its channel.
  #idle(): void {
    this.#child.unref();
    this.#child.channel?.unref();
  }

  #busy(): void {
    this.#child.ref();
    this.#child.channel?.ref();
  }
}

/**
 * Launchers of this process. A spawn blocks its launcher (fork, then the exec of the PID namespace wrapper), so a
 * layer of ready tasks queues behind one launcher; two halve the wait, more did not help (docs/BENCHMARKS.md).
 */
const POOL_SIZE = 2;
const pool: (Launcher | undefined)[] = Array.from({ length: POOL_SIZE }, () => undefined);
let unavailable = false;

/** Starts the launchers ahead of the first agent, so that agent does not wait for them. */
export function warmUpLauncher(): void {
  if (unavailable) return;
  for (let i = 0; i < pool.length; i++) pool[i] ??= new Launcher();
}

/** The live launcher with the fewest launches in flight (a dead one is replaced). */
function pick(): Launcher {
  let best: Launcher | undefined;
  for (let i = 0; i < pool.length; i++) {
    let launcher = pool[i];
    if (!launcher?.alive) launcher = pool[i] = new Launcher();
    if (!best || launcher.inFlight < best.inFlight) best = launcher;
  }
  return best!;
}

/** Starts a process from a launcher (or, where a launcher cannot run, from this process). */
export async function launch(request: LaunchRequest): Promise<Launched> {
  if (!unavailable) {
    const launcher = pick();
    if (await launcher.ready) return await launcher.launch(request);
    unavailable = true; // node cannot start a second process of itself here: do without
  }
  return spawnDirect(request);
}
