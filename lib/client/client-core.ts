/**
 * The sans-I/O client session (docs/protocol.md §6.2). It takes `(datagram, now)` and queues
 * datagrams for the server and events for the front end; chat-client.ts owns socket and clock.
 *
 * Invariants:
 * - Room entries are delivered to the front end exactly once, in sequence order.
 * - A message passed to say() is retransmitted until acknowledged or refused; across a rejoin it
 *   is renumbered, never dropped (what the server already accepted is reported by WELCOME).
 * - Datagrams that do not decode, or that name another client id or token, change nothing.
 * - After a first successful join the session never gives up on the server until leave().
 */
import { decode, encode } from '../protocol/codec.js';
import { CLIENT_ID_BYTES, COOKIE_BYTES, DEFAULTS, INSTANCE_BYTES, MAX_TEXT_BYTES } from '../protocol/constants.js';
import { ERROR_DESCRIPTIONS } from '../protocol/error-codes.js';
import type { ByeMessage, Entry, ErrorMessage, Message, WelcomeMessage } from '../protocol/messages.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { Outbox, type OutgoingMessage } from './outbox.js';
import { RoomStream } from './room-stream.js';
import { RosterState } from './roster-state.js';
import { RttEstimator } from './rtt-estimator.js';
import type { ClientEvent, ConnectionState } from './session-types.js';
import { splitText } from './split-text.js';

type Phase = 'idle' | 'hello' | 'joining' | 'online' | 'leaving' | 'failed' | 'closed';

export interface ClientCoreOptions {
  nick: string;
  clientId: Buffer;
  /** How long the first join may take before it is reported unreachable. */
  joinTimeoutMs?: number;
}

const JOIN_RETRY_MIN_MS = 250;
const JOIN_RETRY_MAX_MS = 1_000;
/** Once the server has answered (COOKIE), retries come faster: it is there, only loss is in the way. */
const JOIN_RETRY_MAX_JOINING_MS = 500;
const STALLED_PING_MS = 1_000;
const LEAVE_RETRY_MS = 250;
const LEAVE_ATTEMPTS = 4;
const ZERO_COOKIE = Buffer.alloc(COOKIE_BYTES);
const ZERO_INSTANCE = Buffer.alloc(INSTANCE_BYTES);
const JOIN_REFUSALS = new Set(['UDPCHAT_ERR_NICK_TAKEN', 'UDPCHAT_ERR_NICK_INVALID', 'UDPCHAT_ERR_SERVER_FULL', 'UDPCHAT_ERR_TOO_MANY_SESSIONS']);

export class ClientCore {
  readonly clientId: Buffer;
  readonly rtt = new RttEstimator();
  readonly outbox = new Outbox(this.rtt);
  readonly room = new RoomStream();
  readonly roster = new RosterState();
  nick: string;
  phase: Phase = 'idle';
  drops = 0;
  private everOnline = false;
  private joinTimeoutMs: number;
  /** Start of the join's give-up bound; an answer from the server (COOKIE) restarts it. */
  private joinStartedAt = 0;
  private joinAt = Infinity;
  private joinBackoff = JOIN_RETRY_MIN_MS;
  /** When the only JOIN of this handshake step went out (undefined once retried: Karn). */
  private joinSentAt: number | undefined;
  private cookie: Buffer = ZERO_COOKIE;
  private token: Buffer | undefined;
  private instance: Buffer | undefined;
  private heartbeatMs: number = DEFAULTS.heartbeatMs;
  private idleTimeoutMs: number = DEFAULTS.idleTimeoutMs;
  private maxText = MAX_TEXT_BYTES;
  private lastHeard = 0;
  private pingAt = Infinity;
  private readonly pingEchoes = new Map<number, number>();
  private nackAt: number | undefined;
  private lastNackAt = -Infinity;
  private rosterAt = Infinity;
  private leaveAt = Infinity;
  private leaveAttempts = 0;
  private shownState: ConnectionState | undefined;
  /** The latest `now` any method was given (the state getter has no clock of its own). */
  private clock = 0;
  private out: Buffer[] = [];
  private events: ClientEvent[] = [];

  constructor(options: ClientCoreOptions) {
    if (options.clientId.length !== CLIENT_ID_BYTES) throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', 'clientId must be 16 bytes');
    this.clientId = options.clientId;
    this.nick = options.nick;
    this.joinTimeoutMs = options.joinTimeoutMs ?? 10_000;
  }

  /** The state a front end shows (docs/protocol.md §6.2.1). */
  get state(): ConnectionState {
    switch (this.phase) {
      case 'online':
        return this.stalled() ? 'reconnecting' : 'online';
      case 'hello':
      case 'joining':
        return this.everOnline ? 'reconnecting' : 'joining';
      case 'leaving':
      case 'closed':
        return 'closed';
      default:
        return 'joining';
    }
  }

  /** Starts joining (again, after a refusal, possibly with another nickname). */
  join(now: number, nick?: string): void {
    this.clock = now;
    if (this.phase === 'closed' || this.phase === 'leaving') throw new ProtocolError('UDPCHAT_ERR_NOT_JOINED', 'session is closed');
    if (this.phase === 'online') return;
    if (nick !== undefined) this.nick = nick;
    this.beginHello(now);
    this.updateState();
  }

  /** Queues text to say, split into parts the protocol carries. Throws after the session closed. */
  say(text: string, now: number): void {
    this.clock = now;
    if (this.phase === 'closed' || this.phase === 'leaving') throw new ProtocolError('UDPCHAT_ERR_NOT_JOINED', 'session is closed');
    for (const part of splitText(text, this.maxText)) this.outbox.push(part);
    this.sendNew(now);
  }

  /** Leaves politely: LEAVE until BYE (bounded), then closed. */
  leave(now: number): void {
    this.clock = now;
    if (this.phase === 'closed' || this.phase === 'leaving') return;
    if (this.phase !== 'online' || this.token === undefined) return this.close('left');
    this.phase = 'leaving';
    this.leaveAttempts = 0;
    this.leaveAt = now;
    this.tick(now);
  }

  /** Handles one datagram from the server. Never throws for anything the network sent. */
  receive(data: Buffer, now: number): void {
    this.clock = now;
    let m: Message;
    try {
      m = decode(data);
    } catch (err) {
      if (err instanceof ProtocolError) {
        this.drops++;
        return;
      }
      throw err;
    }
    if (!this.dispatch(m, now)) this.drops++;
    this.updateState();
  }

  /** False if the datagram was not for us or not expected now (a counted drop). */
  private dispatch(m: Message, now: number): boolean {
    switch (m.type) {
      case 'cookie':
        if (!this.handshaking || !m.clientId.equals(this.clientId)) return false;
        this.heard(now);
        this.sampleHandshake(now);
        // The server is there: heavy loss may still need time, so the bound starts again.
        this.joinStartedAt = now;
        this.cookie = m.cookie;
        this.phase = 'joining';
        this.joinBackoff = JOIN_RETRY_MIN_MS;
        this.sendJoin(now);
        return true;
      case 'welcome':
        if (!this.handshaking || !m.clientId.equals(this.clientId)) return false;
        this.sampleHandshake(now);
        this.onWelcome(m, now);
        return true;
      case 'error':
        return this.onError(m, now);
      default:
        break;
    }
    if (this.phase !== 'online' && this.phase !== 'leaving') return false;
    switch (m.type) {
      case 'data':
        this.heard(now);
        for (const e of m.entries) this.room.add(e);
        this.deliver(now);
        return true;
      case 'sync':
        this.heard(now);
        this.room.seen(m.lastSeq);
        this.deliver(now);
        return true;
      case 'pong':
        return this.onPong(m.lastSeq, m.echo, now);
      case 'ack':
        if (!this.isOurs(m.token)) return false;
        this.heard(now);
        if (this.outbox.ack(m.cseq, now) > 0) this.events.push({ type: 'delivered', pending: this.outbox.size });
        const lost = this.outbox.onAckArrival(now);
        if (lost !== undefined) this.out.push(this.sayDatagram(lost));
        this.sendNew(now);
        return true;
      case 'roster':
        this.heard(now);
        if (this.roster.page(m)) this.events.push({ type: 'roster', nicks: this.roster.nicks() });
        if (this.roster.ready) this.rosterAt = Infinity;
        return true;
      case 'bye':
        return this.onBye(m, now);
      default:
        return false;
    }
  }

  private onWelcome(m: WelcomeMessage, now: number): void {
    const resumed = this.instance !== undefined && this.instance.equals(m.instance);
    if (resumed) {
      const lost = this.room.skipTo(m.historyFrom);
      if (lost > 0) this.events.push({ type: 'notice', text: `${lost} messages sent while you were away could not be recovered` });
      this.room.seen(m.baseSeq);
    } else {
      this.room.reset(m.historyFrom, m.baseSeq);
      this.roster.reset();
    }
    this.roster.restart();
    this.instance = m.instance;
    this.token = m.token;
    this.nick = m.nick;
    this.heartbeatMs = m.heartbeatMs;
    this.idleTimeoutMs = m.idleTimeoutMs;
    this.maxText = Math.min(m.maxText, MAX_TEXT_BYTES);
    if (this.outbox.restart(m.ackedCseq) > 0) this.events.push({ type: 'delivered', pending: this.outbox.size });
    this.phase = 'online';
    this.joinAt = Infinity;
    this.heard(now);
    this.pingAt = now + this.heartbeatMs;
    this.rosterAt = now + 2 * this.rtt.rto;
    this.events.push({ type: 'joined', nick: m.nick, rejoined: this.everOnline });
    this.everOnline = true;
    this.deliver(now);
    this.sendNew(now);
  }

  private onError(m: ErrorMessage, now: number): boolean {
    const reason = m.detail.length > 0 ? m.detail : ERROR_DESCRIPTIONS[m.code];
    if (m.ref.equals(this.clientId)) {
      if (!this.handshaking || !JOIN_REFUSALS.has(m.code)) return false;
      this.failJoin({ type: 'join-failed', code: m.code, reason });
      return true;
    }
    if (!this.isOurs(m.ref)) return false;
    this.heard(now);
    switch (m.code) {
      case 'UDPCHAT_ERR_UNKNOWN_SESSION':
        this.lost(now, 'the server no longer knows this session');
        return true;
      case 'UDPCHAT_ERR_HISTORY_GONE': {
        const lost = this.room.skipTo(m.arg);
        if (lost > 0) this.events.push({ type: 'notice', text: `${lost} messages could not be recovered` });
        this.deliver(now);
        return true;
      }
      case 'UDPCHAT_ERR_FLOODING':
        this.close('cut off by the server for flooding');
        return true;
      default: {
        const text = this.outbox.takeRefused(m.arg);
        if (text === undefined) return false;
        this.events.push({ type: 'refused', text, code: m.code, reason });
        this.sendNew(now);
        return true;
      }
    }
  }

  private onBye(m: ByeMessage, now: number): boolean {
    if (!this.isOurs(m.token)) return false;
    switch (m.reason) {
      case 'quit':
        if (this.phase === 'leaving') this.close('left');
        return true;
      case 'flooding':
        this.close('cut off by the server for flooding');
        return true;
      case 'shutdown':
        this.lost(now, 'the server is shutting down');
        return true;
      case 'timeout':
        this.lost(now, 'the server timed this session out');
        return true;
    }
  }

  private onPong(lastSeq: number, echo: number, now: number): boolean {
    this.heard(now);
    const sentAt = this.pingEchoes.get(echo);
    if (sentAt !== undefined) {
      this.pingEchoes.delete(echo);
      this.rtt.sample(now - sentAt);
      this.shownState = undefined; // the RTT shown changed
    }
    this.room.seen(lastSeq);
    this.deliver(now);
    return true;
  }

  /** Releases in-order entries as events and schedules NACKs for holes. */
  private deliver(now: number): void {
    const released = this.room.release();
    for (const e of released) this.emitEntry(e);
    // Ask soon whether more followed, in case the last DATA and the tail SYNCs were all lost.
    if (released.length > 0) this.pingAt = Math.min(this.pingAt, now + DEFAULTS.activityPingMs);
    if (!this.room.hasGap) this.nackAt = undefined;
    else {
      this.nackAt ??= now + DEFAULTS.nackDelayMs;
      // Repair is moving (a long way behind, e.g. after a stall): ask for the next stretch one
      // round trip after the last NACK rather than a whole RTO later.
      if (released.length > 0) this.nackAt = Math.min(this.nackAt, Math.max(now, this.lastNackAt + (this.rtt.srtt ?? this.rtt.rto)));
    }
  }

  private emitEntry(e: Entry): void {
    const history = e.seq <= this.room.historyEnd;
    if (e.kind === 'msg') {
      this.events.push({ type: 'message', seq: e.seq, time: e.time, nick: e.nick, text: e.text, own: e.nick === this.nick, history });
      return;
    }
    const action = e.kind;
    const base = { type: 'presence' as const, seq: e.seq, time: e.time, nick: e.nick, action, history };
    this.events.push(e.kind === 'leave' ? { ...base, reason: e.reason } : base);
    if (this.roster.presence(e.seq, e.nick, action)) this.events.push({ type: 'roster', nicks: this.roster.nicks() });
  }

  /** Runs due timers: join retries, retransmissions, NACKs, heartbeats, silence, leave. */
  tick(now: number): void {
    this.clock = now;
    if (this.handshaking && now >= this.joinAt) {
      if (!this.everOnline && now - this.joinStartedAt >= this.joinTimeoutMs) {
        const code = 'UDPCHAT_ERR_SERVER_UNREACHABLE';
        this.failJoin(
          this.phase === 'joining'
            ? { type: 'join-failed', code, reason: 'the server answered, but the join did not complete (heavy packet loss?)', answered: true }
            : { type: 'join-failed', code, reason: 'no answer from the server' },
        );
      } else {
        this.sendJoin(now);
      }
    }
    if (this.phase === 'online') this.tickOnline(now);
    if (this.phase === 'leaving' && now >= this.leaveAt && this.token !== undefined) {
      if (this.leaveAttempts >= LEAVE_ATTEMPTS) this.close('left (the server did not confirm)');
      else {
        this.leaveAttempts++;
        this.leaveAt = now + LEAVE_RETRY_MS;
        this.out.push(encode({ type: 'leave', token: this.token }));
      }
    }
    this.updateState();
  }

  private tickOnline(now: number): void {
    const token = this.token as Buffer;
    if (now - this.lastHeard > this.idleTimeoutMs) return this.lost(now, 'the server stopped answering');
    for (const m of this.outbox.takeDue(now)) this.out.push(this.sayDatagram(m));
    if (this.nackAt !== undefined && now >= this.nackAt) {
      for (const [from, to] of this.room.holes()) this.out.push(encode({ type: 'nack', token, from, to }));
      this.nackAt = now + this.rtt.rto;
      this.lastNackAt = now;
    }
    if (now >= this.pingAt) {
      const echo = Math.floor(now) % 2 ** 32;
      this.pingEchoes.set(echo, now);
      if (this.pingEchoes.size > 8) this.pingEchoes.delete(this.pingEchoes.keys().next().value as number);
      this.out.push(encode({ type: 'ping', token, delivered: this.room.nextSeq - 1, echo }));
      this.pingAt = now + (this.stalled(now) ? STALLED_PING_MS : this.heartbeatMs);
    }
    if (now >= this.rosterAt && !this.roster.ready) {
      this.out.push(encode({ type: 'who', token, page: this.roster.missingPage() }));
      this.rosterAt = now + 2 * this.rtt.rto;
    }
  }

  /** The earliest time tick() has something to do. */
  nextDeadline(): number {
    let t = Math.min(this.joinAt, this.leaveAt);
    if (this.phase === 'online') {
      t = Math.min(t, this.outbox.nextDeadline(), this.nackAt ?? Infinity, this.pingAt, this.rosterAt);
      t = Math.min(t, this.lastHeard + this.idleTimeoutMs + 1);
      // Wake up when the silence turns into "reconnecting", so the front end is told.
      const stallAt = this.lastHeard + this.stallMs() + 1;
      if (stallAt > this.clock) t = Math.min(t, stallAt);
    }
    return t;
  }

  /** Takes queued datagrams (for the server) and events. */
  drain(): { datagrams: Buffer[]; events: ClientEvent[] } {
    const result = { datagrams: this.out, events: this.events };
    this.out = [];
    this.events = [];
    return result;
  }

  private sendNew(now: number): void {
    if (this.phase !== 'online' || this.token === undefined) return;
    for (const m of this.outbox.takeNew(now)) this.out.push(this.sayDatagram(m));
  }

  /** A SAY for a queued message, in the current session. */
  private sayDatagram(m: OutgoingMessage): Buffer {
    return encode({ type: 'say', token: this.token as Buffer, cseq: m.cseq, target: 0, text: m.text });
  }

  /** In the join handshake (hello or joining). */
  private get handshaking(): boolean {
    return this.phase === 'hello' || this.phase === 'joining';
  }

  /** The join is refused or cannot complete: stop until join() is called again. */
  private failJoin(e: Extract<ClientEvent, { type: 'join-failed' }>): void {
    this.phase = 'failed';
    this.joinAt = Infinity;
    this.events.push(e);
  }

  private beginHello(now: number): void {
    this.phase = 'hello';
    this.token = undefined;
    this.cookie = ZERO_COOKIE;
    this.joinStartedAt = now;
    this.joinBackoff = JOIN_RETRY_MIN_MS;
    this.sendJoin(now);
  }

  /** The handshake's round trip is the first RTT sample, unless the JOIN was retried. */
  private sampleHandshake(now: number): void {
    if (this.joinSentAt !== undefined) this.rtt.sample(now - this.joinSentAt, true);
  }

  private sendJoin(now: number): void {
    // The first JOIN of a step (retries back off from the minimum) can time the round trip.
    this.joinSentAt = this.joinBackoff === JOIN_RETRY_MIN_MS ? now : undefined;
    const resume = this.instance !== undefined;
    this.out.push(
      encode({
        type: 'join',
        cookie: this.cookie,
        clientId: this.clientId,
        resumeInstance: this.instance ?? ZERO_INSTANCE,
        resumeSeq: resume ? this.room.nextSeq - 1 : 0,
        caps: 0,
        nick: this.nick,
      }),
    );
    this.joinAt = now + this.joinBackoff;
    // The first join reports failure on time, not at the next retry after the bound.
    if (!this.everOnline) this.joinAt = Math.min(this.joinAt, this.joinStartedAt + this.joinTimeoutMs);
    this.joinBackoff = Math.min(this.joinBackoff * 2, this.phase === 'joining' ? JOIN_RETRY_MAX_JOINING_MS : JOIN_RETRY_MAX_MS);
  }

  /** The session is gone (server restarted, shut down, or silent): rejoin, keeping what is unsent. */
  private lost(now: number, why: string): void {
    // One announcement per outage: if the front end already shows "reconnecting" (a silence
    // noticed earlier), the reason found now adds nothing for the user.
    if (this.shownState !== 'reconnecting') this.events.push({ type: 'notice', text: `connection lost: ${why}; reconnecting…`, lost: true });
    this.nackAt = undefined;
    this.pingAt = Infinity;
    this.rosterAt = Infinity;
    this.beginHello(now);
  }

  private close(reason: string): void {
    this.phase = 'closed';
    this.token = undefined;
    this.joinAt = Infinity;
    this.leaveAt = Infinity;
    this.events.push({ type: 'closed', reason });
  }

  private heard(now: number): void {
    this.lastHeard = now;
  }

  private stallMs(): number {
    return 2 * this.heartbeatMs + 1_000;
  }

  private stalled(now = this.clock): boolean {
    return now - this.lastHeard > this.stallMs();
  }

  private updateState(): void {
    const state = this.state;
    if (state !== this.shownState) {
      this.shownState = state;
      this.events.push({ type: 'state', state, rttMs: this.rtt.srtt });
    }
  }

  private isOurs(token: Buffer): boolean {
    return this.token !== undefined && token.equals(this.token);
  }
}
