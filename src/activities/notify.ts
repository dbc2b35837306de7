// The notify activity: runs BATON_NOTIFY_CMD (never through a shell) with the event as JSON on
// stdin when a run starts waiting on a person. Without a command it does nothing.
import { log } from '@temporalio/activity';
import { execa } from 'execa';
import type { WaitingEvent } from './types.js';

const NOTIFY_TIMEOUT_MS = 30_000;

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

export function createNotifyActivities(command: string[] | undefined) {
  return {
    async notify(event: WaitingEvent): Promise<void> {
      if (!command) return;
      const [file, ...args] = command as [string, ...string[]];
      const result = await execa(file, args, {
        input: `${JSON.stringify(event)}\n`,
        timeout: NOTIFY_TIMEOUT_MS,
        reject: false,
        stdout: 'ignore',
      });
      if (result.failed) {
        // Retrying a notifier that is missing or broken would only repeat the message: report and go on.
        log.warn('BATON_NOTIFY_CMD failed', { command: command.join(' '), error: result.shortMessage });
      }
    },
  };
}
