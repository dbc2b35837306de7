// BATON_NOTIFY_CMD, read with the rest of the configuration by every command; running it is ./notify.ts's work.

/** BATON_NOTIFY_CMD: a JSON array of argv (`["notify-send","baton"]`) or words split on spaces. */
export function parseNotifyCommand(value: string | undefined): string[] | undefined {
  if (!value?.trim()) return undefined;
  if (value.trim().startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new Error('BATON_NOTIFY_CMD starts with "[" but is not a JSON array of strings');
    }
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((a) => typeof a === 'string' && a)) {
      throw new Error('BATON_NOTIFY_CMD must be a non-empty JSON array of strings, e.g. ["notify-send","baton"]');
    }
    return parsed as string[];
  }
  return value.trim().split(/\s+/);
}
