// How a run that ends early ends as Temporal's own **Canceled** (DESIGN.md §9), whichever way it was stopped: a
// person's abort (update or signal), or Temporal's cancellation (the Web UI's "Request Cancellation", `temporal
// workflow cancel`). Either way the workflow throws a CancelledFailure whose details are its final status
// (./endings.ts), and this interceptor makes the command that closes the run a CancelWorkflowExecution carrying
// those details, so `baton result` reads the final status from the cancellation as it reads it from a result:
// - after Temporal's cancellation the SDK closes the run as cancelled, but without details: they are added here;
// - after an abort (no cancellation was requested of Temporal) the SDK would close it as failed: the command is
//   turned into the cancellation it stands for.
// Not a workflow: it is listed in `workflowInterceptorModules` (src/workers/workflow-code.ts).
import { CancelledFailure, defaultPayloadConverter } from '@temporalio/common';
import type {
  ConcludeActivationInput,
  ConcludeActivationOutput,
  Next,
  WorkflowExecuteInput,
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptors,
  WorkflowInternalsInterceptor,
} from '@temporalio/workflow';

type Command = ConcludeActivationInput['commands'][number];
type Payloads = NonNullable<NonNullable<Command['cancelWorkflowExecution']>['details']>;

/** One run's ending: the details of the CancelledFailure its workflow function threw, if it threw one. */
class Ending {
  details: Payloads | undefined;
}

class CatchCancellation implements WorkflowInboundCallsInterceptor {
  constructor(private readonly ending: Ending) {}

  async execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>) {
    try {
      return await next(input);
    } catch (err) {
      if (err instanceof CancelledFailure && err.details.length > 0) {
        // baton configures no payload converter of its own: the default is the one the SDK uses.
        this.ending.details = { payloads: err.details.map((d) => defaultPayloadConverter.toPayload(d)) };
      }
      throw err;
    }
  }
}

class CloseAsCancelled implements WorkflowInternalsInterceptor {
  constructor(private readonly ending: Ending) {}

  concludeActivation(
    input: ConcludeActivationInput,
    next: Next<WorkflowInternalsInterceptor, 'concludeActivation'>,
  ): ConcludeActivationOutput {
    return next({ commands: input.commands.map((c) => this.closing(c)) });
  }

  private closing(command: Command): Command {
    if (command.cancelWorkflowExecution && !command.cancelWorkflowExecution.details && this.ending.details) {
      return { ...command, cancelWorkflowExecution: { details: this.ending.details } };
    }
    const cancelled = command.failWorkflowExecution?.failure?.canceledFailureInfo;
    if (cancelled) return { cancelWorkflowExecution: { details: cancelled.details ?? this.ending.details } };
    return command;
  }
}

export const interceptors = (): WorkflowInterceptors => {
  const ending = new Ending();
  return { inbound: [new CatchCancellation(ending)], internals: [new CloseAsCancelled(ending)] };
};
