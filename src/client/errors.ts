// Typed errors the CLI turns into exit codes (DESIGN.md §6): 2 bad input, 3 Temporal unreachable.

export class BadInputError extends Error {
  override name = 'BadInputError';
}

export class TemporalUnavailableError extends Error {
  override name = 'TemporalUnavailableError';
}

export class NotFoundError extends Error {
  override name = 'NotFoundError';
}
