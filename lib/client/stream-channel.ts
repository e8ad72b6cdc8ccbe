/**
 * The receiving side of one stream other than room 0 (docs/protocol.md §6.3.4): entries out in
 * seq order as events, holes RNACKed (30 ms after a gap episode starts, then every RTO, sooner
 * while repair moves), the member list from RROSTER and the stream's entries, RWHO for missing
 * pages. The same rules as room 0's RoomFeed (§6.2.5, §6.2.9), per stream; in-order delivery and
 * NACK rounds are the StreamReceiver both extend.
 */
import type { ClientMessage, RRosterMessage, RoomEntry } from '../protocol/messages.js';
import { entryEvent, memberChange } from './entry-events.js';
import type { Liveness } from './liveness.js';
import { MemberList } from './member-list.js';
import type { RoomEvent } from './rooms-api.js';
import type { RttEstimator } from './rtt-estimator.js';
import type { ClientEvent } from './session-types.js';
import { StreamReceiver } from './stream-receiver.js';

export class StreamChannel extends StreamReceiver {
  readonly members = new MemberList();
  private rosterAt: number;
  /** A rejoin resumed the session: the next last seq the server names ends what was missed. */
  private catchingUp = false;

  constructor(
    readonly roomId: number,
    rtt: RttEstimator,
    liveness: Liveness,
    private readonly emit: (e: ClientEvent | RoomEvent) => void,
    private readonly ownNick: () => string,
    /** A ROOMINFO opened it: its history is historyFrom…lastSeq. */
    historyFrom: number,
    lastSeq: number,
    now: number,
  ) {
    super(rtt, liveness);
    this.room.reset(historyFrom, lastSeq);
    this.rosterAt = now + 2 * this.rtt.rto;
  }

  /** A later ROOMINFO of the stream: more exists up to lastSeq; entries before historyFrom are gone. */
  info(lastSeq: number, historyFrom: number, now: number): void {
    const lost = this.room.skipTo(historyFrom);
    if (lost > 0) this.emit({ type: 'notice', text: `${lost} messages could not be recovered` });
    this.seen(lastSeq, now);
  }

  /**
   * The session was resumed after a rejoin (§6.2.7): what the stream holds up to the last seq the
   * server names next (its ROOMINFO or RSTATE) was stored while this client was away, and arrives
   * late: delivered marked missed.
   */
  resumed(): void {
    this.catchingUp = true;
  }

  entries(entries: readonly RoomEntry[], now: number): void {
    for (const e of entries) this.room.add(e);
    this.deliver(now);
  }

  /** RSYNC or RSTATE: the stream's last seq. */
  seen(lastSeq: number, now: number): void {
    if (this.catchingUp) {
      this.catchingUp = false;
      this.room.missedEnd = Math.max(this.room.missedEnd, lastSeq);
    }
    this.room.seen(lastSeq);
    this.deliver(now);
  }

  roster(m: RRosterMessage): void {
    if (this.members.page(m)) this.emitMembers();
    if (this.members.ready) this.rosterAt = Infinity;
  }

  /** RNACKs and RWHO due now. */
  requests(token: Buffer, now: number): ClientMessage[] {
    const out: ClientMessage[] = [];
    for (const [from, to] of this.dueHoles(now)) out.push({ type: 'rnack', token, roomId: this.roomId, from, to });
    if (now >= this.rosterAt && !this.members.ready) {
      out.push({ type: 'rwho', token, roomId: this.roomId, page: this.members.missingPage() });
      this.rosterAt = now + 2 * this.rtt.rto;
    }
    return out;
  }

  /** Asks for the member list again (who()): the next snapshot replaces it. */
  refreshMembers(token: Buffer): ClientMessage {
    this.members.startSnapshot();
    return { type: 'rwho', token, roomId: this.roomId, page: 0 };
  }

  /** The session is back (a new WELCOME): ask again for what is missing. */
  online(now: number): void {
    if (!this.members.ready) this.rosterAt = now + 2 * this.rtt.rto;
    this.deliver(now);
  }

  nextDeadline(): number {
    return Math.min(this.nackDeadline, this.members.ready ? Infinity : this.rosterAt);
  }

  protected override emitEntry(e: RoomEntry): void {
    const history = e.seq <= this.room.historyEnd;
    const event = entryEvent(e, this.roomId, history, this.ownNick(), !history && e.seq <= this.room.missedEnd);
    if (event !== undefined) this.emit(event);
    const change = memberChange(e);
    if (change !== undefined && this.members.change(e.seq, change)) this.emitMembers();
  }

  private emitMembers(): void {
    this.emit({ type: 'members', roomId: this.roomId, members: this.members.list() });
  }
}
