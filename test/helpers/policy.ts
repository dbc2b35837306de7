// The worker policy of the tests' in-process workers: agents may work anywhere under the system's temp folder
// (where every test makes its folders) and the repository; bypassPermissions only where a test says so.
import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { WorkerPolicy } from '../../src/policy/worker-policy.js';

export function testPolicy(options: Partial<WorkerPolicy> = {}): WorkerPolicy {
  return {
    allowBypassPermissions: false,
    workspaceRoots: [realpathSync(tmpdir()), realpathSync(process.cwd())],
    agentEnv: [],
    ...options,
  };
}
