// A run's own cancellation scope, which the workflow's cancellation reaches through here (DESIGN.md §10).
// Temporal cancels a child run when its parent run closes (the parent close policy is request-cancel), and a parent
// closes its run when it continues as new — which must not end the children it hands on to its next run. So a
// parent that continues as new tells its running children first (parentContinued, delivered before it closes), and
// the cancellation its close then sends is not passed on: once. Every other cancellation is, at once.
// After one is set aside the child's Temporal cancellation is spent (Temporal records one request per run): from
// then on its parent reaches it with the abort signal, as it does every child it did not start itself.
import { CancellationScope, log, workflowInfo } from '@temporalio/workflow';

export class CancellationGuard {
  /** Where the run's work runs: cancelled only by a cancellation that is passed on. */
  readonly scope: CancellationScope;
  /** The parent run (execution) that said it continues as new, until its close's cancellation arrives. */
  private handedOverBy: string | null = null;

  constructor() {
    // A non-cancellable scope between the workflow's and the run's: the workflow's cancellation stops there.
    const shield = new CancellationScope({ cancellable: false });
    this.scope = new CancellationScope({ cancellable: true, parent: shield });
    void CancellationScope.current().cancelRequested.catch(() => this.cancelRequested());
  }

  /** The parent run that started this one continues as new: its close is not a cancellation. */
  parentContinued(runId: string): void {
    if (runId === workflowInfo().parent?.runId) this.handedOverBy = runId;
  }

  /** Runs `fn` in the run's scope: handlers' work too, so that a set-aside cancellation never reaches it. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.scope.run(fn);
  }

  private cancelRequested(): void {
    if (this.handedOverBy !== null) {
      log.info('the parent run continued as new: its cancellation of this child is set aside', {
        parentRunId: this.handedOverBy,
      });
      this.handedOverBy = null;
      return;
    }
    this.scope.cancel();
  }
}
