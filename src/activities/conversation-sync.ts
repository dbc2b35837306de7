// Keeps an attempt's Claude conversation file in the artifact store while it grows, and once more at the end, so
// that an attempt on another host can continue it (DESIGN §12). Uploads are throttled: at most one at a time, at
// least `intervalMs` apart, longer apart for a large file (about 1 MB/s per agent), and only when the file grew.
import type { ArtifactStore, StoreKey } from '../artifacts/store.js';
import { sessionFilesAnywhere, sizeOf } from './session-store.js';

const BYTES_PER_INTERVAL = 1024 * 1024;

export class ConversationSync {
  #kept = -1;
  #lastAt = 0;
  #inFlight: Promise<void> | undefined;
  #failure: Error | undefined;

  constructor(
    private readonly store: ArtifactStore,
    private readonly key: StoreKey,
    /** Where claude writes the conversation (session-store.ts). */
    private readonly file: string,
    private readonly where: { configDir: string; sessionId: string },
    private readonly intervalMs: number,
  ) {}

  /** The last upload's failure, if the last upload failed. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** Uploads the conversation if it grew and the last upload is long enough ago; returns at once. */
  poke(): void {
    if (this.#inFlight) return;
    const wait = this.intervalMs * Math.max(1, this.#kept / BYTES_PER_INTERVAL);
    if (Date.now() - this.#lastAt < wait) return;
    this.#inFlight = this.#upload().finally(() => (this.#inFlight = undefined));
  }

  /** Waits for an upload under way, then uploads what the conversation holds now, if it grew. */
  async flush(): Promise<void> {
    await this.#inFlight;
    await this.#upload();
  }

  async #upload(): Promise<void> {
    let file = this.file;
    let size = await sizeOf(file);
    if (size === undefined) {
      // claude put it elsewhere (a project folder named differently than session-store.ts expects): take it there.
      const [found] = await sessionFilesAnywhere(this.where.configDir, this.where.sessionId);
      if (found === undefined) return;
      file = found;
      size = (await sizeOf(found)) ?? 0;
    }
    if (size === this.#kept) return;
    this.#lastAt = Date.now();
    try {
      await this.store.keepFile(this.key, file);
      this.#kept = size;
      this.#failure = undefined;
    } catch (err) {
      this.#failure = err as Error;
    }
  }
}
