/**
 * The room as the server numbers it (docs/protocol.md §6.2.5): entries are buffered by
 * sequence number and released strictly in order; holes are reported for NACKs.
 *
 * Invariants: every seq < nextSeq has been released exactly once; `buffer` holds only seqs in
 * (nextSeq, nextSeq + MAX_AHEAD]; `highestSeen` is the largest seq the server said exists.
 */
import type { RoomEntry } from '../protocol/messages.js';

/** How far ahead of the next expected entry anything is kept. */
export const MAX_AHEAD = 8_192;
/** Most holes NACKed at once. */
const MAX_HOLES = 8;

export class RoomStream {
  nextSeq = 1;
  /** Entries with seq ≤ historyEnd are replayed history. */
  historyEnd = 0;
  /**
   * Entries with historyEnd < seq ≤ missedEnd were stored while this client was away: a resuming
   * WELCOME's baseSeq (docs/protocol.md §6.2.7). They arrive late, after the rejoin.
   */
  missedEnd = 0;
  highestSeen = 0;
  private readonly buffer = new Map<number, RoomEntry>();

  /** Starts over for a new server instance: history from `from` to `baseSeq`. */
  reset(from: number, baseSeq: number): void {
    this.buffer.clear();
    this.nextSeq = from;
    this.historyEnd = baseSeq;
    this.missedEnd = 0;
    this.highestSeen = baseSeq;
  }

  /** Skips to `seq` (entries before it cannot be recovered). Returns how many were skipped. */
  skipTo(seq: number): number {
    if (seq <= this.nextSeq) return 0;
    const skipped = seq - this.nextSeq;
    for (const s of this.buffer.keys()) if (s < seq) this.buffer.delete(s);
    this.nextSeq = seq;
    this.highestSeen = Math.max(this.highestSeen, seq - 1);
    return skipped;
  }

  /** Stores an entry; false if it is a duplicate or out of range. */
  add(e: RoomEntry): boolean {
    if (e.seq < this.nextSeq || e.seq > this.nextSeq + MAX_AHEAD || this.buffer.has(e.seq)) return false;
    this.buffer.set(e.seq, e);
    this.seen(e.seq);
    return true;
  }

  /** The server says entries up to `seq` exist. */
  seen(seq: number): void {
    this.highestSeen = Math.max(this.highestSeen, Math.min(seq, this.nextSeq + MAX_AHEAD));
  }

  /** Entries now deliverable, in order. */
  release(): RoomEntry[] {
    const out: RoomEntry[] = [];
    for (let e = this.buffer.get(this.nextSeq); e !== undefined; e = this.buffer.get(this.nextSeq)) {
      this.buffer.delete(this.nextSeq);
      out.push(e);
      this.nextSeq++;
    }
    return out;
  }

  get hasGap(): boolean {
    return this.highestSeen >= this.nextSeq;
  }

  /** Missing ranges [from, to] between nextSeq and highestSeen, first ones first. */
  holes(): Array<[number, number]> {
    const holes: Array<[number, number]> = [];
    let seq = this.nextSeq;
    while (seq <= this.highestSeen && holes.length < MAX_HOLES) {
      if (this.buffer.has(seq)) {
        seq++;
        continue;
      }
      const from = seq;
      while (seq <= this.highestSeen && !this.buffer.has(seq)) seq++;
      holes.push([from, seq - 1]);
    }
    return holes;
  }
}
