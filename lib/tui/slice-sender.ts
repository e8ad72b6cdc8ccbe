/**
 * Hands what the user said to the session without blocking the event loop: a short text goes at
 * once; a long one (a large paste) is split into parts of at most MAX_TEXT_BYTES a few at a time,
 * with the loop free between turns, so the socket keeps being read and answered (heartbeats, ACKs)
 * however long the text. Parts keep their order, also across several long texts.
 */
import { splitTextParts } from '../client/split-text.js';
import { MAX_TEXT_BYTES } from '../protocol/constants.js';

/** Longer texts are split here, in turns; shorter ones go to the session whole. */
const SPLIT_HERE_CHARS = 4096;
/** Most time one turn may take. */
const TURN_MS = 8;

export class SliceSender {
  private readonly queue: Array<Iterator<string>> = [];
  /** Characters not yet handed over (estimate of parts: see `queued`). */
  private left = 0;
  private scheduled: NodeJS.Immediate | undefined;

  /**
   * `say` hands one part to the session (false: refused, drop the rest of that text); `progress`
   * is called after each turn.
   */
  constructor(private readonly say: (part: string) => boolean, private readonly progress: () => void) {}

  /** Messages (parts) still to be handed over: at least one per text waiting. */
  get queued(): number {
    return this.queue.length === 0 ? 0 : Math.max(this.queue.length, Math.ceil(this.left / MAX_TEXT_BYTES));
  }

  send(text: string): void {
    if (text.length <= SPLIT_HERE_CHARS && this.queue.length === 0) {
      this.say(text);
      return;
    }
    this.queue.push(splitTextParts(text, MAX_TEXT_BYTES));
    this.left += text.length;
    this.schedule();
  }

  stop(): void {
    if (this.scheduled !== undefined) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.queue.length = 0;
    this.left = 0;
  }

  private schedule(): void {
    this.scheduled ??= setImmediate(() => {
      this.scheduled = undefined;
      this.turn();
    });
  }

  private turn(): void {
    const until = performance.now() + TURN_MS;
    while (this.queue.length > 0 && performance.now() < until) {
      const parts = this.queue[0]!;
      const next = parts.next();
      if (next.done === true) {
        this.queue.shift();
        continue;
      }
      this.left = Math.max(0, this.left - next.value.length);
      if (!this.say(next.value)) this.queue.shift();
    }
    if (this.queue.length === 0) this.left = 0;
    else this.schedule();
    this.progress();
  }
}
