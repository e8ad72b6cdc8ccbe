/**
 * What the client receives of the room (docs/protocol.md §6.2.5, §6.2.8, §6.2.9): entries into the
 * room stream and out as events in sequence order, gap repair (NACK scheduling; both as every
 * stream's, in stream-receiver.ts), and the member list (ROSTER snapshots plus join/leave entries,
 * WHO for missing pages).
 *
 * Invariant: every entry is emitted exactly once, in seq order (StreamReceiver's invariants).
 */
import type { ClientMessage, DataMessage, PongMessage, RDataMessage, RRosterMessage, RoomEntry, RosterMessage, SyncMessage, WelcomeMessage } from '../protocol/messages.js';
import { entryEvent, memberChange } from './entry-events.js';
import { LOBBY_ID, type Member, type RoomEvent } from './rooms-api.js';
import type { Liveness } from './liveness.js';
import { MAX_AHEAD } from './room-stream.js';
import { RosterState } from './roster-state.js';
import type { RttEstimator } from './rtt-estimator.js';
import type { ClientEvent } from './session-types.js';
import { StreamReceiver } from './stream-receiver.js';

export class RoomFeed extends StreamReceiver {
  readonly roster = new RosterState();
  /** The nickname our own messages carry (set by the core on every WELCOME). */
  ownNick = '';
  private rosterAt = Infinity;
  /** With rooms (§6.3.4): who in room 0 is away, and the flags of the RROSTER pages being collected. */
  private readonly awayNicks = new Set<string>();
  private readonly pageAway = new Map<string, boolean>();
  /** The server speaks rooms: missing member list pages are asked for with RWHO 0. */
  rooms = false;

  constructor(
    rtt: RttEstimator,
    liveness: Liveness,
    private readonly emit: (e: ClientEvent | RoomEvent) => void,
  ) {
    super(rtt, liveness);
  }

  /** Room 0's members with their away flags (sorted like the roster). */
  members(): Member[] {
    return this.roster.nicks().map((nick) => ({ nick, away: this.awayNicks.has(nick) }));
  }

  /** Highest seq delivered in order (0 if none). */
  get delivered(): number {
    return this.room.nextSeq - 1;
  }

  /** A WELCOME: continue the room (`resumed`, same server instance) or start a new one. */
  welcome(m: WelcomeMessage, resumed: boolean): void {
    this.ownNick = m.nick;
    if (resumed) {
      const lost = this.room.skipTo(m.historyFrom);
      if (lost > 0) this.emit({ type: 'notice', text: `${lost} messages sent while you were away could not be recovered` });
      this.room.seen(m.baseSeq);
      // What the server stored up to now and this client has not shown yet arrives late, with the
      // times it was said at: marked, so that front ends can say so (§6.2.7).
      this.room.missedEnd = m.baseSeq;
    } else {
      this.room.reset(m.historyFrom, m.baseSeq);
      this.roster.forget();
    }
    this.roster.startSnapshot();
  }

  /** Online from now: deliver what is there, ask for missing roster pages if none come. */
  online(now: number): void {
    this.rosterAt = now + 2 * this.rtt.rto;
    this.deliver(now);
  }

  /** The session is gone: no repair or WHO until the next WELCOME. */
  override offline(): void {
    super.offline();
    this.rosterAt = Infinity;
  }

  receive(m: DataMessage | RDataMessage | SyncMessage | PongMessage | RosterMessage | RRosterMessage, now: number): void {
    switch (m.type) {
      case 'data':
      case 'rdata':
        for (const e of m.entries) this.room.add(e);
        break;
      case 'rroster':
        for (const x of m.members) this.pageAway.set(x.nick, x.away);
        if (this.roster.page({ type: 'roster', asOfSeq: m.asOfSeq, page: m.page, pages: m.pages, nicks: m.members.map((x) => x.nick) })) {
          this.awayNicks.clear();
          for (const nick of this.roster.nicks()) if (this.pageAway.get(nick) === true) this.awayNicks.add(nick);
          this.pageAway.clear();
          this.emit({ type: 'roster', nicks: this.roster.nicks() });
          this.emitMembers();
        }
        if (this.roster.ready) this.rosterAt = Infinity;
        return;
      case 'sync':
      case 'pong':
        this.room.seen(m.lastSeq);
        break;
      case 'roster':
        if (this.roster.page(m)) this.emit({ type: 'roster', nicks: this.roster.nicks() });
        if (this.roster.ready) this.rosterAt = Infinity;
        return;
    }
    this.deliver(now);
  }

  /**
   * The server no longer has entries before `oldest`: skip to it, say how many were lost. False
   * (ignored) unless `oldest` lies in the range this client is waiting for: past what it has, and
   * not past what the server said exists or what it can buffer (a later PONG widens that range).
   */
  historyGone(oldest: number, now: number): boolean {
    const limit = Math.max(this.room.highestSeen + 1, this.room.nextSeq + MAX_AHEAD);
    if (oldest <= this.room.nextSeq || oldest > limit) return false;
    const lost = this.room.skipTo(oldest);
    this.emit({ type: 'notice', text: `${lost} messages could not be recovered` });
    this.deliver(now);
    return true;
  }

  /** NACKs and WHO requests due now. */
  requests(token: Buffer, now: number): ClientMessage[] {
    const out: ClientMessage[] = [];
    for (const [from, to] of this.dueHoles(now)) out.push({ type: 'nack', token, from, to });
    if (now >= this.rosterAt && !this.roster.ready) {
      out.push(this.rooms ? { type: 'rwho', token, roomId: LOBBY_ID, page: this.roster.missingPage() } : { type: 'who', token, page: this.roster.missingPage() });
      this.rosterAt = now + 2 * this.rtt.rto;
    }
    return out;
  }

  nextDeadline(): number {
    return Math.min(this.nackDeadline, this.rosterAt);
  }

  protected override emitEntry(e: RoomEntry): void {
    const history = e.seq <= this.room.historyEnd;
    const missed = !history && e.seq <= this.room.missedEnd;
    const event = entryEvent(e, LOBBY_ID, history, this.ownNick, missed);
    if (event !== undefined) this.emit(event);
    const change = memberChange(e);
    if (change === undefined) return;
    let changed: boolean;
    switch (change.kind) {
      case 'join':
      case 'leave':
        changed = this.roster.presence(e.seq, change.nick, change.kind);
        break;
      case 'rename':
        changed = this.roster.presence(e.seq, change.from, 'leave') && this.roster.presence(e.seq, change.to, 'join');
        if (this.awayNicks.delete(change.from)) this.awayNicks.add(change.to);
        break;
      case 'away':
        if (change.away) this.awayNicks.add(change.nick);
        else this.awayNicks.delete(change.nick);
        changed = this.rooms;
        break;
    }
    if (!changed) return;
    if (change.kind !== 'away') this.emit({ type: 'roster', nicks: this.roster.nicks() });
    this.emitMembers();
  }

  /** With rooms, room 0's member list with away flags (the 'members' room event). */
  private emitMembers(): void {
    if (this.rooms) this.emit({ type: 'members', roomId: LOBBY_ID, members: this.members() });
  }
}
