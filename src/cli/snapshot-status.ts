// `baton status <run>` answered from the status snapshot the run's worker keeps (src/snapshot/reader.ts), in two
// places: `statusCommand` (./commands/status.ts), and before the CLI itself is loaded. ./main.ts runs this module
// alone from a bundle of its own (dist/cli/status-snapshot.cjs, scripts/bundle-cli.js) for the plain forms
// `baton status <run>` and `baton status <run> --json`: on a machine a large run keeps busy, loading the whole CLI
// to print a file was most of what the command cost. So this module and what it imports stay light: no execa, no
// activity SDK, no Temporal client. Anything else, or no fresh snapshot, and the whole CLI runs as always — which
// reads the same snapshot the same way, or asks Temporal.
import { loadConfig, type Config, type Env } from '../config/index.js';
import { readFreshSnapshot } from '../snapshot/reader.js';
import { resolveTarget, runUrl, type Target } from '../client/target.js';
import type { RunStatus } from '../workflows/status.js';
import { statusReport } from './format.js';

export interface StatusOptions {
  runId: string;
  json?: boolean;
}

/**
 * The exit code once the status is printed; undefined when the snapshot cannot answer: there is none at most two
 * seconds old, or (not for --json) a running task's agent does not run in the worker that wrote it — it may wait
 * for a worker (another task queue's, or a free agent slot), which only Temporal knows.
 */
export async function answerFromSnapshot(config: Config, options: StatusOptions): Promise<number | undefined> {
  const snapshot = readFreshSnapshot(config.artifactsDir, options.runId);
  if (!snapshot) return undefined;
  if (options.json) {
    process.stdout.write(`${snapshot.json()}\n`);
    return exitCodeOf(snapshot);
  }
  const status = snapshot.status();
  const here = new Set(snapshot.runningHere ?? []);
  if (status.tasks.some((t) => t.state === 'running' && (t.taskQueue || !here.has(t.id)))) return undefined;
  return printStatus(options, status, await resolveTarget(config, note), []);
}

/**
 * `baton status <run> [--json]` (the arguments after the executable) from a fresh snapshot; undefined for any
 * other command line, any configuration the CLI would refuse, or no fresh snapshot: the whole CLI then decides.
 */
export async function statusFromSnapshot(
  args: string[],
  env: Env = process.env,
  cwd: string = process.cwd(),
): Promise<number | undefined> {
  const options = plainStatusArgs(args);
  if (!options) return undefined;
  let config: Config;
  try {
    config = loadConfig(env, cwd);
  } catch {
    return undefined; // the CLI reports the configuration error its usual way
  }
  return await answerFromSnapshot(config, options);
}

/** `status <run>`, `status <run> --json` or `status --json <run>`; anything else (help, `--`, more words): null. */
export function plainStatusArgs(args: string[]): StatusOptions | null {
  if (args[0] !== 'status' || args.length < 2 || args.length > 3) return null;
  const rest = args.slice(1);
  const json = rest.includes('--json');
  const words = rest.filter((a) => a !== '--json');
  if (words.length !== 1 || rest.length !== (json ? 2 : 1)) return null;
  const runId = words[0]!;
  return runId === '' || runId.startsWith('-') ? null : { runId, json };
}

export function printStatus(
  options: StatusOptions,
  status: RunStatus,
  target: Target | undefined,
  unserved: string[],
): number {
  if (options.json) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
  else {
    const url = target && runUrl(target, status.runId);
    process.stdout.write(`${statusReport(status, url, unserved)}\n`);
  }
  return exitCodeOf(status);
}

/** 0 unless the run failed or was cancelled (a run still going is 0). */
function exitCodeOf(status: Pick<RunStatus, 'phase'>): number {
  return status.phase === 'failed' || status.phase === 'cancelled' ? 1 : 0;
}

function note(message: string): void {
  process.stderr.write(`${message}\n`);
}
