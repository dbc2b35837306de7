// Typed errors of the client's work, each with the exit code it ends a command with (DESIGN.md §6).
import { ExitCode, ExitCodeError } from '../errors/exit-code.js';

/** A request baton refuses as it is (an argument, an id, a state the run is not in): exit 2. */
export class BadInputError extends ExitCodeError {
  override name = 'BadInputError';
  readonly exitCode = ExitCode.BadInput;
}

/** Temporal cannot be reached, or lacks what baton needs: exit 3. */
export class TemporalUnavailableError extends ExitCodeError {
  override name = 'TemporalUnavailableError';
  readonly exitCode = ExitCode.TemporalUnavailable;
}

/** No such run, task or file: exit 2. */
export class NotFoundError extends ExitCodeError {
  override name = 'NotFoundError';
  readonly exitCode = ExitCode.BadInput;
}
