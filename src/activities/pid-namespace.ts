// Runs claude as the first process of its own PID namespace (Linux, util-linux `unshare`): when it dies the
// kernel kills every process in the namespace, `setsid` and double-forked daemons included.
import { execa } from 'execa';

/** The command prefix that starts a process in a new PID namespace. */
export interface PidNamespace {
  command: string;
  args: string[];
  /** The user namespace maps us to root: claude then sees uid 0. */
  mapsRoot: boolean;
}

const CANDIDATES: PidNamespace[] = [
  // --kill-child: if unshare itself is killed, its child (claude, the namespace's init) gets SIGKILL.
  { command: 'unshare', args: ['--pid', '--fork', '--kill-child'], mapsRoot: false },
  // Without root, a user namespace grants the right to create the PID namespace.
  { command: 'unshare', args: ['--user', '--map-root-user', '--pid', '--fork', '--kill-child'], mapsRoot: true },
];

let detected: Promise<PidNamespace | null> | undefined;

/** The first way of creating a PID namespace that works here, or null; probed once per process. */
export function detectPidNamespace(): Promise<PidNamespace | null> {
  detected ??= probe();
  return detected;
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
