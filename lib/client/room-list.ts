/**
 * The answer to listRooms() (docs/protocol.md §6.3.3, §6.3.4): the ROOMINFO listing lines of one
 * request, collected until every line is there. Listings are not repaired: a list still incomplete
 * 2 RTOs after the request was acknowledged is asked for again (twice at most), then shown as far
 * as it came. Sans-I/O; room-commands.ts sends the CMD rooms and emits the `rooms` event.
 */
import type { RoomInfoMessage } from '../protocol/messages.js';
import type { RoomListing } from './rooms-api.js';

/** How many times a list is asked for in all. */
const ASKS = 3;
/** How soon the outbox is looked at again while the request is not acknowledged yet. */
const ACK_POLL_MS = 100;

export class RoomList {
  private pending: { total: number; got: Map<number, RoomListing>; askAgainAt: number; asked: number } | undefined;

  /** A new request (CMD rooms sent): collect from scratch. */
  start(): void {
    this.pending = { total: -1, got: new Map(), askAgainAt: Infinity, asked: 1 };
  }

  /** A listing line; the whole list once every line is there (undefined until then, and for a late duplicate). */
  line(m: RoomInfoMessage): RoomListing[] | undefined {
    const l = this.pending;
    // Not asked for (or answered already): a late duplicate.
    if (l === undefined) return undefined;
    if (l.total !== m.total) {
      l.total = m.total;
      l.got.clear();
    }
    l.got.set(m.index, { name: m.name, members: m.members, topic: m.topic });
    if (l.got.size < l.total) return undefined;
    return this.finish(l);
  }

  /**
   * What is due now: 'ask' (send CMD rooms again), the list as far as it came (given up), or
   * nothing. `queued`: a CMD rooms is still in the outbox (not acknowledged).
   */
  due(now: number, queued: () => boolean, rto: number): 'ask' | RoomListing[] | undefined {
    const l = this.pending;
    if (l === undefined) return undefined;
    if (l.askAgainAt === Infinity) {
      // Acknowledged (nothing of it left in the outbox): the answer is on its way.
      if (queued()) return undefined;
      l.askAgainAt = now + 2 * rto;
      return undefined;
    }
    if (now < l.askAgainAt) return undefined;
    if (l.asked < ASKS) {
      l.asked++;
      l.askAgainAt = Infinity;
      return 'ask';
    }
    return this.finish(l);
  }

  /** When due() has something to do (`clock`: the latest time known). */
  nextDeadline(clock: number): number {
    if (this.pending === undefined) return Infinity;
    return this.pending.askAgainAt === Infinity ? clock + ACK_POLL_MS : this.pending.askAgainAt;
  }

  private finish(l: NonNullable<RoomList['pending']>): RoomListing[] {
    this.pending = undefined;
    return [...l.got.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r);
  }
}
