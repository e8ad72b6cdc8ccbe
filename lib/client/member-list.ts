/**
 * A stream's member list with away flags, as the client knows it (docs/protocol.md §6.3.4, as
 * §6.2.9): an RROSTER snapshot as of some seq, plus every join, leave, part, rename and away entry
 * after it. Entries delivered while the snapshot is incomplete are applied once it is complete
 * (collected by PagedSnapshot).
 */
import type { RRosterMessage, RosterMember } from '../protocol/messages.js';
import { PagedSnapshot } from './paged-snapshot.js';
import type { Member } from './rooms-api.js';

/** What an entry does to a member list. */
export type MemberChange =
  | { kind: 'join'; nick: string }
  | { kind: 'leave'; nick: string }
  | { kind: 'rename'; from: string; to: string }
  | { kind: 'away'; nick: string; away: boolean };

const BY_NAME = new Intl.Collator(undefined, { sensitivity: 'base' });

export class MemberList extends PagedSnapshot<RosterMember, MemberChange> {
  private members = new Map<string, boolean>();
  private sorted: readonly Member[] | undefined;

  /** Takes an RROSTER page; true when this completes a snapshot (members changed). */
  page(m: Pick<RRosterMessage, 'asOfSeq' | 'page' | 'pages' | 'members'>): boolean {
    return this.takePage({ asOfSeq: m.asOfSeq, page: m.page, pages: m.pages, items: m.members });
  }

  protected override replace(members: readonly RosterMember[]): void {
    this.members = new Map(members.map((x) => [x.nick, x.away]));
    this.sorted = undefined;
  }

  protected override apply(c: MemberChange): boolean {
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
