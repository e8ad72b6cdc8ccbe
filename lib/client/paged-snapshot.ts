/**
 * A member list the server sends in pages and keeps up to date with entries (docs/protocol.md
 * §6.2.9 ROSTER, §6.3.4 RROSTER): a snapshot as of some seq, taken once every page of it is
 * there, plus every change an entry after that seq makes. It collects the pages and orders the
 * changes; a subclass holds the members (`replace`, `apply`): room 0's RosterState and each
 * stream's MemberList.
 *
 * Invariants: a snapshot replaces the members only when complete; while one is held and none is
 * asked for (`ready`), no page that is not newer than it is taken; a change is applied at most once,
 * only if its seq is past the snapshot's; changes delivered while not `ready` are held until then.
 */

/** One page of a snapshot: `items` are its members. */
export interface SnapshotPage<T> {
  asOfSeq: number;
  page: number;
  pages: number;
  items: readonly T[];
}

export abstract class PagedSnapshot<T, C> {
  private asOfSeq = -1;
  private collecting: { asOfSeq: number; pages: number; got: Map<number, readonly T[]> } | undefined;
  private backlog: Array<{ seq: number; change: C }> = [];
  /** A snapshot is complete and no new one is being collected. */
  ready = false;

  /** Takes a complete snapshot's members: every page's items, pages in the order they came. */
  protected abstract replace(items: T[]): void;

  /** Applies a change that follows the snapshot; true if the members changed. */
  protected abstract apply(change: C): boolean;

  /** Forgets every member, the snapshot and what is held (a new server instance: seqs start again). */
  forget(): void {
    this.replace([]);
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

  /**
   * Takes a page; true when it completes a snapshot (the members were replaced). A page of a newer
   * snapshot starts collecting that one; a page older than the one being collected, with another
   * page count, or (while `ready`) not newer than the one held, is ignored.
   */
  protected takePage(p: SnapshotPage<T>): boolean {
    if (this.ready && p.asOfSeq <= this.asOfSeq) return false;
    if (this.collecting === undefined || p.asOfSeq > this.collecting.asOfSeq) this.collecting = { asOfSeq: p.asOfSeq, pages: p.pages, got: new Map() };
    if (p.asOfSeq !== this.collecting.asOfSeq || p.pages !== this.collecting.pages) return false;
    this.collecting.got.set(p.page, p.items);
    if (this.collecting.got.size < this.collecting.pages) return false;
    this.replace([...this.collecting.got.values()].flat());
    this.asOfSeq = this.collecting.asOfSeq;
    this.collecting = undefined;
    this.ready = true;
    for (const b of this.backlog) this.applyAfter(b.seq, b.change);
    this.backlog = [];
    return true;
  }

  /** The first page still missing, for a WHO or RWHO request. */
  missingPage(): number {
    if (this.collecting === undefined) return 0;
    for (let p = 0; p < this.collecting.pages; p++) if (!this.collecting.got.has(p)) return p;
    return 0;
  }

  /** The change a delivered entry (at `seq`) makes; true if the members changed now. */
  change(seq: number, change: C): boolean {
    if (!this.ready) {
      this.backlog.push({ seq, change });
      return false;
    }
    return this.applyAfter(seq, change);
  }

  private applyAfter(seq: number, change: C): boolean {
    return seq > this.asOfSeq && this.apply(change);
  }
}
