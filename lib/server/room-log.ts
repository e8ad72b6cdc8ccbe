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

  constructor(private readonly capacity: number) {
    this.slots = new Array<Slot | undefined>(capacity);
  }

  /** Oldest sequence number still kept (lastSeq + 1 when empty). */
  get oldestSeq(): number {
    return Math.max(1, this.lastSeq - this.capacity + 1);
  }

  /** Assigns the next sequence number to the entry, stores its encoding and returns it. */
  append(entry: NewEntry): Slot {
    const seq = this.lastSeq + 1;
    // Wire times are whole milliseconds. Kept a long time: in memory of its own, not a slice of
    // Node's shared pool (a kept slice pins a whole 8 KiB slab; ~4.5 KB per peer in a join storm).
    const bytes = encodeKeptEntry({ ...entry, seq, time: Math.floor(entry.time) } as Entry);
    const slot = { seq, isMessage: entry.kind === 'msg', bytes };
    this.slots[seq % this.capacity] = slot;
    this.lastSeq = seq;
    return slot;
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
