/**
 * Who is in the room, as the client knows it (docs/protocol.md §6.2.9): a ROSTER snapshot
 * as of some seq, plus every join/leave entry after that seq (paged-snapshot.ts).
 */
import type { RosterMessage } from '../protocol/messages.js';
import { PagedSnapshot } from './paged-snapshot.js';

const BY_NAME = new Intl.Collator(undefined, { sensitivity: 'base' });

interface Presence {
  nick: string;
  action: 'join' | 'leave';
}

export class RosterState extends PagedSnapshot<string, Presence> {
  private members = new Set<string>();
  /** `nicks()` sorted once per change: front ends read it on every redraw. */
  private sorted: readonly string[] | undefined;

  /** Takes a ROSTER page; true when this completes a snapshot (members changed). */
  page(m: RosterMessage): boolean {
    return this.takePage({ asOfSeq: m.asOfSeq, page: m.page, pages: m.pages, items: m.nicks });
  }

  /** A delivered join/leave entry; true if the member list changed. */
  presence(seq: number, nick: string, action: 'join' | 'leave'): boolean {
    return this.change(seq, { nick, action });
  }

  nicks(): readonly string[] {
    this.sorted ??= [...this.members].sort(BY_NAME.compare);
    return this.sorted;
  }

  protected override replace(nicks: readonly string[]): void {
    this.members = new Set(nicks);
    this.sorted = undefined;
  }

  protected override apply(p: Presence): boolean {
    if (p.action === 'join') this.members.add(p.nick);
    else this.members.delete(p.nick);
    this.sorted = undefined;
    return true;
  }
}
