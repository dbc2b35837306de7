// Connecting a command to Temporal, with progress for people on stderr.
import type { Config } from '../config/index.js';
import { connectClient, resolveTarget, type Connected } from '../client/connection.js';

export async function openClient(config: Config, log: (message: string) => void = note): Promise<Connected> {
  const target = await resolveTarget(config, log);
  return await connectClient(config, target, log);
}

/** Progress and hints go to stderr, so stdout stays clean for --json and pipes. */
export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}
