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
 * - With persistence (§6.1.10) nothing that depends on an entry or an accepted message leaves the
 *   core before the shell reported its store record durable: fan-out, repair, history, PONG and
 *   SYNC see only durable entries (StagedLog), ACKs and refusals wait in DurableAcks.
 */
import { timingSafeEqual } from 'node:crypto';
import { encodeAck, isClientMessage, tryDecode } from '../protocol/codec.js';
import { CHECKSUM_BYTES, HEADER_BYTES, INSTANCE_BYTES, MAX_DETAIL_BYTES, TOKEN_BYTES } from '../protocol/constants.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { WireErrorCode } from '../protocol/error-codes.js';
import type { LeaveReason, NackMessage, ServerMessage } from '../protocol/messages.js';
import { COOKIE_NONCE_BYTES, makeCookie, verifyCookie } from './cookie.js';
import { DurableAcks } from './durable-acks.js';
import type { NickBinding } from '../protocol/seal/nick-bindings.js';
import { NICK_TOUCH_MS, NickOwners } from './nick-owners.js';
import { ownerOf } from './whois.js';
import { ownerBytes } from '../protocol/whois-codec.js';
import { type JoinContext, cookieReply, handleJoin } from './join-handler.js';
import { GapRepair } from './gap-repair.js';
import { HistoryPages, PAGE_BURST_BYTES, PAGE_RATE_BYTES } from './history-pages.js';
import { JoinLimiter } from './join-limiter.js';
import { SourceLimits } from './source-limits.js';
import { Outbound } from './outbound.js';
import { type Framing, dataFraming, packEntries } from './pack-entries.js';
import type { PeerAddress } from './peer-address.js';
import { ProducedBytes, RepairBudget } from './repair-budget.js';
import { type RestoredState, restoreSessions } from './restore-state.js';
import { RosterBook, type RosterSnapshot, rosterPageBytes } from './roster.js';
import { StagedLog, type StoreRead } from './staged-log.js';
import type { StoreRecord } from './store/record-codec.js';
import { type ServerOptions, resolveServerOptions } from './server-options.js';
import type { Outgoing, SealedPeer, ServerEvent, ServerStats } from './server-types.js';
import { type Numbered, type Session, SessionTable } from './session-table.js';
import { Rooms } from './rooms.js';
import { TokenBucket } from './token-bucket.js';

export type { Outgoing, SealedPeer, ServerEvent, ServerStats } from './server-types.js';

/** Out-of-order or held messages kept per session. */
const INBOX_WINDOW = 64;
const HOUSEKEEPING_MS = 1_000;
const TAIL_SYNCS = 2;
/** How long a session may go without the client ever using its token. */
const UNCONFIRMED_MS = 10_000;
/** An ERROR with an empty detail (the UNKNOWN_SESSION reply, §5.2). */
const EMPTY_ERROR_BYTES = HEADER_BYTES + TOKEN_BYTES + 2 + 4 + 1 + CHECKSUM_BYTES;

export class ServerCore {
  readonly options: ServerOptions;
  readonly instance: Buffer;
  readonly stats: ServerStats = { received: 0, accepted: 0, datagramsOut: 0, cookies: 0, deliveries: 0, drops: {} };
  /** The room log (read-only use outside the core): what readers see is durable. */
  readonly log: StagedLog;
  /** Entries and accepted messages are acknowledged only once the shell reports them durable. */
  readonly persistent: boolean;
  /** The sessions (read-only use outside the core). */
  readonly sessions: SessionTable;
  private readonly cookieKey: Buffer;
  private readonly random: (n: number) => Buffer;
  private readonly out: Outbound;
  private events: ServerEvent[] = [];
  private fannedOut = 0;
  private syncAt: number | undefined;
  /** Tail SYNCs still to send after the last fan-out. */
  private syncsLeft = 0;
  private housekeepingAt: number;
  private readonly unknownReplies: TokenBucket;
  private readonly cookieReplies: TokenBucket;
  private readonly cookieChecks: TokenBucket;
  private readonly joins: JoinLimiter;
  private readonly sources = new SourceLimits();
  /** Bytes fanned out so far: what every member's repair budget is credited from. */
  private readonly produced = new ProducedBytes();
  /** Sessions with messages held back by the flood limit. */
  private readonly throttled = new Set<Session>();
  private readonly rosterBook: RosterBook;
  /** Room 0's DATA, packed to options.maxDatagram. */
  private readonly framing: Framing;
  /** Sessions owed an ACK at the next flush. */
  private readonly acksDue = new Set<Session>();
  private readonly joinContext: JoinContext;
  /** Accepted messages (persistent mode) waiting for their record to be durable. */
  private readonly durableAcks = new DurableAcks();
  /** NACKs to answer from the store (persistent mode), handed to the shell by drain(). */
  /** Sessions with a store read in flight (one at a time each). */
  private readonly repair: GapRepair;
  /** HISTORY answers (§6.1.11), paced per session. */
  private readonly pages: HistoryPages;
  /** Rooms and private messages (§6.3), for sessions with capability bit 0. */
  readonly rooms: Rooms;
  /** Nick ownership (nick-owners.ts); the shell saves `nicks.entries()` when `nicks.changes` moves. */
  readonly nicks: NickOwners;
  private nickTouchAt: number;

  /**
   * `persistent`: hand entries to the shell to store (drain().records) and acknowledge only what
   * it reports durable (`durable()`). `restore`: start from what the store recovered. Throws a
   * RangeError for options no server can honour (resolveServerOptions).
   */
  constructor(
    options: Partial<ServerOptions> & {
      random: (n: number) => Buffer;
      now: number;
      persistent?: boolean;
      restore?: RestoredState | undefined;
      /** The nick bindings saved by the last run (store/nick-file.ts). */
      nickBindings?: Iterable<NickBinding> | undefined;
    },
  ) {
    const { random, now, persistent = false, restore, nickBindings, ...rest } = options;
    this.options = resolveServerOptions(rest);
    this.random = random;
    this.persistent = persistent;
    this.instance = restore?.instance ?? random(INSTANCE_BYTES);
    this.cookieKey = random(32);
    this.log = new StagedLog(this.options.logEntries, !persistent);
    this.sessions = new SessionTable(this.options.sessionsPerIp);
    this.out = new Outbound(this.stats);
    this.repair = new GapRepair(this.log, this.out, (reason) => this.drop(reason), (s) => this.rooms.lobbyRendering(s));
    this.pages = new HistoryPages(this.log, this.out, (reason) => this.drop(reason), this.options.maxDatagram);
    this.rosterBook = new RosterBook(this.options.maxDatagram);
    this.framing = dataFraming(this.options.maxDatagram);
    this.unknownReplies = new TokenBucket(this.options.unknownSessionReplies, this.options.unknownSessionReplies, now);
    this.cookieReplies = new TokenBucket(this.options.cookieReplies, this.options.cookieReplies, now);
    // Each JOIN with a cookie may be retried a few times: checks get four times the reply budget.
    this.cookieChecks = new TokenBucket(4 * this.options.cookieReplies, 4 * this.options.cookieReplies, now);
    // As many new sessions per minute per IP as it may hold at once (sessionsPerIp), burst as many.
    this.joins = new JoinLimiter(this.options.sessionsPerIp, this.options.sessionsPerIp);
    this.housekeepingAt = now + HOUSEKEEPING_MS;
    this.nicks = new NickOwners(this.options.nickReleaseMs, nickBindings);
    this.nickTouchAt = now + NICK_TOUCH_MS;
    this.rooms = new Rooms({
      options: this.options,
      sessions: this.sessions,
      log: this.log,
      out: this.out,
      produced: this.produced,
      stats: this.stats,
      nicks: this.nicks,
      random: (n) => this.random(n),
      drop: (reason) => this.drop(reason),
      overdrawn: (s, t) => this.overdrawn(s, t),
      nackLobby: (s, from, to, t) => this.onNack(s, { from, to }, t),
    });
    this.joinContext = this.newJoinContext();
    if (restore !== undefined) {
      this.log.restore(restore.lastSeq, restore.tail);
      this.log.storedFrom = restore.oldestStored;
      this.durableAcks.restore(restore.cseqs);
      restoreSessions(this.sessions, restore, (t) => this.joinContext.newLimits(t), now);
    }
  }

  /**
   * Handles one received datagram. Never throws for anything the peer sent. `peer`: set by the
   * seal layer for a datagram of a sealed session (the sender's user key); undefined for cleartext.
   */
  receive(data: Buffer, from: PeerAddress, now: number, peer?: SealedPeer): void {
    this.stats.received++;
    if (from.port === 0) return this.drop('port-zero');
    const m = tryDecode(data);
    if (m instanceof ProtocolError) return this.drop(m.code);
    if (m.type === 'join') return handleJoin(this.joinContext, m, from, data.length, now, peer);
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
      case 'ping': {
        // PING.delivered is informational (§6.1.2): repair is driven by NACKs.
        this.out.send(session.address, { type: 'pong', lastSeq: this.log.lastSeq, echo: m.echo });
        const state = this.rooms.state(session);
        return state === undefined ? undefined : this.out.send(session.address, state);
      }
      case 'nack':
        return this.onNack(session, m, now);
      case 'who':
        return this.sendRosterPage(session, m.page, now);
      case 'whois':
        return this.sendOwner(session, m.nick, now);
      case 'history':
        return this.pages.request(session, m, now);
      case 'leave':
        this.out.send(session.address, { type: 'bye', token: session.token, reason: 'quit' });
        return this.endSession(session, 'quit', now);
      case 'rsay':
      case 'cmd':
      case 'rnack':
      case 'rwho':
        // Only for sessions that enabled rooms (§4.5, §6.3).
        if (!Rooms.enabled(session)) return this.drop('no-rooms');
        if (m.type === 'rnack') return this.rooms.nack(session, m, now);
        if (m.type === 'rwho') return this.rooms.who(session, m, now);
        return this.onSay(session, m, now);
    }
  }

  /** A SAY, RSAY or CMD: one cseq space per session (§6.1.4, §6.3.1). */
  private onSay(session: Session, m: Numbered, now: number): void {
    if (m.cseq < session.nextCseq) {
      this.drop('duplicate');
      // Accepted but not yet durable: its ACK comes when it is (an early one would claim less
      // and look like a loss signal to the client).
      if (m.cseq <= this.ackedCseq(session)) this.acksDue.add(session);
      return;
    }
    if (m.cseq >= session.nextCseq + INBOX_WINDOW) return this.drop('outside-window');
    // The usual case: the next message, nothing held. Accepted as drainInbox would, without the
    // inbox (a refusal by the flood limit costs no token: the general path below asks again).
    if (m.cseq === session.nextCseq && session.inbox.size === 0 && session.flood.take(now)) {
      session.nextCseq++;
      if (!this.persistent) this.acksDue.add(session);
      this.accept(session, m, now);
      this.throttled.delete(session);
      return;
    }
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
      if (!this.persistent) this.acksDue.add(session);
      this.accept(session, m, now);
    }
    this.throttled.delete(session);
  }

  private accept(session: Session, m: Numbered, now: number): void {
    // A command, or a message anywhere but as a plain SAY in room 0 (§6.3.2–3).
    if (m.type === 'cmd' || (m.type === 'rsay' && (m.roomId !== 0 || m.action))) {
      const refusal = this.rooms.accept(session, m, now);
      if (refusal !== undefined) return this.refuse(session, m, refusal.code, refusal.detail);
      if (!this.persistent) return;
      // Acknowledged once what it appended to room 0 (if anything) is durable: the mark comes after it.
      this.durableAcks.hold({ ordinal: this.log.mark(Buffer.from(session.clientIdHex, 'hex'), m.cseq), session, cseq: m.cseq });
      return;
    }
    if (m.type === 'say' && m.target !== 0) return this.refuse(session, m, 'UDPCHAT_ERR_UNSUPPORTED', 'only the room (target 0) is supported');
    if (m.text.length === 0) return this.refuse(session, m, 'UDPCHAT_ERR_TEXT_INVALID', 'empty message');
    const bytes = Buffer.byteLength(m.text);
    if (bytes > this.options.maxText) {
      return this.refuse(session, m, 'UDPCHAT_ERR_TEXT_TOO_LONG', `text is ${bytes} bytes, at most ${this.options.maxText}`.slice(0, MAX_DETAIL_BYTES));
    }
    this.stats.accepted++;
    const entry = { kind: 'msg', time: now, nick: session.nick, target: 0, text: m.text } as const;
    if (!this.persistent) return this.log.append(entry);
    this.log.append(entry, { clientId: Buffer.from(session.clientIdHex, 'hex'), cseq: m.cseq });
    this.durableAcks.hold({ ordinal: this.log.made, session, cseq: m.cseq });
  }

  /** Refuses an accepted message with an ERROR (once its cseq is durable, if persistent). */
  private refuse(session: Session, m: Numbered, code: WireErrorCode, detail: string): void {
    const refusal: ServerMessage = { type: 'error', ref: session.token, code, arg: m.cseq, detail: detail.slice(0, MAX_DETAIL_BYTES) };
    if (!this.persistent) return this.out.send(session.address, refusal);
    const ordinal = this.log.mark(Buffer.from(session.clientIdHex, 'hex'), m.cseq);
    this.durableAcks.hold({ ordinal, session, cseq: m.cseq, refusal });
  }

  /** The highest cseq of this session that may be acknowledged (accepted, and durable if persistent). */
  private ackedCseq(s: Session): number {
    return this.persistent ? this.durableAcks.acked(s.clientIdHex) : s.nextCseq - 1;
  }

  /**
   * The shell stored the first `count` records it took from drain() (persistent mode): their
   * entries become visible and are fanned out, their messages acknowledged or refused. Flushes.
   */
  durable(count: number, now: number, oldestStored = this.log.storedFrom): void {
    this.log.durable(count);
    this.log.storedFrom = oldestStored;
    for (const w of this.durableAcks.release(count)) {
      // A session taken over meanwhile: its client resends and gets the ACK then.
      if (this.sessions.byAddress(w.session.address) !== w.session) continue;
      if (w.refusal !== undefined) this.out.send(w.session.address, w.refusal);
      this.acksDue.add(w.session);
    }
    this.flush(now);
  }

  /** Gap repair (§6.1.6), within the session's repair budget (gap-repair.ts). */
  private onNack(session: Session, m: Pick<NackMessage, 'from' | 'to'>, now: number): void {
    if (this.repair.nack(session, m) === 'overdrawn') this.overdrawn(session, now);
  }

  /** The shell read what a StoreRead asked for (empty if the read failed): repair DATA or a PAGE, if the session still exists. */
  storedEntries(read: StoreRead, entries: readonly { seq: number; bytes: Buffer }[], now: number): void {
    const session = read.session as Session;
    const live = this.sessions.byAddress(session.address) === session;
    if (read.page === true) this.pages.stored(read, entries, live, now);
    else this.repair.stored(read, entries, live);
  }

  /** Sends ROSTER page `page` of the current member list, within the repair budget. */
  private sendRosterPage(session: Session, page: number, now: number): void {
    const { asOfSeq, pages } = this.roster();
    const nicks = pages[page];
    if (nicks === undefined) return this.drop('bad-page');
    const bytes = rosterPageBytes(nicks);
    if (bytes > session.repair.bytes) return this.overdrawn(session, now);
    session.repair.spend(bytes);
    this.out.send(session.address, { type: 'roster', asOfSeq, page, pages: pages.length, nicks: [...nicks] });
  }

  /** Answers WHOIS (§6.1.6) within the repair budget. */
  private sendOwner(session: Session, nick: string, now: number): void {
    const reply = ownerOf(this.nicks, this.sessions, session.token, nick);
    const bytes = ownerBytes(reply);
    if (bytes > session.repair.bytes) return this.overdrawn(session, now);
    session.repair.spend(bytes);
    this.out.send(session.address, reply);
  }

  /** A request the budget cannot answer: dropped (the client asks again later), and past a limit the session is cut off. */
  private overdrawn(session: Session, now: number): void {
    this.drop('repair-budget');
    if (session.repair.refuse(now)) this.cutOff(session, now);
  }

  /** Every page of room 0's member list to a new session: RROSTER with rooms, else ROSTER. */
  private sendLobbyRoster(s: Session): void {
    if (Rooms.enabled(s)) return this.rooms.sendLobbyRoster(s);
    const { asOfSeq, pages } = this.roster();
    pages.forEach((nicks, page) => this.out.send(s.address, { type: 'roster', asOfSeq, page, pages: pages.length, nicks: [...nicks] }));
  }

  private roster(): RosterSnapshot {
    return this.rosterBook.snapshot(this.sessions.nicks(), this.log.lastSeq);
  }

  private replyUnknownSession(token: Buffer, from: PeerAddress, requestBytes: number, now: number): void {
    this.drop('unknown-session');
    // Unproven address: never answer with more bytes than we got, and only so often.
    if (EMPTY_ERROR_BYTES <= requestBytes && this.unknownReplies.take(now)) {
      this.out.send(from, { type: 'error', ref: token, code: 'UDPCHAT_ERR_UNKNOWN_SESSION', arg: 0, detail: '' });
    }
  }

  private cutOff(session: Session, now: number): void {
    this.drop('hard-limit');
    this.out.send(session.address, { type: 'error', ref: session.token, code: 'UDPCHAT_ERR_FLOODING', arg: 0, detail: '' });
    this.out.send(session.address, { type: 'bye', token: session.token, reason: 'flooding' });
    this.endSession(session, 'flooding', now);
  }

  /** Removes a session and announces it with a leave entry (none for a shutdown). */
  private endSession(session: Session, reason: LeaveReason, now: number): void {
    this.removeSession(session);
    this.rooms.ended(session, reason, now);
    if (session.ownerKey !== undefined) this.nicks.touch(session.nickKey, session.ownerKey, now);
    if (reason !== 'shutdown') this.log.append({ kind: 'leave', time: now, nick: session.nick, reason });
    this.events.push({ type: 'leave', nick: session.nick, address: session.address, reason });
  }

  /** Forgets a session everywhere it is tracked (no leave entry: see endSession). */
  private removeSession(session: Session): void {
    this.sessions.remove(session);
    this.throttled.delete(session);
    this.acksDue.delete(session);
    this.repair.forget(session);
    this.pages.forget(session);
  }

  private drop(reason: string): void {
    this.stats.drops[reason] = (this.stats.drops[reason] ?? 0) + 1;
  }

  /** Fans out new entries and sends due ACKs. Call after each batch of received datagrams. */
  flush(now: number): void {
    const last = this.log.lastSeq;
    if (last > this.fannedOut) {
      const members = this.sessions.addresses();
      // Entries that read differently with rooms (§6.3.5) go out in two renderings; the rest as one DATA to all.
      if (this.rooms.richIn(this.fannedOut + 1, last)) this.produced.total += this.rooms.fanOutLobbyTwice(this.fannedOut + 1, last);
      else {
        // One new entry (the usual case below a few hundred messages/s): one DATA, as packEntries would make it.
        const one = last === this.fannedOut + 1 ? this.log.bytesOf(last) : undefined;
        const datagrams = one !== undefined ? [this.framing.frame(last, [one])] : packEntries(this.fannedOut + 1, last, (s) => this.log.bytesOf(s), this.framing);
        for (const d of datagrams) {
          this.out.fanOut(members, d);
          this.produced.total += d.length;
        }
      }
      this.stats.deliveries += (last - this.fannedOut) * members.length;
      this.fannedOut = last;
      this.syncAt = now + this.options.tailSyncMs;
      this.syncsLeft = TAIL_SYNCS;
    }
    this.rooms.flush(now);
    for (const s of this.acksDue) this.out.sendBytes(s.address, encodeAck(s.token, this.ackedCseq(s)));
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
      this.out.fanOut(this.sessions.addresses(), { type: 'sync', lastSeq: this.log.lastSeq });
    }
    this.rooms.tick(now);
    if (now >= this.housekeepingAt) this.housekeeping(now);
    this.pages.tick(now);
    this.flush(now);
  }

  /** Once a second: evicts silent and unconfirmed sessions, forgets expired cookies (§6.1.7). */
  private housekeeping(now: number): void {
    this.housekeepingAt = now + HOUSEKEEPING_MS;
    for (const s of this.sessions.all()) {
      // A session whose client never used its token (every WELCOME lost, the client gave up)
      // must not hold its nickname for the whole idle timeout.
      const unconfirmed = !s.confirmed && now - s.joinedAt > Math.min(UNCONFIRMED_MS, this.options.idleTimeoutMs);
      // Its client may still be retrying that JOIN with the same cookie: let it through again.
      if (unconfirmed) this.sessions.forgetCookie(s.cookieHex);
      if (unconfirmed || now - s.lastHeard > this.options.idleTimeoutMs) {
        this.out.send(s.address, { type: 'bye', token: s.token, reason: 'timeout' });
        this.endSession(s, 'timeout', now);
      }
    }
    this.sessions.pruneCookies(now);
    if (now >= this.nickTouchAt) {
      this.nickTouchAt = now + NICK_TOUCH_MS;
      for (const s of this.sessions.all()) if (s.ownerKey !== undefined) this.nicks.touch(s.nickKey, s.ownerKey, now);
    }
  }

  /** The earliest time `tick` has work to do. */
  nextDeadline(now: number): number {
    let t = this.housekeepingAt;
    if (this.syncAt !== undefined) t = Math.min(t, this.syncAt);
    if (this.throttled.size > 0) for (const s of this.throttled) t = Math.min(t, s.flood.nextTokenAt(now));
    return Math.min(t, this.pages.nextDeadline(now), this.rooms.nextDeadline());
  }

  /** Tells every member the server is going away (BYE shutdown) and forgets them. */
  shutdown(now: number): void {
    this.flush(now);
    for (const s of this.sessions.all()) {
      this.out.send(s.address, { type: 'bye', token: s.token, reason: 'shutdown' });
      this.endSession(s, 'shutdown', now);
    }
  }

  /** Takes the queued datagrams (encoded now), events, and (persistent mode) the records to store, in order. */
  drain(): { datagrams: Outgoing[]; events: ServerEvent[]; records: StoreRecord[]; reads: StoreRead[] } {
    const repairs = this.repair.takeReads();
    const pages = this.pages.takeReads();
    const reads = pages.length === 0 ? repairs : repairs.length === 0 ? pages : [...repairs, ...pages];
    const result = { datagrams: this.out.drain(), events: this.events, records: this.log.takeRecords(), reads };
    this.events = [];
    return result;
  }

  /**
   * For the seal layer: a cookie to answer an unproven address's HELLO with, within the same
   * per-source and server-wide budgets as a JOIN's COOKIE (undefined: a counted drop).
   */
  helloCookie(from: PeerAddress, clientId: Buffer, now: number): Buffer | undefined {
    this.stats.received++;
    return cookieReply(this.joinContext, from, clientId, now);
  }

  /**
   * For the seal layer: true if `cookie` is one this server gave `from` and `clientId` lately,
   * checked within the server-wide budget of cookie checks (false: a counted drop).
   */
  checkCookie(from: PeerAddress, clientId: Buffer, cookie: Buffer, now: number): boolean {
    const ok = this.cookieChecks.take(now) ? verifyCookie(this.cookieKey, from, clientId, cookie, now, this.options.cookieBucketMs) : undefined;
    if (ok !== true) this.drop(ok === undefined ? 'cookie-check-rate' : 'bad-cookie');
    return ok === true;
  }

  /** Counts a datagram dropped outside the core (the seal layer's refusals), by reason. */
  countDrop(reason: string): void {
    this.stats.received++;
    this.drop(reason);
  }

  /** A valid cookie for `from` and `clientId` now (what a COOKIE reply would carry). */
  cookieFor(from: PeerAddress, clientId: Buffer, now: number): Buffer {
    return makeCookie(this.cookieKey, from, clientId, Math.floor(now / this.options.cookieBucketMs), this.random(COOKIE_NONCE_BYTES));
  }

  /** The narrow view the join path gets (join-handler.ts). */
  private newJoinContext(): JoinContext {
    return {
      options: this.options,
      sessions: this.sessions,
      log: this.log,
      instance: this.instance,
      out: this.out,
      makeCookie: (from, clientId, now) => this.cookieFor(from, clientId, now),
      verifyCookie: (from, clientId, cookie, now) => verifyCookie(this.cookieKey, from, clientId, cookie, now, this.options.cookieBucketMs),
      newToken: () => this.random(TOKEN_BYTES),
      newLimits: (now) => ({
        flood: new TokenBucket(this.options.rate, this.options.burst, now),
        hard: new TokenBucket(this.options.hardRate, this.options.hardBurst, now),
        repair: new RepairBudget(this.produced),
        paging: new TokenBucket(PAGE_RATE_BYTES, PAGE_BURST_BYTES, now),
      }),
      joins: this.joins,
      sources: this.sources,
      nicks: this.nicks,
      takeCookieReply: (now) => this.cookieReplies.take(now),
      takeCookieCheck: (now) => this.cookieChecks.take(now),
      drop: (reason) => this.drop(reason),
      countCookie: () => this.stats.cookies++,
      emit: (e) => this.events.push(e),
      endSession: (s, reason, now) => this.endSession(s, reason, now),
      removeSession: (s) => this.removeSession(s),
      sendLobbyRoster: (s) => this.sendLobbyRoster(s),
      lobbyRendering: (s) => this.rooms.lobbyRendering(s),
      takenOver: (old, fresh) => this.rooms.takenOver(old, fresh),
      ackedCseq: (s) => this.ackedCseq(s),
    };
  }
}
