// A task's `expectedOutputs` (DESIGN §2): checked after its agent ends; one missing fails the attempt.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { RunAgentInput } from '../contract/agent.js';

/** The expected outputs that do not exist, as absolute paths. */
export async function missingOutputs(input: Pick<RunAgentInput, 'cwd' | 'task'>): Promise<string[]> {
  const checks = input.task.expectedOutputs.map(async (output) => {
    const absolute = path.resolve(input.cwd, output);
    try {
      await access(absolute, constants.F_OK);
      return undefined;
    } catch {
      return absolute;
    }
  });
  return (await Promise.all(checks)).filter((missing): missing is string => missing !== undefined);
}
