/**
 * A stream on the server (docs/protocol.md §6.3.1): a room other than #lobby or a private
 * conversation, with its own log, seq space, members, tail SYNC and member list. Kept in memory
 * only (room 0's durability, §6.1.10, does not extend to them).
 */
import { CHECKSUM_BYTES, HEADER_BYTES } from '../protocol/constants.js';
import type { RosterMember } from '../protocol/messages.js';
import { RoomLog } from './room-log.js';
import { type Session, byCodePoint } from './session-table.js';

export type StreamKind = 'room' | 'private';

export class Stream {
  /** `#name` as its creator spelled it; '' for a private stream (each side sees the other's nick). */
  name: string;
  /** Name key (`#` + nickname key) or, for a private stream, the pair key. */
  key: string;
  topic = '';
  readonly log: RoomLog;
  /** In the order they joined. */
  readonly members = new Set<Session>();
  /** Last seq fanned out to the members. */
  fannedOut = 0;
  syncAt: number | undefined;
  syncsLeft = 0;
  /** The member list in pages, until membership, a nick or an away flag changes. */
  private roster: RosterPages | undefined;

  constructor(
    readonly id: number,
    readonly kind: StreamKind,
    name: string,
    key: string,
    logEntries: number,
  ) {
    this.name = name;
    this.key = key;
    this.log = new RoomLog(logEntries);
  }

  /** Someone joined, left, renamed or went away: the next member list is computed afresh. */
  changed(): void {
    this.roster = undefined;
  }

  /** The member list as RROSTER pages of at most `limit` bytes, and the seq it reflects (§6.3.4, as WHO in §6.1.6). */
  rosterPages(away: (s: Session) => boolean, limit: number): RosterPages {
    this.roster ??= memberPages([...this.members], this.log.lastSeq, away, limit);
    return this.roster;
  }

  /** The other member of a private stream as `session` sees it (undefined if alone). */
  other(session: Session): Session | undefined {
    for (const m of this.members) if (m !== session) return m;
    return undefined;
  }
}

/** The key of the private stream of two nickname keys (order does not matter). */
export function pairKey(a: string, b: string): string {
  return byCodePoint(a, b) <= 0 ? `${a}\n${b}` : `${b}\n${a}`;
}

export interface RosterPages {
  readonly asOfSeq: number;
  readonly pages: readonly (readonly RosterMember[])[];
}

const RROSTER_OVERHEAD = HEADER_BYTES + 4 + 4 + 2 + 2 + 1 + CHECKSUM_BYTES;

/** Members sorted by nickname key, packed greedily into RROSTER pages of at most `limit` bytes (ServerOptions.maxDatagram). */
export function memberPages(members: readonly Session[], asOfSeq: number, away: (s: Session) => boolean, limit: number): RosterPages {
  const sorted = [...members].sort((a, b) => byCodePoint(a.nickKey, b.nickKey));
  const pages: RosterMember[][] = [[]];
  let size = RROSTER_OVERHEAD;
  for (const s of sorted) {
    const n = 2 + Buffer.byteLength(s.nick);
    let page = pages[pages.length - 1] as RosterMember[];
    if (size + n > limit || page.length === 255) {
      page = [];
      pages.push(page);
      size = RROSTER_OVERHEAD;
    }
    page.push({ nick: s.nick, away: away(s) });
    size += n;
  }
  return { asOfSeq, pages };
}

/** Size of the RROSTER datagram that carries these members. */
export function rrosterBytes(members: readonly RosterMember[]): number {
  let n = RROSTER_OVERHEAD;
  for (const m of members) n += 2 + Buffer.byteLength(m.nick);
  return n;
}
