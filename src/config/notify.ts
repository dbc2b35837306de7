// BATON_NOTIFY_CMD: run when a run starts waiting on a person (running it is src/activities/notify.ts's work).
import { z } from 'zod';
import { ConfigError, parseEnv, type Env } from './env.js';

const NotifyEnvSchema = z.object({ BATON_NOTIFY_CMD: z.string().optional() });

/** BATON_NOTIFY_CMD as argv: a JSON array (`["notify-send","baton"]`) or words split on spaces; unset or blank: none. */
export function loadNotifyCommand(env: Env): string[] | undefined {
  const value = parseEnv(NotifyEnvSchema, env).BATON_NOTIFY_CMD;
  if (!value?.trim()) return undefined;
  if (value.trim().startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new ConfigError('BATON_NOTIFY_CMD starts with "[" but is not a JSON array of strings');
    }
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((a) => typeof a === 'string' && a)) {
      throw new ConfigError('BATON_NOTIFY_CMD must be a non-empty JSON array of strings, e.g. ["notify-send","baton"]');
    }
    return parsed as string[];
  }
  return value.trim().split(/\s+/);
}
