/**
 * History pages (docs/protocol.md §6.1.11, capability bit 1): HISTORY asks for the entries just
 * before a seq, one PAGE answers — from the in-memory log, or from the store through a read the
 * shell performs (the same path as old NACKs, gap-repair.ts). One page per session at a time,
 * paced by the session's paging allowance (a byte bucket) or, beyond it, its repair budget; a page
 * neither covers waits for the allowance instead of being dropped. Sans-I/O.
 */
import { encodePage } from '../protocol/codec.js';
import { MAX_DATAGRAM } from '../protocol/constants.js';
import { CAP_HISTORY, PAGE_GONE, PAGE_OLDEST, PAGE_OVERHEAD } from '../protocol/history-codec.js';
import type { HistoryMessage } from '../protocol/messages.js';
import type { Outbound } from './outbound.js';
import type { Session } from './session-table.js';
import type { StagedLog, StoreRead } from './staged-log.js';

/** Paging allowance: bytes of PAGEs a second per session, and at most this many saved (§6.1.11). */
export const PAGE_RATE_BYTES = 128 * 1024;
export const PAGE_BURST_BYTES = 64 * 1024;
/** Most entries one PAGE can hold: 1170 bytes of entries, the smallest entry 9 bytes. */
export const MAX_PAGE_ENTRIES = Math.floor((MAX_DATAGRAM - PAGE_OVERHEAD) / 9);

/** The PAGE flags for a page whose first entry is `first`, when `oldestKept` is the oldest seq kept. */
function flagsFor(first: number, oldestKept: number): number {
  if (first > oldestKept) return 0;
  return first > 1 ? PAGE_OLDEST | PAGE_GONE : PAGE_OLDEST;
}

export class HistoryPages {
  /** Sessions with a page in progress: a PAGE waiting for its allowance, or undefined while the store reads. */
  private readonly busy = new Map<Session, Buffer | undefined>();
  private reads: StoreRead[] = [];

  constructor(
    private readonly log: StagedLog,
    private readonly out: Outbound,
    private readonly drop: (reason: string) => void,
    /** The server's largest datagram (ServerOptions.maxDatagram). */
    private readonly limit: number,
  ) {}

  /** Answers a HISTORY (§6.1.11 steps 1–5): a PAGE now or once paced, or a read for the shell. */
  request(session: Session, m: HistoryMessage, now: number): void {
    if ((session.caps & CAP_HISTORY) === 0) return this.drop('history-not-enabled');
    if (m.before > this.log.lastSeq + 1) return this.drop('history-ahead');
    if (this.busy.has(session)) return this.drop('history-busy');
    const oldestKept = this.log.oldestKept;
    if (m.before <= oldestKept) {
      // Nothing kept before `before`: gone if something was ever there (before > 1).
      return this.deliver(session, encodePage(session.token, m.before, m.before > 1 ? flagsFor(oldestKept, oldestKept) : PAGE_OLDEST, []), now);
    }
    const from = Math.max(oldestKept, m.before - Math.min(m.count, MAX_PAGE_ENTRIES));
    const inMemory = this.log.oldestSeq;
    if (m.before - 1 >= inMemory) {
      // The part in memory only: the next HISTORY reaches the store.
      return this.answer(session, m.before, Math.max(from, inMemory), (seq) => this.log.bytesOf(seq), now);
    }
    this.busy.set(session, undefined);
    this.reads.push({ session, from, to: m.before - 1, maxBytes: (m.before - from) * this.limit, page: true });
  }

  /** The shell read what a page's StoreRead asked for (empty if the read failed); `live`: the session still exists. */
  stored(read: StoreRead, entries: readonly { seq: number; bytes: Buffer }[], live: boolean, now: number): void {
    const session = read.session as Session;
    if (!live) {
      this.busy.delete(session);
      return;
    }
    const last = entries.at(-1)?.seq;
    if (last === undefined) {
      // The read failed or the segment is gone: the client asks again and finds what is kept then.
      this.busy.delete(session);
      return this.drop('history-read-failed');
    }
    // A read stops at the end of a segment: the page must end just before `before`, so read on.
    if (last < read.to) {
      this.reads.push({ ...read, from: last + 1 });
      return;
    }
    this.busy.delete(session);
    const bySeq = new Map(entries.map((e) => [e.seq, e.bytes]));
    this.answer(session, read.to + 1, read.from, (seq) => bySeq.get(seq), now);
  }

  /** Sends the pages that waited for their allowance, if it is there now. */
  tick(now: number): void {
    if (this.busy.size === 0) return;
    for (const [session, page] of this.busy) {
      if (page !== undefined && this.afford(session, page.length, now)) {
        this.busy.delete(session);
        this.out.sendBytes(session.address, page);
      }
    }
  }

  /** When the first waiting page can go (Infinity if none waits). */
  nextDeadline(now: number): number {
    if (this.busy.size === 0) return Infinity;
    let t = Infinity;
    for (const [session, page] of this.busy) if (page !== undefined) t = Math.min(t, session.paging.nextManyAt(page.length, now));
    return t;
  }

  /** The session ended: its page in progress goes to no one. */
  forget(session: Session): void {
    this.busy.delete(session);
  }

  /** Takes the store reads queued for the shell. */
  takeReads(): StoreRead[] {
    const reads = this.reads;
    this.reads = [];
    return reads;
  }

  /** The PAGE of the entries just before `before` (down to `from`), newest first while they fit. */
  private answer(session: Session, before: number, from: number, bytesOf: (seq: number) => Buffer | undefined, now: number): void {
    const parts: Buffer[] = [];
    let size = PAGE_OVERHEAD;
    for (let seq = before - 1; seq >= from; seq--) {
      const bytes = bytesOf(seq);
      // The page holds at least one entry (the largest, 1079 bytes, makes a 1109-byte PAGE, §5.8 "Sizes").
      if (bytes === undefined || (parts.length > 0 && size + bytes.length > this.limit)) break;
      parts.push(bytes);
      size += bytes.length;
    }
    parts.reverse();
    const flags = flagsFor(before - parts.length, this.log.oldestKept);
    // An entry the log no longer has (it moved on meanwhile): nothing to say; the client asks again.
    if (parts.length === 0 && flags === 0) return this.drop('history-missing');
    this.deliver(session, encodePage(session.token, before, flags, parts), now);
  }

  /** Sends a PAGE within the allowance or the repair budget, or holds it until the allowance refills. */
  private deliver(session: Session, page: Buffer, now: number): void {
    if (!this.afford(session, page.length, now)) {
      this.busy.set(session, page);
      return;
    }
    this.out.sendBytes(session.address, page);
  }

  private afford(session: Session, bytes: number, now: number): boolean {
    if (session.paging.takeMany(bytes, now)) return true;
    if (session.repair.bytes < bytes) return false;
    session.repair.spend(bytes);
    return true;
  }
}
