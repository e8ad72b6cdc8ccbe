/**
 * A sliding anti-replay window over 64-bit datagram counters, as RFC 6479 describes it and
 * WireGuard uses it: a ring of 32-bit words, 2048 bits in all, that advances a word at a time, so
 * the 2016 counters below the highest one seen are remembered exactly and anything older is
 * refused. Reordering within the window is fine; a counter is accepted at most once.
 *
 * check() never changes anything and accept() records a counter: the caller checks, verifies the
 * datagram's tag, and only then accepts, so a forged datagram cannot move the window.
 */

const WORD_BITS = 32;
/** Bits in the ring (a power of two). */
export const REPLAY_WINDOW_BITS = 2048;
const WORDS = REPLAY_WINDOW_BITS / WORD_BITS;
/** Counters this far below the highest one seen are still accepted (one word is always being reused). */
export const REPLAY_WINDOW_SPAN = REPLAY_WINDOW_BITS - WORD_BITS;
/** Counters are below 2⁵³ here (a sender would need millennia to get there); larger ones are refused. */
export const MAX_COUNTER = Number.MAX_SAFE_INTEGER;

export class ReplayWindow {
  readonly #bits = new Uint32Array(WORDS);
  /** Highest counter accepted, or −1 before the first. */
  #top = -1;

  /** The highest counter accepted so far (−1 if none). */
  get top(): number {
    return this.#top;
  }

  /** True if `counter` has not been accepted and is not too old. Changes nothing. */
  check(counter: number): boolean {
    if (!Number.isSafeInteger(counter) || counter < 0) return false;
    if (counter > this.#top) return true;
    if (this.#top - counter >= REPLAY_WINDOW_SPAN) return false;
    const word = Math.floor(counter / WORD_BITS) % WORDS;
    return (this.#bits[word]! & (1 << counter % WORD_BITS)) === 0;
  }

  /** Records `counter` as seen. Call only after check() and the tag both passed. */
  accept(counter: number): void {
    if (!this.check(counter)) return;
    if (counter > this.#top) this.#advance(counter);
    const word = Math.floor(counter / WORD_BITS) % WORDS;
    this.#bits[word]! |= 1 << counter % WORD_BITS;
  }

  /** Clears the words between the old top's word and the new one (those counters were never seen). */
  #advance(counter: number): void {
    const from = this.#top < 0 ? -1 : Math.floor(this.#top / WORD_BITS);
    const to = Math.floor(counter / WORD_BITS);
    const steps = Math.min(to - from, WORDS);
    for (let i = 1; i <= steps; i += 1) this.#bits[(from + i) % WORDS] = 0;
    this.#top = counter;
  }
}
