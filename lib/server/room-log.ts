/**
 * The room log (docs/protocol.md §6.1.1, §6.1.9): the last `capacity` entries, each encoded once so that
 * fan-out, repair and history replay reuse the same bytes.
 *
 * Invariants: sequence numbers are contiguous from `oldestSeq` to `lastSeq`; `lastSeq` only grows.
 */
import { encodeKeptEntry } from '../protocol/entry-codec.js';
import type { Entry } from '../protocol/messages.js';

/** An entry before the log gives it a sequence number. */
export type NewEntry = Entry extends infer E ? (E extends Entry ? Omit<E, 'seq'> : never) : never;

interface Slot {
  seq: number;
  isMessage: boolean;
  bytes: Buffer;
}

export class RoomLog {
  private readonly slots: (Slot | undefined)[];
  /** Last assigned sequence number (0: none yet). */
  lastSeq = 0;
  /** No entry below this one is kept (a restored log may hold fewer than `capacity`). */
  private floor = 1;

  constructor(private readonly capacity: number) {
    this.slots = new Array<Slot | undefined>(capacity);
  }

  /** Oldest sequence number still kept (lastSeq + 1 when empty). */
  get oldestSeq(): number {
    return Math.max(this.floor, this.lastSeq - this.capacity + 1);
  }

  /** Assigns the next sequence number to the entry, stores its encoding and returns it. */
  append(entry: NewEntry): Slot {
    const seq = this.lastSeq + 1;
    // Wire times are whole milliseconds. Kept a long time: in memory of its own, not a slice of
    // Node's shared pool (a kept slice pins a whole 8 KiB slab; ~4.5 KB per peer in a join storm).
    return this.put(seq, encodeKeptEntry({ ...entry, seq, time: Math.floor(entry.time) } as Entry));
  }

  /** Stores an entry already encoded; `seq` must be lastSeq + 1. */
  put(seq: number, bytes: Buffer): Slot {
    if (seq !== this.lastSeq + 1) throw new Error(`RoomLog.put: seq ${seq} after ${this.lastSeq}`);
    const slot = { seq, isMessage: bytes[0] === 1, bytes };
    this.slots[seq % this.capacity] = slot;
    this.lastSeq = seq;
    return slot;
  }

  /**
   * Starts from a recovered log: `lastSeq` and its newest entries (oldest first, contiguous, ending
   * at lastSeq). Without such a tail the log starts empty at lastSeq.
   */
  restore(lastSeq: number, tail: readonly { seq: number; bytes: Buffer }[]): void {
    const kept = tail.slice(-this.capacity);
    const first = kept[0]?.seq ?? lastSeq + 1;
    const contiguous = kept.length > 0 && first + kept.length - 1 === lastSeq && kept.every((e, i) => e.seq === first + i);
    this.lastSeq = contiguous ? first - 1 : lastSeq;
    this.floor = contiguous ? first : lastSeq + 1;
    if (contiguous) for (const e of kept) this.put(e.seq, e.bytes);
  }

  /** Encoded entry `seq`, or undefined if it is not (or no longer) kept. */
  bytesOf(seq: number): Buffer | undefined {
    if (seq < this.oldestSeq || seq > this.lastSeq) return undefined;
    return this.slots[seq % this.capacity]?.bytes;
  }

  /** First sequence number of the replay that holds the last `messages` chat messages. */
  historyStart(messages: number): number {
    let found = 0;
    let start = this.lastSeq + 1;
    for (let seq = this.lastSeq; seq >= this.oldestSeq && found < messages; seq--) {
      if (this.slots[seq % this.capacity]?.isMessage) {
        found++;
        start = seq;
      }
    }
    return start;
  }
}
