/**
 * The room log as the server core sees it when entries must be durable before anyone sees them
 * (docs/protocol.md §6.1.10). New entries get their seq at once but wait in a staging list, each
 * with the store record that persists it; they move into the {@link RoomLog} — and so become
 * visible to fan-out, repair, history, PONG and SYNC — only when the shell reports the records
 * durable. Without persistence (`immediate`) entries go straight into the room log, as before.
 *
 * Invariants: `lastSeq` (what readers see) ≤ `assignedSeq`; records are handed out in the order
 * they were made, and `durable(n)` means the first n records ever made are on disk.
 */
import type { Entry } from '../protocol/messages.js';
import { type NewEntry, RoomLog, encodeLogEntry } from './room-log.js';
import type { StoreRecord } from './store/record-codec.js';

/** A NACK or HISTORY below the in-memory log that the shell is to answer from the store (ServerCore.storedEntries). */
export interface StoreRead {
  /** Opaque to the shell: hand it back. */
  readonly session: object;
  readonly from: number;
  readonly to: number;
  /** Bytes of records to read at most. */
  readonly maxBytes: number;
  /** For a history PAGE (history-pages.ts) rather than a NACK's repair. */
  readonly page?: true;
}

export class StagedLog {
  private readonly log: RoomLog;
  private staged: { ordinal: number; seq: number; bytes: Buffer }[] = [];
  private records: StoreRecord[] = [];
  /** Records made so far (the ordinal of the newest). */
  made = 0;
  /** Last seq given to an entry (visible or staged). */
  assignedSeq = 0;
  /** Oldest seq the store still holds (persistent mode), readable through the shell. */
  storedFrom = Infinity;

  constructor(
    capacity: number,
    private readonly immediate: boolean,
  ) {
    this.log = new RoomLog(capacity);
  }

  /** Starts from a recovered log (see RoomLog.restore). */
  restore(lastSeq: number, tail: readonly { seq: number; bytes: Buffer }[]): void {
    this.log.restore(lastSeq, tail);
    this.assignedSeq = lastSeq;
  }

  /** Last visible (durable) seq. */
  get lastSeq(): number {
    return this.log.lastSeq;
  }

  /** Oldest seq in memory. */
  get oldestSeq(): number {
    return this.log.oldestSeq;
  }

  /** Oldest seq the server can still send: in memory, or on disk (persistent mode). */
  get oldestKept(): number {
    return Math.min(this.log.oldestSeq, this.storedFrom);
  }

  /** Bytes of the entries from..to: exact in memory; older ones (on disk) at the average size in memory. */
  replayBytes(from: number, to: number): number {
    const low = Math.max(from, this.log.oldestSeq);
    let n = 0;
    for (let seq = low; seq <= to; seq++) n += this.log.bytesOf(seq)?.length ?? 0;
    const inMemory = to - low + 1;
    const onDisk = Math.max(0, Math.min(to + 1, this.log.oldestSeq) - Math.max(from, this.oldestKept));
    return inMemory > 0 ? n + Math.ceil((n / inMemory) * onDisk) : n;
  }

  bytesOf(seq: number): Buffer | undefined {
    return this.log.bytesOf(seq);
  }

  historyStart(messages: number): number {
    return this.log.historyStart(messages);
  }

  /** Gives the entry the next seq; `sender` is stored with a chat message (for resends after a restart). */
  append(entry: NewEntry, sender?: { clientId: Buffer; cseq: number }): void {
    const seq = ++this.assignedSeq;
    if (this.immediate) {
      this.log.append(entry);
      return;
    }
    const bytes = encodeLogEntry({ ...entry, seq } as Entry);
    this.records.push({ kind: 'entry', seq, bytes, sender });
    this.staged.push({ ordinal: ++this.made, seq, bytes });
  }

  /** Records a cseq accepted without an entry (a refused message). Returns the record's ordinal. */
  mark(clientId: Buffer, cseq: number): number {
    this.records.push({ kind: 'cseq', clientId, cseq });
    return ++this.made;
  }

  /** Takes the records made since the last call, for the store. */
  takeRecords(): StoreRecord[] {
    const r = this.records;
    this.records = [];
    return r;
  }

  /** The first `count` records are durable: their entries become visible. */
  durable(count: number): void {
    let i = 0;
    for (; i < this.staged.length; i++) {
      const e = this.staged[i] as { ordinal: number; seq: number; bytes: Buffer };
      if (e.ordinal > count) break;
      this.log.put(e.seq, e.bytes);
    }
    if (i > 0) this.staged = this.staged.slice(i);
  }
}
