// A verify round's output file, bounded: commands may print without end (a test runner in a loop), and the file
// lives in the artifacts. It keeps the start of the output up to its limit, then of each command its end; and
// of the command running now, the end it gives back to the agent.
import { closeSync, openSync, writeSync } from 'node:fs';
import { OWNER_ONLY_FILE } from '../../files/owner-only.js';

export class BoundedOutput {
  readonly #fd: number;
  #written = 0;
  #dropped = 0;
  #tail = Buffer.alloc(0);

  constructor(
    readonly file: string,
    private readonly limit: number,
    private readonly tailBytes: number,
  ) {
    this.#fd = openSync(file, 'w', OWNER_ONLY_FILE);
  }

  /** A line of baton's own (a command's header, its exit): always written. */
  note(text: string): void {
    writeSync(this.#fd, text);
  }

  /** Starts a command's output: its tail starts empty. */
  begin(): void {
    this.#tail = Buffer.alloc(0);
    this.#dropped = 0;
  }

  /** Output of the running command. */
  write(chunk: Buffer): void {
    const room = Math.max(0, this.limit - this.#written);
    if (room > 0) {
      const kept = chunk.subarray(0, room);
      writeSync(this.#fd, kept);
      this.#written += kept.length;
    }
    this.#dropped += chunk.length - Math.min(room, chunk.length);
    const joined = Buffer.concat([this.#tail, chunk]);
    this.#tail = joined.subarray(Math.max(0, joined.length - this.tailBytes));
  }

  /** Ends a command's output; returns its end (what the agent is shown). Left-out output is said, then its end. */
  end(): string {
    if (this.#dropped > 0) {
      const shown = Math.min(this.#dropped, this.#tail.length);
      this.note(`\n[… output past ${this.limit} bytes left out; its last ${shown} bytes follow …]\n`);
      writeSync(this.#fd, this.#tail.subarray(this.#tail.length - shown));
    }
    return this.#tail.toString('utf8');
  }

  close(): void {
    closeSync(this.#fd);
  }
}
