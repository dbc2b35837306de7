// The one way baton reads its environment: a zod schema per concern, and a ConfigError that names the variable.
import { z } from 'zod';
import { ExitCode, ExitCodeError } from '../errors/exit-code.js';

/** The environment as given to an entry point (process.env there; a plain object in tests). */
export type Env = NodeJS.ProcessEnv;

/** A setting baton cannot use: bad input (exit 2), and nothing has started. */
export class ConfigError extends ExitCodeError {
  override name = 'ConfigError';
  readonly exitCode = ExitCode.BadInput;
}

/** The variables `schema` describes, checked; a ConfigError naming every wrong one otherwise. */
export function parseEnv<T extends z.ZodType>(schema: T, env: Env): z.output<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw environmentError(parsed.error);
  return parsed.data;
}

/** The ConfigError of a failed parse. Messages name the variable and the rule, never the value (it may be a secret). */
export function environmentError(error: z.ZodError): ConfigError {
  const lines = error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  return new ConfigError(`bad environment: ${lines.join('; ')}`);
}

/** An optional variable where empty counts as unset: Compose passes `NAME:` through as empty when the shell lacks it. */
export const emptyAsUnset = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());
