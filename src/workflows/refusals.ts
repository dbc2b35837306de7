// The signals a run refused (DESIGN.md §4). An update's refusal reaches its caller; a signal's has nobody to
// reach (`temporal workflow signal` prints "succeeded" either way), so the run keeps the last ones in its status
// and the Web UI's details. Bounded in number and size: what a refused payload held is never carried on.
import type { RefusedSignal } from './status.js';

export const MAX_REFUSALS = 20;
/** Characters kept of a refused payload's JSON, and of a refusal's reason. */
const PAYLOAD_CHARS = 200;
const REASON_CHARS = 500;

export class Refusals {
  private readonly entries: RefusedSignal[];

  /** `carried`: the refusals of the run before it continued as new. */
  constructor(carried: readonly RefusedSignal[] = []) {
    this.entries = carried.slice(-MAX_REFUSALS);
  }

  /** Keeps one refusal; the oldest goes once there are MAX_REFUSALS. */
  add(at: string, operation: string, payload: unknown, reason: string): void {
    this.entries.push({
      at,
      operation: trim(operation, 100),
      payload: trim(jsonOf(payload), PAYLOAD_CHARS),
      reason: trim(reason, REASON_CHARS),
    });
    if (this.entries.length > MAX_REFUSALS) this.entries.splice(0, this.entries.length - MAX_REFUSALS);
  }

  list(): RefusedSignal[] {
    return this.entries.map((entry) => ({ ...entry }));
  }
}

function jsonOf(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'undefined';
  } catch {
    return String(value);
  }
}

function trim(text: string, chars: number): string {
  return text.length > chars ? `${text.slice(0, chars)}… (${text.length} characters)` : text;
}
