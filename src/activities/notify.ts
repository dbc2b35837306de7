// The notify activity: runs BATON_NOTIFY_CMD (never through a shell) with the event as JSON on
// stdin when a run starts waiting on a person. Without a command it does nothing.
import { log } from '@temporalio/activity';
import { execa } from 'execa';
import type { WaitingEvent } from '../contract/notify.js';

const NOTIFY_TIMEOUT_MS = 30_000;

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
