// Ends a process and everything it started. A process-group kill is not enough: claude's Bash tool
// starts commands in their own session (setsid), so they are found by walking parent pids instead.
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';

/** A process as seen at one moment; the start time tells a live process from a later one reusing its pid. */
export interface ProcessRef {
  pid: number;
  ppid: number;
  startTime: string;
  /** proc(5)'s state letter ('Z': exited, not yet reaped); absent where unknown. */
  state?: string;
}

/** Every process on the machine (Linux: /proc; elsewhere: ps, without start times). */
export async function listProcesses(): Promise<Map<number, ProcessRef>> {
  const table = new Map<number, ProcessRef>();
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return listWithPs();
  }
  await Promise.all(
    entries
      .filter((name) => /^\d+$/.test(name))
      .map(async (name) => {
        const ref = await readStat(Number(name));
        if (ref) table.set(ref.pid, ref);
      }),
  );
  return table;
}

async function readStat(pid: number): Promise<ProcessRef | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After comm: [0] state, [1] ppid, …, [19] starttime (field 22 of proc(5)).
    return { pid, ppid: Number(fields[1]), startTime: fields[19] ?? '', state: fields[0] ?? '' };
  } catch {
    return undefined; // exited while we looked
  }
}

async function listWithPs(): Promise<Map<number, ProcessRef>> {
  const table = new Map<number, ProcessRef>();
  const { stdout } = await execa('ps', ['-A', '-o', 'pid=,ppid='], { reject: false });
  for (const line of stdout.split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (pid !== undefined && ppid !== undefined && Number.isInteger(pid)) table.set(pid, { pid, ppid, startTime: '' });
  }
  return table;
}

/** The roots and all their descendants, from one snapshot of the process table. */
export function descendants(table: Map<number, ProcessRef>, roots: number[]): ProcessRef[] {
  const children = new Map<number, ProcessRef[]>();
  for (const ref of table.values()) {
    const list = children.get(ref.ppid) ?? [];
    list.push(ref);
    children.set(ref.ppid, list);
  }
  const found = new Map<number, ProcessRef>();
  const queue = roots.flatMap((pid) => table.get(pid) ?? []);
  for (let ref = queue.shift(); ref; ref = queue.shift()) {
    if (found.has(ref.pid)) continue;
    found.set(ref.pid, ref);
    queue.push(...(children.get(ref.pid) ?? []));
  }
  return [...found.values()];
}

export interface KillTreeOptions {
  /** Resolves when the root process has exited (and been reaped). */
  exited: Promise<unknown>;
  /** How long SIGINT gets before SIGKILL. */
  graceMs?: number;
}

/**
 * SIGINT the root and all its descendants, wait up to `graceMs` for the root to exit, then SIGKILL whatever
 * is left of the tree — including descendants orphaned meanwhile, remembered from the first snapshot.
 */
export async function killTree(rootPid: number, { exited, graceMs = 2000 }: KillTreeOptions): Promise<void> {
  const known = new Map<number, ProcessRef>();
  const remember = (refs: ProcessRef[]) => refs.forEach((ref) => known.set(ref.pid, ref));

  remember(descendants(await listProcesses(), [rootPid]));
  for (const ref of known.values()) signal(ref.pid, 'SIGINT');
  await Promise.race([exited, sleep(graceMs)]);

  // Whatever of the tree is still alive (same pid *and* start time), and anything it started since.
  const table = await listProcesses();
  const alive = [...known.values()].filter((ref) => table.get(ref.pid)?.startTime === ref.startTime).map((r) => r.pid);
  remember(descendants(table, alive));
  for (const ref of known.values()) {
    if (table.get(ref.pid)?.startTime === ref.startTime) signal(ref.pid, 'SIGKILL'); // else gone, or pid reused
  }
  await exited;
  // A SIGKILLed process dies asynchronously: callers (and the next attempt) must not find the tree still there.
  await untilGone([...known.values()], KILL_SETTLE_MS);
}

/** How long killTree waits for SIGKILLed processes to be gone before it returns anyway. */
const KILL_SETTLE_MS = 2000;

async function untilGone(refs: ProcessRef[], limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const table = await listProcesses();
    const living = refs.some((ref) => {
      const now = table.get(ref.pid);
      return now !== undefined && now.startTime === ref.startTime && now.state !== 'Z';
    });
    if (!living || Date.now() >= deadline) return;
    await sleep(20);
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // ESRCH: already gone
  }
}
