/**
 * Who is in the room, as the client knows it (docs/protocol.md §6.2.9): a ROSTER snapshot
 * as of some seq, plus every join/leave entry after that seq.
 */
import type { RosterMessage } from '../protocol/messages.js';

const BY_NAME = new Intl.Collator(undefined, { sensitivity: 'base' });

export class RosterState {
  private members = new Set<string>();
  /** `nicks()` sorted once per change: front ends read it on every redraw. */
  private sorted: readonly string[] | undefined;
  private asOfSeq = -1;
  private collecting: { asOfSeq: number; pages: number; got: Map<number, readonly string[]> } | undefined;
  /** Presence delivered while the snapshot is incomplete. */
  private backlog: Array<{ seq: number; nick: string; action: 'join' | 'leave' }> = [];
  ready = false;

  /** Forgets every member (a new server instance: a new room). */
  forget(): void {
    this.members.clear();
    this.sorted = undefined;
    this.asOfSeq = -1;
    this.collecting = undefined;
    this.backlog = [];
    this.ready = false;
  }

  /** Starts collecting a new snapshot (after every join and rejoin); the members stay until it completes. */
  startSnapshot(): void {
    this.collecting = undefined;
    this.ready = false;
  }

  /** Takes a ROSTER page; true when this completes a snapshot (members changed). */
  page(m: RosterMessage): boolean {
    if (this.ready && m.asOfSeq <= this.asOfSeq) return false;
    if (this.collecting === undefined || m.asOfSeq > this.collecting.asOfSeq) {
      this.collecting = { asOfSeq: m.asOfSeq, pages: m.pages, got: new Map() };
    }
    if (m.asOfSeq !== this.collecting.asOfSeq || m.pages !== this.collecting.pages) return false;
    this.collecting.got.set(m.page, m.nicks);
    if (this.collecting.got.size < this.collecting.pages) return false;
    this.members = new Set([...this.collecting.got.values()].flat());
    this.sorted = undefined;
    this.asOfSeq = this.collecting.asOfSeq;
    this.collecting = undefined;
    this.ready = true;
    for (const p of this.backlog) this.apply(p.seq, p.nick, p.action);
    this.backlog = [];
    return true;
  }

  /** The first page still missing, for a WHO request. */
  missingPage(): number {
    if (this.collecting === undefined) return 0;
    for (let p = 0; p < this.collecting.pages; p++) if (!this.collecting.got.has(p)) return p;
    return 0;
  }

  /** A delivered join/leave entry; true if the member list changed. */
  presence(seq: number, nick: string, action: 'join' | 'leave'): boolean {
    if (!this.ready) {
      this.backlog.push({ seq, nick, action });
      return false;
    }
    return this.apply(seq, nick, action);
  }

  private apply(seq: number, nick: string, action: 'join' | 'leave'): boolean {
    if (seq <= this.asOfSeq) return false;
    if (action === 'join') this.members.add(nick);
    else this.members.delete(nick);
    this.sorted = undefined;
    return true;
  }

  nicks(): readonly string[] {
    this.sorted ??= [...this.members].sort(BY_NAME.compare);
    return this.sorted;
  }
}
