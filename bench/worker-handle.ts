// The parent's side of a bench worker process (worker-process.ts, temporal-floor-process.ts): start it, read its peak
// RSS and CPU, stop or SIGKILL it.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WorkerProcessSettings } from './worker-process.js';

export interface WorkerHandle {
  pid: number;
  /** Peak resident memory of the worker process so far (VmHWM), in MB. */
  peakRssMb(): number | null;
  /** CPU time the worker process has used so far (user + system), in seconds. */
  cpuSeconds(): number | null;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

const ENTRY = fileURLToPath(new URL('./worker-process.js', import.meta.url));

export function startWorker(settings: WorkerProcessSettings): Promise<WorkerHandle> {
  return startWorkerProcess(ENTRY, settings);
}

/** Starts a bench worker process (`entry`, its settings as one JSON argument) and waits for its "ready". */
export async function startWorkerProcess(entry: string, settings: object): Promise<WorkerHandle> {
  // BENCH_WORKER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": profile the worker while it runs.
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, entry, JSON.stringify(settings)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('ready\n')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the bench worker exited with code ${code} before it was ready`)));
  });
  const pid = child.pid!;
  return {
    pid,
    peakRssMb: () => {
      try {
        const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
        return kb === undefined ? null : Number(kb) / 1024;
      } catch {
        return null;
      }
    },
    cpuSeconds: () => cpuSeconds(pid),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** CPU time a process has used (user + system, /proc/<pid>/stat), in seconds; null once it is gone. */
export function cpuSeconds(pid: number): number | null {
  return statSeconds(`/proc/${pid}/stat`, 11);
}

/** The CPU seconds of this process's children that have ended and been reaped (cutime + cstime). */
export function reapedChildrenCpuSeconds(): number | null {
  return statSeconds('/proc/self/stat', 13);
}

/** Two adjacent clock-tick fields of a proc(5) stat file, summed, in seconds (utime + stime at 11, cutime + cstime at 13). */
function statSeconds(file: string, first: number): number | null {
  try {
    // The fields after the command name (which may hold spaces, hence from the last ")"), counted from 0.
    const stat = readFileSync(file, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[first]) + Number(fields[first + 1])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/**
 * The CPU seconds a process spends from now until the returned function is called (`read`: its CPU time so far, as
 * cpuSeconds or WorkerHandle.cpuSeconds give it); null where either reading is missing (no pid, a process gone).
 */
export function cpuFromNow(read: () => number | null): () => number | null {
  const before = read();
  return () => {
    const after = read();
    return before !== null && after !== null ? after - before : null;
  };
}

/** Linux's USER_HZ: /proc counts CPU time in hundredths of a second. */
const CLOCK_TICKS = 100;
