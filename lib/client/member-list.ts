/**
 * A stream's member list with away flags, as the client knows it (docs/protocol.md §6.3.4, as
 * §6.2.9): an RROSTER snapshot as of some seq, plus every join, leave, part, rename and away entry
 * after it. Entries delivered while the snapshot is incomplete are applied once it is complete.
 */
import type { RRosterMessage } from '../protocol/messages.js';
import type { Member } from './rooms-api.js';

/** What an entry does to a member list. */
export type MemberChange =
  | { kind: 'join'; nick: string }
  | { kind: 'leave'; nick: string }
  | { kind: 'rename'; from: string; to: string }
  | { kind: 'away'; nick: string; away: boolean };

const BY_NAME = new Intl.Collator(undefined, { sensitivity: 'base' });

export class MemberList {
  private members = new Map<string, boolean>();
  private asOfSeq = -1;
  private collecting: { asOfSeq: number; pages: number; got: Map<number, RRosterMessage['members']> } | undefined;
  private backlog: Array<{ seq: number; change: MemberChange }> = [];
  private sorted: readonly Member[] | undefined;
  ready = false;

  /** Starts collecting a new snapshot; the members stay until it completes. */
  startSnapshot(): void {
    this.collecting = undefined;
    this.ready = false;
  }

  /** Takes an RROSTER page; true when this completes a snapshot (members changed). */
  page(m: Pick<RRosterMessage, 'asOfSeq' | 'page' | 'pages' | 'members'>): boolean {
    if (this.ready && m.asOfSeq <= this.asOfSeq) return false;
    if (this.collecting === undefined || m.asOfSeq > this.collecting.asOfSeq) this.collecting = { asOfSeq: m.asOfSeq, pages: m.pages, got: new Map() };
    if (m.asOfSeq !== this.collecting.asOfSeq || m.pages !== this.collecting.pages) return false;
    this.collecting.got.set(m.page, m.members);
    if (this.collecting.got.size < this.collecting.pages) return false;
    this.members = new Map([...this.collecting.got.values()].flat().map((x) => [x.nick, x.away]));
    this.asOfSeq = this.collecting.asOfSeq;
    this.collecting = undefined;
    this.ready = true;
    this.sorted = undefined;
    for (const b of this.backlog) this.apply(b.seq, b.change);
    this.backlog = [];
    return true;
  }

  /** The first page still missing, for an RWHO request. */
  missingPage(): number {
    if (this.collecting === undefined) return 0;
    for (let p = 0; p < this.collecting.pages; p++) if (!this.collecting.got.has(p)) return p;
    return 0;
  }

  /** A delivered entry; true if the list changed. */
  change(seq: number, change: MemberChange): boolean {
    if (!this.ready) {
      this.backlog.push({ seq, change });
      return false;
    }
    return this.apply(seq, change);
  }

  private apply(seq: number, c: MemberChange): boolean {
    if (seq <= this.asOfSeq) return false;
    switch (c.kind) {
      case 'join':
        this.members.set(c.nick, this.members.get(c.nick) ?? false);
        break;
      case 'leave':
        this.members.delete(c.nick);
        break;
      case 'rename': {
        const away = this.members.get(c.from) ?? false;
        this.members.delete(c.from);
        this.members.set(c.to, away);
        break;
      }
      case 'away':
        if (!this.members.has(c.nick)) return false;
        this.members.set(c.nick, c.away);
        break;
    }
    this.sorted = undefined;
    return true;
  }

  /** Whether `nick` is marked away. */
  isAway(nick: string): boolean {
    return this.members.get(nick) ?? false;
  }

  /** The members sorted case-insensitively. */
  list(): readonly Member[] {
    this.sorted ??= [...this.members].map(([nick, away]) => ({ nick, away })).sort((a, b) => BY_NAME.compare(a.nick, b.nick));
    return this.sorted;
  }
}
