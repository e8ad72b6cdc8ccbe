/**
 * Gap repair (docs/protocol.md §6.1.6, §6.1.10): NACK answers from the in-memory log, or from the
 * store through reads the shell performs, always within the session's repair budget
 * (repair-budget.ts). Sans-I/O: reads are queued for the shell and their results handed back.
 */
import type { NackMessage } from '../protocol/messages.js';
import type { Outbound } from './outbound.js';
import { type Framing, packEntries } from './pack-entries.js';
import type { Session } from './session-table.js';
import type { StagedLog, StoreRead } from './staged-log.js';

/** Most DATA datagrams one NACK is answered with (and a WELCOME's history replay). */
export const MAX_REPAIR_DATAGRAMS = 32;

/**
 * Sends `session` the entries from..to packed by `framing` (DATA or RDATA), at most `maxDatagrams`
 * and at most its repair budget in bytes, and charges the budget. Returns how many datagrams went out.
 */
export function sendRepair(
  out: Outbound,
  session: Session,
  from: number,
  to: number,
  bytesOf: (seq: number) => Buffer | undefined,
  framing: Framing,
  maxDatagrams = MAX_REPAIR_DATAGRAMS,
): number {
  const datagrams = packEntries(from, to, bytesOf, framing, maxDatagrams, session.repair.bytes);
  if (datagrams.length === 0) return 0;
  session.repair.spend(datagrams.reduce((n, d) => n + d.length, 0));
  for (const d of datagrams) out.sendBytes(session.address, d);
  return datagrams.length;
}

/** What a NACK came to: answered (or asked of the store), dropped, or refused for lack of budget. */
export type NackOutcome = 'answered' | 'dropped' | 'overdrawn';

export class GapRepair {
  /** Sessions with a store read in progress (one at a time each). */
  private readonly reading = new Set<Session>();
  private reads: StoreRead[] = [];

  constructor(
    private readonly log: StagedLog,
    private readonly out: Outbound,
    private readonly drop: (reason: string) => void,
    /** How room 0 is read and framed for a session (DATA, or RDATA 0 with rooms, §6.3.5). */
    private readonly rendering: (s: Session) => { bytesOf: (seq: number) => Buffer | undefined; framing: Framing },
  ) {}

  /** Answers a NACK: from memory, from the store (a read for the shell), or HISTORY_GONE. */
  nack(session: Session, m: Pick<NackMessage, 'from' | 'to'>): NackOutcome {
    const to = Math.min(m.to, this.log.lastSeq);
    if (m.from > to) return this.dropped('nack-ahead');
    if (m.from < this.log.oldestSeq) {
      if (m.from >= this.log.oldestKept) return this.readStored(session, m.from, Math.min(to, this.log.oldestSeq - 1));
      const arg = this.log.oldestKept;
      this.out.send(session.address, { type: 'error', ref: session.token, code: 'UDPCHAT_ERR_HISTORY_GONE', arg, detail: `oldest kept is ${arg}` });
      return 'answered';
    }
    const { bytesOf, framing } = this.rendering(session);
    return sendRepair(this.out, session, m.from, to, bytesOf, framing) > 0 ? 'answered' : 'overdrawn';
  }

  /** The shell read what a StoreRead asked for (empty if the read failed); `live`: the session still exists. */
  stored(read: StoreRead, entries: readonly { seq: number; bytes: Buffer }[], live: boolean): void {
    const session = read.session as Session;
    this.reading.delete(session);
    if (!live) return;
    const bySeq = new Map(entries.map((e) => [e.seq, e.bytes]));
    sendRepair(this.out, session, read.from, read.to, (s) => bySeq.get(s), this.rendering(session).framing);
  }

  /** The session ended: a read in progress for it is answered to no one. */
  forget(session: Session): void {
    this.reading.delete(session);
  }

  /** Takes the store reads queued for the shell. */
  takeReads(): StoreRead[] {
    const reads = this.reads;
    this.reads = [];
    return reads;
  }

  /** Asks the shell to read entries older than memory from the store, one read per session at a time. */
  private readStored(session: Session, from: number, to: number): NackOutcome {
    if (this.reading.has(session)) return this.dropped('nack-while-reading');
    const budget = session.repair.bytes;
    const limit = this.rendering(session).framing.limit;
    if (budget < limit) return 'overdrawn';
    this.reading.add(session);
    this.reads.push({ session, from, to, maxBytes: Math.min(budget, MAX_REPAIR_DATAGRAMS * limit) });
    return 'answered';
  }

  private dropped(reason: string): NackOutcome {
    this.drop(reason);
    return 'dropped';
  }
}
