// Shutting a worker down without losing work (SIGINT/SIGTERM). The first signal stops polling and lets the
// running agents finish within the worker's shutdownGraceTime; then Temporal cancels them (WORKER_SHUTDOWN),
// runAgent kills each claude tree and fails the attempt, and the server hands the task to another worker,
// which resumes the agent's conversation. A second signal does not wait: it kills every agent tree and exits.
//
// The Temporal Runtime has its own handlers for these signals (Runtime.install's shutdownSignals): they call
// worker.shutdown() on the first signal and then remove themselves. These handlers live beside them: they
// start the shutdown only if nothing else has (a Runtime installed with other signals), and they are what
// keeps the second signal from killing the process before the agents are dead.
import type { Worker } from '@temporalio/worker';
import { terminateAllClaudes, workingAgents } from '../activities/spawn-claude.js';

export interface ShutdownOptions {
  worker: Pick<Worker, 'getState' | 'shutdown'>;
  /** The worker's shutdownGraceTime, for the message (ms). */
  graceMs: number;
  /** Where lines for people go (stderr in the CLI). */
  note: (line: string) => void;
  /** How long each agent gets after SIGINT before SIGKILL, on a forced exit (default 500 ms). */
  killGraceMs?: number;
  signals?: NodeJS.Signals[];
  /** How the process ends on a forced exit (default process.exit). */
  exit?: (code: number) => void;
}

export const FORCED_EXIT_CODE = 130;

/** Installs the handlers; returns a function that removes them (call it once the worker has stopped). */
export function handleShutdownSignals(options: ShutdownOptions): () => void {
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let received = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    received++;
    if (received === 1) {
      const agents = workingAgents();
      const seconds = Math.round(options.graceMs / 100) / 10;
      options.note(
        `${signal}: stopping — no new work; ${agents} running agent${agents === 1 ? '' : 's'} may finish within ${seconds}s, then ${agents === 1 ? 'it is' : 'they are'} cancelled and retried elsewhere. ${signal} again to stop at once.`,
      );
      // After the Runtime's own handler, which queues worker.shutdown() as a microtask.
      setImmediate(() => {
        if (options.worker.getState() === 'RUNNING') options.worker.shutdown();
      });
      return;
    }
    if (received === 2) {
      options.note(`${signal} again: killing ${workingAgents()} agent(s) and exiting now`);
      void terminateAllClaudes(options.killGraceMs ?? 500).finally(() => exit(FORCED_EXIT_CODE));
    }
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
