// Follows a file another process writes, chunk by chunk, as text. claude gets its stdout as a file rather
// than a pipe: measured on 2.1.197, writing a multi-megabyte result line to a pipe, it exits before the
// pipe has taken it all and the line is cut off (to a file it is written whole).
import { watch, type FSWatcher } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

/** How often a growing transcript is read (turns and tools for the heartbeat). */
export const FOLLOW_INTERVAL_MS = 200;
/** One read's worth: a buffer each tail keeps (a fresh megabyte per poll of every running agent was garbage). */
const CHUNK_BYTES = 64 * 1024;
const TAIL_BYTES = 16 * 1024;

export class FileTail {
  #handle: FileHandle | undefined;
  #position = 0;
  #decoder = new StringDecoder('utf8');
  #buffer: Buffer | undefined;
  #reading: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #watcher: FSWatcher | undefined;
  #queued = false;

  constructor(
    private readonly file: string,
    private readonly onText: (text: string) => void,
  ) {}

  /**
   * Read what is new every `intervalMs`; with `onChange`, also as soon as the file changes (a live agent's input
   * is closed when its result line comes: waiting for the next poll would keep claude waiting too).
   */
  follow(intervalMs: number, onChange = false): void {
    this.#timer = setInterval(() => void this.poll(), intervalMs);
    if (!onChange) return;
    try {
      this.#watcher = watch(this.file, () => void this.poll());
      this.#watcher.on('error', () => this.#unwatch());
    } catch {
      // No file watching here: the interval reads it.
    }
  }

  #unwatch(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  /** Read what was written since the last read (one read at a time). */
  poll(): Promise<void> {
    // A read that has not started yet will read this change too.
    if (this.#queued) return this.#reading;
    this.#queued = true;
    this.#reading = this.#reading
      .then(() => {
        this.#queued = false;
        return this.#readNew();
      })
      .catch(() => undefined);
    return this.#reading;
  }

  /** Read everything up to the end of the file, then stop following it. */
  async finish(): Promise<void> {
    clearInterval(this.#timer);
    this.#unwatch();
    await this.poll();
    const rest = this.#decoder.end();
    if (rest) this.onText(rest);
    await this.#handle?.close();
    this.#handle = undefined;
    this.#buffer = undefined;
  }

  async #readNew(): Promise<void> {
    this.#handle ??= await open(this.file, 'r');
    const buffer = (this.#buffer ??= Buffer.allocUnsafe(CHUNK_BYTES));
    for (;;) {
      const { bytesRead } = await this.#handle.read(buffer, 0, CHUNK_BYTES, this.#position);
      if (bytesRead === 0) return;
      this.#position += bytesRead;
      const text = this.#decoder.write(buffer.subarray(0, bytesRead));
      if (text) this.onText(text);
    }
  }
}

/** The last `count` non-empty lines of a file (claude's stderr), from its last 16 KB; none when it cannot be read. */
export async function lastLines(file: string, count: number): Promise<string[]> {
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, TAIL_BYTES);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      return buffer
        .toString('utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .slice(-count);
    } finally {
      await handle.close();
    }
  } catch {
    return [];
  }
}
