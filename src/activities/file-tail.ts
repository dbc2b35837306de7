// Follows a file another process writes, chunk by chunk, as text. claude gets its stdout as a file rather
// than a pipe: measured on 2.1.197, writing a multi-megabyte result line to a pipe, it exits before the
// pipe has taken it all and the line is cut off (to a file it is written whole). The file is local and read as it
// grows, a few times per agent at least: synchronously, as a read through Node's thread pool costs ~35 µs of CPU
// against ~2 (measured on Node 20), for every agent a worker runs (issue 22).
import { closeSync, openSync, readSync, watch, type FSWatcher } from 'node:fs';
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

/** How often a growing transcript is read (turns and tools for the heartbeat). */
export const FOLLOW_INTERVAL_MS = 200;
/** One read's worth: a buffer each tail keeps (a fresh megabyte per poll of every running agent was garbage). */
const CHUNK_BYTES = 64 * 1024;
const TAIL_BYTES = 16 * 1024;

export class FileTail {
  #fd: number | undefined;
  #position = 0;
  #decoder = new StringDecoder('utf8');
  #buffer: Buffer | undefined;
  #timer: NodeJS.Timeout | undefined;
  #watcher: FSWatcher | undefined;

  constructor(
    private readonly file: string,
    private readonly onText: (text: string) => void,
  ) {}

  /**
   * Read what is new every `intervalMs`; with `onChange`, also as soon as the file changes (a live agent's input
   * is closed when its result line comes: waiting for the next poll would keep claude waiting too).
   */
  follow(intervalMs: number, onChange = false): void {
    this.#timer = setInterval(() => this.poll(), intervalMs);
    if (!onChange) return;
    try {
      this.#watcher = watch(this.file, () => this.poll());
      this.#watcher.on('error', () => this.#unwatch());
    } catch {
      // No file watching here: the interval reads it.
    }
  }

  #unwatch(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  /** Read what was written since the last read. */
  poll(): void {
    this.#readNew(false);
  }

  /** Read everything up to the end of the file, then stop following it. */
  async finish(): Promise<void> {
    clearInterval(this.#timer);
    this.#unwatch();
    this.#readNew(true);
    const rest = this.#decoder.end();
    if (rest) this.onText(rest);
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    this.#buffer = undefined;
  }

  /**
   * Reads on from the last position; a poll stops at a short read (the end of what was written then: the next
   * change or interval reads on), the last read goes on to the end. A file that cannot be read is tried again later.
   */
  #readNew(toTheEnd: boolean): void {
    try {
      this.#fd ??= openSync(this.file, 'r');
      const buffer = (this.#buffer ??= Buffer.allocUnsafe(CHUNK_BYTES));
      for (;;) {
        const bytesRead = readSync(this.#fd, buffer, 0, CHUNK_BYTES, this.#position);
        if (bytesRead === 0) return;
        this.#position += bytesRead;
        const text = this.#decoder.write(buffer.subarray(0, bytesRead));
        if (text) this.onText(text);
        if (bytesRead < CHUNK_BYTES && !toTheEnd) return;
      }
    } catch {
      // Not there yet, or gone: the next poll, or the last read, tries again.
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
