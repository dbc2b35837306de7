// Runs claude as the first process of its own PID namespace (Linux, util-linux `unshare`): when it dies the
// kernel kills every process in the namespace, `setsid` and double-forked daemons included; and if the worker
// dies first, the namespace dies with it.
import { execa } from 'execa';

/** The command prefix that starts a process in a new PID namespace. */
export interface PidNamespace {
  command: string;
  args: string[];
  /** The user namespace maps us to root: claude then sees uid 0. */
  mapsRoot: boolean;
}

// --kill-child: if unshare itself is killed, its child (claude, the namespace's init) gets SIGKILL.
const UNSHARE = ['--pid', '--fork', '--kill-child'];
// Without root, a user namespace grants the right to create the PID namespace.
const UNSHARE_AS_USER = ['--user', '--map-root-user', ...UNSHARE];
// `setpriv --pdeathsig KILL` (util-linux) then execs unshare with a parent-death signal: when the worker dies,
// even by SIGKILL, unshare gets SIGKILL, and with it the whole namespace. Without it, a killed worker's
// agents would run on, unseen, beside the attempts that replace them.
const ON_WORKER_DEATH = ['--pdeathsig', 'KILL', 'unshare'];

const CANDIDATES: PidNamespace[] = [
  { command: 'setpriv', args: [...ON_WORKER_DEATH, ...UNSHARE], mapsRoot: false },
  { command: 'setpriv', args: [...ON_WORKER_DEATH, ...UNSHARE_AS_USER], mapsRoot: true },
  { command: 'unshare', args: UNSHARE, mapsRoot: false },
  { command: 'unshare', args: UNSHARE_AS_USER, mapsRoot: true },
];

let detected: Promise<PidNamespace | null> | undefined;

/** The first way of creating a PID namespace that works here, or null; probed once per process. */
export function detectPidNamespace(): Promise<PidNamespace | null> {
  detected ??= probe();
  return detected;
}

/** The PID namespace a worker's agents run in: none when it is told not to use one (`usePidNamespace: false`). */
export function pidNamespaceFor(usePidNamespace: boolean | undefined): Promise<PidNamespace | null> {
  return usePidNamespace === false ? Promise.resolve(null) : detectPidNamespace();
}

async function probe(): Promise<PidNamespace | null> {
  if (process.platform !== 'linux') return null;
  for (const candidate of CANDIDATES) {
    const result = await execa(candidate.command, [...candidate.args, 'true'], {
      reject: false,
      timeout: 5000,
      stdin: 'ignore',
    });
    if (result.exitCode === 0) return candidate;
  }
  return null;
}
