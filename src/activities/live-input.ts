// An agent's live input (DESIGN §11): claude runs with `--input-format stream-json`, its stdin held open, and reads
// user messages as JSON lines — the prompt first, then a person's guidance while it works. What claude 2.1.197 does
// with a message (docs/GUIDANCE.md has the measurements):
// - written while a model request or a tool runs: it goes with the next request of the same turn, after the tool
//   results ("The user sent a new message while you were working: …");
// - written once the model gives its final answer: claude ends that turn (a result line), then answers the message
//   as a new turn of the same conversation (a second result line) — also when its stdin is closed in between;
// - with `--replay-user-messages` it echoes each message on stdout (`"isReplay": true`) once it has passed it on.
// So stdin is closed at the first result line: what was written by then reaches the model, what comes later waits
// for the next round or attempt. A message counts as delivered when claude echoes it.
import type { StdinPipe } from './launcher/spawn-direct.js';

/** A person's note for a running agent (the workflow numbers a task's notes). */
export interface LiveNote {
  seq: number;
  message: string;
}

/** Where notes for a running agent come from, and where their delivery is told (run-agent's guidance channel). */
export interface LiveChannel {
  /**
   * Calls `notes` with the notes not yet delivered, at once when the channel knows them and again each time it
   * looks (a note seen again is written once per attempt); returns what stops it.
   */
  watch(notes: (pending: LiveNote[]) => void): () => void;
  /** Notes claude passed on to the model. */
  delivered(notes: LiveNote[]): void;
}

/** One user message of claude's stream-json input, as a line. */
export function userMessageLine(content: string): string {
  return JSON.stringify({ type: 'user', message: { role: 'user', content } }) + '\n';
}

/** What the agent reads of a person's note. */
export function guidanceText(message: string): string {
  return `Guidance from a person watching this run:\n\n${message}`;
}

export class LiveInput {
  readonly #stdin: StdinPipe;
  readonly #channel: LiveChannel | undefined;
  /** Notes written and not yet echoed, in the order written, with the text claude will echo. */
  readonly #written: { note: LiveNote; text: string }[] = [];
  readonly #delivered: LiveNote[] = [];
  #unwatch: (() => void) | undefined;
  #closed = false;

  constructor(stdin: StdinPipe, channel: LiveChannel | undefined) {
    this.#stdin = stdin;
    this.#channel = channel;
  }

  /**
   * Writes the prompt (null: it went with the launch, as `userMessageLine`), then the channel's notes as it finds
   * them.
   */
  start(prompt: string | null): void {
    if (prompt !== null) this.#stdin.write(userMessageLine(prompt));
    if (!this.#channel || this.#closed) return;
    const unwatch = this.#channel.watch((notes) => this.#write(notes));
    if (this.#closed) unwatch();
    else this.#unwatch = unwatch;
  }

  /** Every event of claude's stream-json output, as it is read. */
  onEvent(event: Record<string, unknown>): void {
    if (event.type === 'result') this.close();
    if (event.type !== 'user' || event.isReplay !== true) return;
    const message = event.message;
    const content = typeof message === 'object' && message !== null ? (message as { content?: unknown }).content : '';
    const index = this.#written.findIndex((entry) => entry.text === content);
    const note = this.#written[index]?.note;
    if (!note) return;
    this.#written.splice(index, 1);
    this.#delivered.push(note);
    this.#channel?.delivered([note]);
  }

  /** Ends the input: claude finishes the turn it is in (and one for a message it already read), then exits. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unwatch?.();
    this.#stdin.end();
  }

  /** Notes claude passed on to the model in this attempt. */
  get delivered(): readonly LiveNote[] {
    return this.#delivered;
  }

  #write(notes: LiveNote[]): void {
    for (const note of notes) {
      if (this.#closed) return;
      const seen = (entry: LiveNote): boolean => entry.seq === note.seq;
      if (this.#written.some((entry) => seen(entry.note)) || this.#delivered.some(seen)) continue;
      const text = guidanceText(note.message);
      this.#written.push({ note, text });
      this.#stdin.write(userMessageLine(text));
    }
  }
}
