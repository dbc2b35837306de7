// Keeps an attempt's Claude conversation file in the artifact store while it grows, and once more at the end, so
// that an attempt on another host can continue it (DESIGN §12). Uploads are throttled: at most one at a time, at
// least `intervalMs` apart, longer apart for a large file (about 1 MB/s per agent), and only when the file grew.
// While it grows, only a conversation with a model answer is kept: one without is never continued
// (attempt-session.ts), so an agent that has not answered yet costs a heartbeat nothing here.
import type { ArtifactStore, StoreKey } from '../artifacts/store.js';
import { sessionFilesAnywhere, sizeOf } from './session-store.js';

const BYTES_PER_INTERVAL = 1024 * 1024;

export class ConversationSync {
  #kept = -1;
  #lastAt = 0;
  /** When the other project folders were last looked through for the file (it was not where expected). */
  #lookedAt = 0;
  /** Where the conversation is: where session-store.ts expects it, or where it was found instead. */
  #file: string;
  #inFlight: Promise<void> | undefined;
  #failure: Error | undefined;

  constructor(
    private readonly store: ArtifactStore,
    private readonly key: StoreKey,
    /** Where claude writes the conversation (session-store.ts). */
    file: string,
    private readonly where: { configDir: string; sessionId: string },
    private readonly intervalMs: number,
  ) {
    this.#file = file;
  }

  /** The last upload's failure, if the last upload failed. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /**
   * Uploads the conversation if it grew and the last upload is long enough ago; returns at once. `modelAnswers`:
   * how many the conversation holds by now (earlier attempts' and this one's); none, nothing is uploaded.
   */
  poke(modelAnswers: number): void {
    if (this.#inFlight || modelAnswers === 0) return;
    const wait = this.intervalMs * Math.max(1, this.#kept / BYTES_PER_INTERVAL);
    if (Date.now() - this.#lastAt < wait) return;
    this.#inFlight = this.#upload(false).finally(() => (this.#inFlight = undefined));
  }

  /** Waits for an upload under way, then uploads what the conversation holds now, if it grew. */
  async flush(): Promise<void> {
    await this.#inFlight;
    await this.#upload(true);
  }

  async #upload(last: boolean): Promise<void> {
    let size = await sizeOf(this.#file);
    if (size === undefined) {
      // claude put it elsewhere (a project folder named differently than session-store.ts expects): take it there.
      // Looking through every project folder is not done on every heartbeat: at most once an interval, and at the end.
      if (!last && Date.now() - this.#lookedAt < this.intervalMs) return;
      this.#lookedAt = Date.now();
      const [found] = await sessionFilesAnywhere(this.where.configDir, this.where.sessionId);
      if (found === undefined) return;
      this.#file = found;
      size = (await sizeOf(found)) ?? 0;
    }
    if (size === this.#kept) return;
    this.#lastAt = Date.now();
    try {
      await this.store.keepFile(this.key, this.#file);
      this.#kept = size;
      this.#failure = undefined;
    } catch (err) {
      this.#failure = err as Error;
    }
  }
}
