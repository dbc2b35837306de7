// Whether claude can start at all, checked before an attempt prepares anything: a missing folder or binary is a
// failure no retry can help, and once spawned both would be the same ENOENT.
// Synchronous on purpose: when a layer of tasks becomes ready, tens of attempts start at once, and each awaited
// call would wait its turn in libuv's small thread pool, for syscalls of microseconds.
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { FailureType } from '../contract/failures.js';
import { failure, notRunnable, type Classification } from './classify.js';

/** Why claude cannot start in `cwd` (named `folder` in the message), or undefined when it can. */
export function cannotStart(claudeBin: string, cwd: string, folder: string): Classification | undefined {
  if (!(statSync(cwd, { throwIfNoEntry: false })?.isDirectory() ?? false)) {
    return failure(
      FailureType.AgentBadArguments,
      `${folder} ${cwd} does not exist or is not a folder; retrying cannot help`,
    );
  }
  const missingBin = checkExplicitPath(claudeBin);
  return missingBin ? notRunnable(claudeBin, missingBin) : undefined;
}

/** Configured claude paths found runnable: checked once per worker, not once per attempt. */
const runnableBins = new Set<string>();

/** For a configured path (not a bare name looked up on PATH): ENOENT or EACCES when it cannot be run. */
function checkExplicitPath(bin: string): 'ENOENT' | 'EACCES' | undefined {
  if (!bin.includes(path.sep) || runnableBins.has(bin)) return undefined;
  const found = statSync(bin, { throwIfNoEntry: false });
  if (!found) return 'ENOENT';
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    return 'EACCES';
  }
  if (!found.isFile()) return 'EACCES';
  runnableBins.add(bin);
  return undefined;
}
