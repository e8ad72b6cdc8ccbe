/**
 * The sans-I/O server (docs/protocol.md §6.1). It takes `(datagram, from, now)` and queues
 * datagrams to send and events; the shell (chat-server.ts) owns the socket and the clock.
 *
 * Invariants:
 * - A datagram that does not decode, or names no session, or carries a wrong token, changes no
 *   state: it is counted in `stats.drops` and, at most, answered with one datagram no larger
 *   than itself (COOKIE, UNKNOWN_SESSION).
 * - Room entries get contiguous sequence numbers; every member receives the same DATA bytes.
 * - A session's messages are accepted in cseq order, each exactly once.
 * - Nothing is ever sent to port 0.
 */
import { timingSafeEqual } from 'node:crypto';
import { decode, encode, isClientMessage } from '../protocol/codec.js';
import { INSTANCE_BYTES, TOKEN_BYTES } from '../protocol/constants.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { WireErrorCode } from '../protocol/error-codes.js';
import type { LeaveReason, Message, NackMessage, SayMessage } from '../protocol/messages.js';
import { makeCookie } from './cookie.js';
import { type PeerAddress, addressKey } from './peer-address.js';
import { packEntries } from './pack-entries.js';
import { RoomLog } from './room-log.js';
import { DEFAULT_SERVER_OPTIONS, type ServerOptions } from './server-options.js';
import { type Session, SessionTable } from './session-table.js';
import { TokenBucket } from './token-bucket.js';
import { handleJoin } from './join-handler.js';
import { rosterPages } from './roster.js';

/** A datagram to send: to one peer, or the same bytes to many. */
export interface Outgoing {
  to: PeerAddress | readonly PeerAddress[];
  data: Buffer;
}

export type ServerEvent =
  | { type: 'join'; nick: string; address: PeerAddress; resumed: boolean }
  | { type: 'leave'; nick: string; address: PeerAddress; reason: LeaveReason }
  | { type: 'refused'; code: WireErrorCode; nick: string; address: PeerAddress };

export interface ServerStats {
  received: number;
  accepted: number;
  datagramsOut: number;
  deliveries: number;
  drops: Record<string, number>;
}

/** Most DATA datagrams one NACK is answered with. */
const MAX_REPAIR_DATAGRAMS = 32;
/** Out-of-order or held messages kept per session. */
const INBOX_WINDOW = 64;
const HOUSEKEEPING_MS = 1_000;
const TAIL_SYNCS = 2;
/** How long a session may go without the client ever using its token. */
const UNCONFIRMED_MS = 10_000;

export class ServerCore {
  readonly options: ServerOptions;
  readonly instance: Buffer;
  readonly stats: ServerStats = { received: 0, accepted: 0, datagramsOut: 0, deliveries: 0, drops: {} };
  readonly log: RoomLog;
  readonly sessions: SessionTable;
  readonly cookieKey: Buffer;
  readonly random: (n: number) => Buffer;
  private out: Outgoing[] = [];
  private events: ServerEvent[] = [];
  private fannedOut = 0;
  private syncAt: number | undefined;
  /** Tail SYNCs still to send after the last fan-out. */
  private syncsLeft = 0;
  private housekeepingAt: number;
  private readonly unknownReplies: TokenBucket;
  /** Sessions with messages held back by the flood limit. */
  private readonly throttled = new Set<Session>();
  /** Roster pages, kept until membership changes (sessions.nicks() returns a new array then). */
  private rosterCache: { nicks: readonly string[]; asOfSeq: number; pages: string[][] } | undefined;
  /** Sessions owed an ACK at the next flush. */
  private readonly acksDue = new Set<Session>();

  constructor(options: Partial<ServerOptions> & { random: (n: number) => Buffer; now: number }) {
    const { random, now, ...rest } = options;
    this.options = { ...DEFAULT_SERVER_OPTIONS, ...rest };
    this.random = random;
    this.instance = random(INSTANCE_BYTES);
    this.cookieKey = random(32);
    this.log = new RoomLog(this.options.logEntries);
    this.sessions = new SessionTable(this.options.sessionsPerIp);
    this.unknownReplies = new TokenBucket(this.options.unknownSessionReplies, this.options.unknownSessionReplies, now);
    this.housekeepingAt = now + HOUSEKEEPING_MS;
  }

  /** Handles one received datagram. Never throws for anything the peer sent. */
  receive(data: Buffer, from: PeerAddress, now: number): void {
    this.stats.received++;
    if (from.port === 0) return this.drop('port-zero');
    let m: Message;
    try {
      m = decode(data);
    } catch (err) {
      if (err instanceof ProtocolError) return this.drop(err.code);
      throw err;
    }
    if (m.type === 'join') return handleJoin(this, m, from, data.length, now);
    if (!isClientMessage(m)) return this.drop('wrong-direction');
    const session = this.sessions.byAddress(from);
    if (session === undefined) return this.replyUnknownSession(m.token, from, data.length, now);
    if (!timingSafeEqual(session.token, m.token)) return this.drop('bad-token');
    session.lastHeard = now;
    session.confirmed = true;
    if (!session.hard.take(now)) return this.cutOff(session, now);
    switch (m.type) {
      case 'say':
        return this.onSay(session, m, now);
      case 'ping':
        session.delivered = Math.max(session.delivered, Math.min(m.delivered, this.log.lastSeq));
        return this.send(session.address, encode({ type: 'pong', lastSeq: this.log.lastSeq, echo: m.echo }));
      case 'nack':
        return this.onNack(session, m);
      case 'who':
        return this.sendRosterPage(session, m.page);
      case 'leave':
        this.send(session.address, encode({ type: 'bye', token: session.token, reason: 'quit' }));
        return this.endSession(session, 'quit', now);
    }
  }

  private onSay(session: Session, m: SayMessage, now: number): void {
    if (m.cseq < session.nextCseq) {
      this.drop('duplicate');
      this.acksDue.add(session);
      return;
    }
    if (m.cseq >= session.nextCseq + INBOX_WINDOW) return this.drop('outside-window');
    if (!session.inbox.has(m.cseq)) session.inbox.set(m.cseq, m);
    else this.drop('duplicate');
    this.drainInbox(session, now);
    // A gap before this message: acknowledge again so the client resends the missing one at
    // once (a duplicate ACK). Messages merely held by the flood limit get no such hint.
    if (m.cseq > session.nextCseq && !session.inbox.has(session.nextCseq)) this.acksDue.add(session);
  }

  /** Accepts held messages in cseq order while the flood limit allows (§6.1.4). */
  private drainInbox(session: Session, now: number): void {
    for (let m = session.inbox.get(session.nextCseq); m !== undefined; m = session.inbox.get(session.nextCseq)) {
      if (!session.flood.take(now)) {
        this.throttled.add(session);
        return;
      }
      session.inbox.delete(m.cseq);
      session.nextCseq++;
      this.acksDue.add(session);
      this.accept(session, m, now);
    }
    this.throttled.delete(session);
  }

  private accept(session: Session, m: SayMessage, now: number): void {
    const refuse = (code: WireErrorCode, detail: string): void =>
      this.send(session.address, encode({ type: 'error', ref: session.token, code, arg: m.cseq, detail }));
    if (m.target !== 0) return refuse('UDPCHAT_ERR_UNSUPPORTED', 'only the room (target 0) is supported');
    if (m.text.length === 0) return refuse('UDPCHAT_ERR_TEXT_INVALID', 'empty message');
    if (Buffer.byteLength(m.text) > this.options.maxText) {
      return refuse('UDPCHAT_ERR_TEXT_TOO_LONG', `at most ${this.options.maxText} bytes`);
    }
    this.stats.accepted++;
    this.log.append({ kind: 'msg', time: now, nick: session.nick, target: 0, text: m.text });
  }

  private onNack(session: Session, m: NackMessage): void {
    const to = Math.min(m.to, this.log.lastSeq);
    if (m.from > to) return this.drop('nack-ahead');
    if (m.from < this.log.oldestSeq) {
      const detail = `oldest kept is ${this.log.oldestSeq}`;
      const arg = this.log.oldestSeq;
      return this.send(session.address, encode({ type: 'error', ref: session.token, code: 'UDPCHAT_ERR_HISTORY_GONE', arg, detail }));
    }
    for (const d of packEntries(m.from, to, (s) => this.log.bytesOf(s), MAX_REPAIR_DATAGRAMS)) this.send(session.address, d);
  }

  /** Sends ROSTER page `page` of the current member list. */
  sendRosterPage(session: Session, page: number): void {
    const { asOfSeq, pages } = this.roster();
    const nicks = pages[page];
    if (nicks === undefined) return this.drop('bad-page');
    this.send(session.address, encode({ type: 'roster', asOfSeq, page, pages: pages.length, nicks }));
  }

  /** Number of roster pages right now. */
  rosterPageCount(): number {
    return this.roster().pages.length;
  }

  /**
   * The member list in pages, computed once per membership change. asOfSeq is the room seq when it
   * was computed: every join/leave entry up to it is reflected, none after it (membership changes
   * would have made a new list), so chat traffic no longer changes it between page requests.
   */
  private roster(): { asOfSeq: number; pages: string[][] } {
    const nicks = this.sessions.nicks();
    if (this.rosterCache?.nicks !== nicks) this.rosterCache = { nicks, asOfSeq: this.log.lastSeq, pages: rosterPages(nicks) };
    return this.rosterCache;
  }

  private replyUnknownSession(token: Buffer, from: PeerAddress, requestBytes: number, now: number): void {
    this.drop('unknown-session');
    const reply = encode({ type: 'error', ref: token, code: 'UDPCHAT_ERR_UNKNOWN_SESSION', arg: 0, detail: '' });
    // Unproven address: never answer with more bytes than we got, and only so often.
    if (reply.length <= requestBytes && this.unknownReplies.take(now)) this.send(from, reply);
  }

  private cutOff(session: Session, now: number): void {
    this.drop('hard-limit');
    this.send(session.address, encode({ type: 'error', ref: session.token, code: 'UDPCHAT_ERR_FLOODING', arg: 0, detail: '' }));
    this.send(session.address, encode({ type: 'bye', token: session.token, reason: 'flooding' }));
    this.endSession(session, 'flooding', now);
  }

  /** Removes a session and announces it with a leave entry. */
  endSession(session: Session, reason: LeaveReason, now: number): void {
    this.removeSession(session);
    if (reason !== 'shutdown') this.log.append({ kind: 'leave', time: now, nick: session.nick, reason });
    this.events.push({ type: 'leave', nick: session.nick, address: session.address, reason });
  }

  /** Forgets a session everywhere it is tracked (no leave entry: see endSession). */
  removeSession(session: Session): void {
    this.sessions.remove(session);
    this.throttled.delete(session);
    this.acksDue.delete(session);
  }

  /** Queues a datagram to one peer (never to port 0). */
  send(to: PeerAddress, data: Buffer): void {
    if (to.port === 0) return;
    this.out.push({ to, data });
    this.stats.datagramsOut++;
  }

  emit(e: ServerEvent): void {
    this.events.push(e);
  }

  drop(reason: string): void {
    this.stats.drops[reason] = (this.stats.drops[reason] ?? 0) + 1;
  }

  /** Fans out new entries and sends due ACKs. Call after each batch of received datagrams. */
  flush(now: number): void {
    const last = this.log.lastSeq;
    if (last > this.fannedOut) {
      const members = this.sessions.addresses();
      for (const d of packEntries(this.fannedOut + 1, last, (s) => this.log.bytesOf(s))) {
        this.out.push({ to: members, data: d });
        this.stats.datagramsOut += members.length;
      }
      this.stats.deliveries += (last - this.fannedOut) * members.length;
      this.fannedOut = last;
      this.syncAt = now + this.options.tailSyncMs;
      this.syncsLeft = TAIL_SYNCS;
    }
    for (const s of this.acksDue) this.send(s.address, encode({ type: 'ack', token: s.token, cseq: s.nextCseq - 1 }));
    this.acksDue.clear();
  }

  /** Runs timers: throttled inboxes, tail SYNC, idle eviction. Then flushes. */
  tick(now: number): void {
    // drainInbox may delete the session from the set: safe while iterating a Set.
    for (const s of this.throttled) this.drainInbox(s, now);
    if (this.syncAt !== undefined && now >= this.syncAt) {
      // Twice (after 1× and 5× tailSyncMs), so one lost SYNC does not leave a lost last message
      // waiting for the next heartbeat.
      this.syncsLeft--;
      this.syncAt = this.syncsLeft > 0 ? now + 4 * this.options.tailSyncMs : undefined;
      const members = this.sessions.addresses();
      this.out.push({ to: members, data: encode({ type: 'sync', lastSeq: this.log.lastSeq }) });
      this.stats.datagramsOut += members.length;
    }
    if (now >= this.housekeepingAt) {
      this.housekeepingAt = now + HOUSEKEEPING_MS;
      for (const s of this.sessions.all()) {
        // A session whose client never used its token (every WELCOME lost, the client gave up)
        // must not hold its nickname for the whole idle timeout.
        const unconfirmed = !s.confirmed && now - s.joinedAt > Math.min(UNCONFIRMED_MS, this.options.idleTimeoutMs);
        // Its client may still be retrying that JOIN with the same cookie: let it through again.
        if (unconfirmed) this.sessions.forgetCookie(s.cookieHex);
        if (unconfirmed || now - s.lastHeard > this.options.idleTimeoutMs) {
          this.send(s.address, encode({ type: 'bye', token: s.token, reason: 'timeout' }));
          this.endSession(s, 'timeout', now);
        }
      }
      this.sessions.pruneCookies(now);
    }
    this.flush(now);
  }

  /** The earliest time `tick` has work to do. */
  nextDeadline(now: number): number {
    let t = this.housekeepingAt;
    if (this.syncAt !== undefined) t = Math.min(t, this.syncAt);
    for (const s of this.throttled) t = Math.min(t, s.flood.nextTokenAt(now));
    return t;
  }

  /** Tells every member the server is going away (BYE shutdown) and forgets them. */
  shutdown(now: number): void {
    this.flush(now);
    for (const s of this.sessions.all()) {
      this.send(s.address, encode({ type: 'bye', token: s.token, reason: 'shutdown' }));
      this.endSession(s, 'shutdown', now);
    }
  }

  /** Takes the queued datagrams and events. */
  drain(): { datagrams: Outgoing[]; events: ServerEvent[] } {
    const result = { datagrams: this.out, events: this.events };
    this.out = [];
    this.events = [];
    return result;
  }

  /** A fresh session token. */
  newToken(): Buffer {
    return this.random(TOKEN_BYTES);
  }

  /** A cookie for `from` in the current bucket. */
  cookieFor(from: PeerAddress, now: number): Buffer {
    return makeCookie(this.cookieKey, from, Math.floor(now / this.options.cookieBucketMs));
  }

  newFloodBuckets(now: number): { flood: TokenBucket; hard: TokenBucket } {
    return {
      flood: new TokenBucket(this.options.rate, this.options.burst, now),
      hard: new TokenBucket(this.options.hardRate, this.options.hardBurst, now),
    };
  }
}
