/**
 * Room 0 as sessions with rooms see it (docs/protocol.md §6.3.5): its second rendering (RDATA 0,
 * where actions, topics, away and renames are entries of their own while DATA carries a msg, or a
 * leave and a join), its topic, its member list with away flags, and its ROOMINFO. Room 0's log
 * stays the core's.
 *
 * Invariants:
 * - An entry has a second rendering only where the two differ; the others are read from the log.
 * - Renderings of entries the log no longer keeps are forgotten.
 */
import type { RoomEntry, RoomInfoMessage } from '../protocol/messages.js';
import { CAP_ROOMS } from '../protocol/rooms-codec.js';
import type { Outbound } from './outbound.js';
import { type Framing, dataFraming, packEntries, rdataFraming } from './pack-entries.js';
import { type NewRoomEntry, encodeLogEntry } from './room-log.js';
import type { Session, SessionTable } from './session-table.js';
import type { StagedLog } from './staged-log.js';
import { type RosterPages, memberPages } from './streams.js';

export const LOBBY_ID = 0;
export const LOBBY_NAME = '#lobby';

/** A room-0 entry with two renderings: what sessions with rooms get (RDATA 0) and what the others get (DATA). */
export type LobbyEntry = Extract<NewRoomEntry, { kind: 'action' | 'topic' | 'away' }>;

/** What room 0's second rendering needs of the server core and the rooms. */
export interface LobbyContext {
  /** Room 0's log (durable view). */
  readonly log: StagedLog;
  readonly sessions: SessionTable;
  readonly out: Outbound;
  readonly maxDatagram: number;
  isAway(s: Session): boolean;
}

/** True if the session enabled rooms (WELCOME caps bit 0). */
export function roomsEnabled(s: Session): boolean {
  return (s.caps & CAP_ROOMS) !== 0;
}

export class Lobby {
  /** Room 0's topic ('' = none). */
  topic = '';
  /** The rendering for sessions with rooms, where it differs from DATA's (seq → entry bytes). */
  private readonly rich = new Map<number, Buffer>();
  /** The RROSTER pages (with away flags) until membership or an away flag changes. */
  private roster: { nicks: readonly string[]; pages: RosterPages } | undefined;

  constructor(private readonly ctx: LobbyContext) {}

  /** How room 0 is read and framed for a session: RDATA 0 with the rooms rendering, or DATA. */
  rendering(s: Session): { bytesOf: (seq: number) => Buffer | undefined; framing: Framing } {
    if (!roomsEnabled(s)) return { bytesOf: (seq) => this.ctx.log.bytesOf(seq), framing: dataFraming(this.ctx.maxDatagram) };
    return { bytesOf: (seq) => this.bytesOf(seq), framing: rdataFraming(LOBBY_ID, this.ctx.maxDatagram) };
  }

  /** Whether room 0's entries from..to differ between the two renderings (then fan-out needs both). */
  richIn(from: number, to: number): boolean {
    if (this.rich.size === 0) return false;
    for (const seq of this.rich.keys()) if (seq >= from && seq <= to) return true;
    return false;
  }

  /**
   * Room 0's entries from..to when they differ between the renderings (§6.3.5): DATA to the
   * sessions without rooms (one datagram to the list), RDATA 0 per recipient to those with it.
   * Returns the bytes fanned out (for the repair budgets).
   */
  fanOutTwice(from: number, to: number): number {
    const all = [...this.ctx.sessions.all()];
    const plain = all.filter((s) => !roomsEnabled(s)).map((s) => s.address);
    let total = 0;
    for (const d of packEntries(from, to, (seq) => this.ctx.log.bytesOf(seq), dataFraming(this.ctx.maxDatagram))) {
      this.ctx.out.fanOut(plain, d);
      total += d.length;
    }
    const rich = all.filter((s) => roomsEnabled(s));
    for (const d of packEntries(from, to, (seq) => this.bytesOf(seq), rdataFraming(LOBBY_ID, this.ctx.maxDatagram))) {
      for (const s of rich) this.ctx.out.sendBytes(s.address, d);
    }
    return total;
  }

  private bytesOf(seq: number): Buffer | undefined {
    return this.rich.get(seq) ?? this.ctx.log.bytesOf(seq);
  }

  /** Appends a room 0 entry whose DATA rendering is a msg (§6.3.5). */
  append(entry: LobbyEntry): void {
    const log = this.ctx.log;
    const v1Text =
      entry.kind === 'action' ? `/me ${entry.text}` : entry.kind === 'topic' ? (entry.text === '' ? '/topic' : `/topic ${entry.text}`) : entry.away ? (entry.text === '' ? '/away' : `/away ${entry.text}`) : '/back';
    log.append({ kind: 'msg', time: entry.time, nick: entry.nick, target: 0, text: v1Text });
    this.keep(log.assignedSeq, { ...entry, seq: log.assignedSeq } as RoomEntry);
  }

  /** Appends a rename to room 0: two seqs, leave + join in DATA, rename + echo in RDATA 0. */
  appendRename(from: string, to: string, now: number): void {
    const log = this.ctx.log;
    const time = Math.floor(now);
    log.append({ kind: 'leave', time, nick: from, reason: 'quit' });
    this.keep(log.assignedSeq, { kind: 'rename', seq: log.assignedSeq, time, nick: from, echo: false, to });
    log.append({ kind: 'join', time, nick: to });
    this.keep(log.assignedSeq, { kind: 'rename', seq: log.assignedSeq, time, nick: from, echo: true, to });
  }

  private keep(seq: number, e: RoomEntry): void {
    this.rich.set(seq, encodeLogEntry(e));
    // Renderings of entries the log no longer keeps are forgotten (the map is in seq order).
    const oldest = this.ctx.log.oldestSeq;
    for (const k of this.rich.keys()) {
      if (k >= oldest) break;
      this.rich.delete(k);
    }
  }

  /** Every page of room 0's member list with away flags, to a session with rooms (§6.3.4). */
  sendRoster(s: Session): void {
    const { asOfSeq, pages } = this.pages();
    pages.forEach((members, page) => this.ctx.out.send(s.address, { type: 'rroster', roomId: LOBBY_ID, asOfSeq, page, pages: pages.length, members: [...members] }));
  }

  /** Room 0's pages: computed again after a join, leave, rename (a new nicks() array) or away change. */
  pages(): RosterPages {
    const nicks = this.ctx.sessions.nicks();
    if (this.roster?.nicks !== nicks) {
      this.roster = { nicks, pages: memberPages([...this.ctx.sessions.all()], this.ctx.log.lastSeq, (x) => this.ctx.isAway(x), this.ctx.maxDatagram) };
    }
    return this.roster.pages;
  }

  /** Someone went away or came back (or ended while away): the member list is computed afresh. */
  awayChanged(): void {
    this.roster = undefined;
  }

  /** Room 0's ROOMINFO for a session (§6.3.3). */
  info(s: Session): RoomInfoMessage {
    const lastSeq = this.ctx.log.lastSeq;
    return { type: 'roominfo', token: s.token, roomId: LOBBY_ID, kind: 'room', members: this.ctx.sessions.size, lastSeq, historyFrom: lastSeq + 1, index: 0, total: 1, name: LOBBY_NAME, topic: this.topic };
  }
}
