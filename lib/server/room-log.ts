/**
 * The room log (docs/protocol.md §6.1.1, §6.1.9): the last `capacity` entries, each encoded once so that
 * fan-out, repair and history replay reuse the same bytes.
 *
 * Invariants: sequence numbers are contiguous from `oldestSeq` to `lastSeq`; `lastSeq` only grows.
 */
import { type EntryBody, entrySize, writeEntry } from '../protocol/entry-codec.js';
import type { Entry } from '../protocol/messages.js';
import { Writer } from '../protocol/wire.js';

const SLAB_BYTES = 64 * 1024;
let slab = Buffer.alloc(0);
let slabUsed = 0;

/**
 * A copy of an encoded entry for the room log, carved from 64 KiB slabs of the log's own. Kept
 * entries are made in log order and leave it in log order, so a slab is freed once the log has
 * moved past it: at most one slab is partly used, and no kept entry pins Node's shared 8 KiB
 * pool (a slice of it would keep the whole pool slab; ~4.5 KB per peer in a join storm). One
 * allocation per slab instead of one ArrayBuffer per entry is what made it worth having: an
 * ArrayBuffer per message was a visible share of the server's CPU (allocation and GC) at low rates.
 */
export function keptCopy(bytes: Buffer): Buffer {
  const kept = carve(bytes.length);
  bytes.copy(kept);
  return kept;
}

/** The next `size` bytes of the current slab (a fresh slab if they do not fit). */
function carve(size: number): Buffer {
  if (slabUsed + size > slab.length) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    slabUsed = 0;
  }
  // An entry is at most a datagram (1,200 bytes): it always fits in a fresh slab.
  const kept = slab.subarray(slabUsed, slabUsed + size);
  slabUsed += size;
  return kept;
}

/**
 * Encodes an entry for the room log, straight into a slab (see keptCopy): once per message, so no
 * copy of the entry object and no intermediate buffer. Wire times are whole milliseconds.
 */
export function encodeLogEntry(entry: EntryBody): Buffer {
  const e = Number.isInteger(entry.time) ? entry : { ...entry, time: Math.floor(entry.time) };
  // entrySize checks every field (it throws before anything is carved).
  const kept = carve(entrySize(e));
  const w = new Writer(kept);
  writeEntry(w, e);
  return w.done();
}

/** An entry of room 0 (kinds 1–3) before the log gives it a sequence number. */
export type NewEntry = Entry extends infer E ? (E extends Entry ? Omit<E, 'seq'> : never) : never;
/** An entry of any stream (kinds 1–8, §4.3) before the log gives it a sequence number. */
export type NewRoomEntry = EntryBody;

/** Entry kinds that count as chat messages for history (§6.1.9): msg, and action (§6.3). */
const MESSAGE_KINDS = new Set([1, 6]);

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
  append(entry: NewRoomEntry): Slot {
    return this.put(this.lastSeq + 1, encodeLogEntry(entry));
  }

  /** Stores an entry already encoded; `seq` must be lastSeq + 1. */
  put(seq: number, bytes: Buffer): Slot {
    if (seq !== this.lastSeq + 1) throw new Error(`RoomLog.put: seq ${seq} after ${this.lastSeq}`);
    const slot = { seq, isMessage: MESSAGE_KINDS.has(bytes[0] as number), bytes };
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
