// The probes of test/security (issue 19): what another local user, or anyone who reaches the Temporal namespace,
// can do to a baton worker. A local user is `nobody` (setpriv drops to it), with the `temporal` CLI everyone on
// the machine has; a run started around baton's CLI gets a plan as complete as the CLI would send.
import { execa } from 'execa';
import type { PlanInput } from '../../src/plan/schema.js';

export const TEMPORAL_CLI = process.env.TEMPORAL_CLI_PATH ?? 'temporal';
const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];

export interface Outcome {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

/** `file args…` as the user nobody, with a bare environment (no HOME of root's, nothing of the runner's). */
export async function asNobody(file: string, args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  const result = await execa('setpriv', [...NOBODY, file, ...args], {
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/tmp', XDG_CONFIG_HOME: '/tmp/nobody-config', ...env },
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    timeout: 60_000,
  });
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}

/** Whether nobody can read `file` (it tries, with cat). */
export async function nobodyCanRead(file: string): Promise<boolean> {
  return (await asNobody('/bin/cat', [file])).exitCode === 0;
}

/** `temporal workflow start` of an orchestrate run, as nobody: the local user of finding 1. */
export async function startAsNobody(address: string, taskQueue: string, workflowId: string, input: unknown) {
  return await asNobody(TEMPORAL_CLI, [
    'workflow',
    'start',
    '--address',
    address,
    '--task-queue',
    taskQueue,
    '--type',
    'orchestrate',
    '--workflow-id',
    workflowId,
    '--input',
    JSON.stringify(input),
  ]);
}

/**
 * A plan as the CLI hands it to Temporal: every default filled in and paths absolute, so that a workflow that
 * trusts its input (as baton's did) runs it as it is.
 */
export function completePlan(name: string, repo: string, tasks: PlanInput['tasks'], rest: Partial<PlanInput> = {}) {
  return {
    version: 1,
    name,
    maxParallel: 4,
    onFailure: 'wait',
    workspace: { repo, isolation: 'none' },
    ...rest,
    tasks: tasks.map((task) => ({
      dependsOn: [],
      priority: 0,
      approval: 'none',
      contextFiles: [],
      expectedOutputs: [],
      ...task,
    })),
  };
}
