// How a command ends (DESIGN.md §6), carried by the error that ends it: each typed error says its own exit code,
// so src/cli's one error path needs no list of error classes. Pure: safe to import anywhere, workflow code too.

export const ExitCode = { Completed: 0, Failed: 1, BadInput: 2, TemporalUnavailable: 3 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error whose command exits with `exitCode`: 2 bad input (nothing started), 3 Temporal unreachable. */
export abstract class ExitCodeError extends Error {
  abstract readonly exitCode: ExitCode;
}

/** The exit code an error ends a command with: its own, else 1. */
export function exitCodeOf(err: unknown): ExitCode {
  return err instanceof ExitCodeError ? err.exitCode : ExitCode.Failed;
}
