/**
 * The sans-I/O client session (docs/protocol.md §6.2). It takes `(datagram, now)` and queues
 * messages for the server (encoded once, in drain()) and events for the front end;
 * chat-client.ts owns socket and clock. It routes datagrams and timers to its parts: the phase
 * machine (phase.ts), the join handshake (join-handshake.ts), heartbeats (liveness.ts), leaving
 * (leave-retry.ts), the sending side (sender.ts, outbox.ts), the receiving side (room-feed.ts:
 * room stream, gap repair, member list; stream-channels.ts: the other streams) and the rooms
 * commands (room-commands.ts).
 *
 * Invariants:
 * - Room entries are delivered to the front end exactly once, in sequence order.
 * - A message passed to say() is retransmitted until acknowledged or refused; across a rejoin it
 *   is renumbered, never dropped (what the server already accepted is reported by WELCOME).
 * - Datagrams that do not decode, or that name another client id or token, change nothing.
 * - After a first successful join the session never gives up on the server until leave().
 */
import { encode, tryDecode } from '../protocol/codec.js';
import { CLIENT_ID_BYTES } from '../protocol/constants.js';
import { ERROR_DESCRIPTIONS, type ErrorCode } from '../protocol/error-codes.js';
import type { ByeMessage, ClientMessage, ErrorMessage, Message, WelcomeMessage } from '../protocol/messages.js';
import { CAP_ROOMS } from '../protocol/rooms-codec.js';
import { StreamChannels } from './stream-channels.js';
import { LocalError } from '../protocol/local-error.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { JoinHandshake, unusableWelcome } from './join-handshake.js';
import { escapeForTerminal } from './display-text.js';
import { isJoinRefusal } from './join-failure.js';
import { LeaveRetry } from './leave-retry.js';
import { Liveness } from './liveness.js';
import { type Phase, PhaseMachine, connectionState } from './phase.js';
import { RoomFeed } from './room-feed.js';
import { RttEstimator } from './rtt-estimator.js';
import type { ClientEvent, ConnectionState } from './session-types.js';
import { Sender } from './sender.js';
import { WhoisLookup } from './whois-lookup.js';
import { HistoryPager } from './history-pager.js';
import { PresenceCoalescer } from './presence-coalescer.js';
import { RoomCommands } from './room-commands.js';
import { LOBBY_ID, type RoomEvent, type SayOptions } from './rooms-api.js';
import { StreamDirectory } from './streams.js';

const ROOM_EVENT_TYPES = new Set<string>(['stream', 'stream-closed', 'topic', 'rename', 'away', 'part', 'nick', 'members', 'rooms', 'command-refused']);

/** Whether a queued event belongs on the session's 'room' channel rather than 'event'. */
export function isRoomEvent(e: ClientEvent | RoomEvent): e is RoomEvent {
  return ROOM_EVENT_TYPES.has(e.type);
}

export interface ClientCoreOptions {
  nick: string;
  clientId: Buffer;
  /** How long the first join may take before it is reported unreachable. */
  joinTimeoutMs?: number;
}

export class ClientCore {
  readonly clientId: Buffer;
  readonly rtt = new RttEstimator();
  readonly sender = new Sender(this.rtt);
  readonly feed: RoomFeed;
  /** The streams this session is in (room 0 always). */
  readonly streams = new StreamDirectory();
  /** Whether the server echoed the rooms capability: undefined until the first WELCOME. */
  roomsSupported: boolean | undefined;
  nick: string;
  /** Datagrams from the network that were not for this session or not expected now. */
  drops = 0;
  private readonly phases = new PhaseMachine();
  private readonly handshake: JoinHandshake;
  private readonly liveness = new Liveness();
  private everOnline = false;
  private instance: Buffer | undefined;
  private readonly leaving = new LeaveRetry();
  private shownState: ConnectionState | undefined;
  /** The latest `now` any method was given (the state getter has no clock of its own). */
  private clock = 0;
  private readonly whoisLookup = new WhoisLookup();
  /** Older history in pages (history-pager.ts). */
  private readonly pager = new HistoryPager();
  /** Join/leave lines under churn become summaries (presence-coalescer.ts). */
  private readonly presence: PresenceCoalescer;
  /** The receiving side of every stream but room 0 (room 0 is `feed`). */
  private readonly channels: StreamChannels;
  /** The rooms commands (room-commands.ts). */
  private readonly commands: RoomCommands;
  private out: ClientMessage[] = [];
  /** Events for both channels, in the order they happened. */
  private events: Array<ClientEvent | RoomEvent> = [];

  constructor(options: ClientCoreOptions) {
    if (options.clientId.length !== CLIENT_ID_BYTES) throw new LocalError('UDPCHAT_ERR_BAD_FIELD', 'clientId must be 16 bytes');
    this.clientId = options.clientId;
    this.nick = options.nick;
    this.handshake = new JoinHandshake(options.joinTimeoutMs ?? 10_000);
    this.presence = new PresenceCoalescer((e) => this.events.push(e), () => this.nick);
    this.feed = new RoomFeed(this.rtt, this.liveness, (e) => this.fromStream(e));
    this.channels = new StreamChannels({
      rtt: this.rtt,
      liveness: this.liveness,
      streams: this.streams,
      feed: this.feed,
      nick: () => this.nick,
      token: () => this.sender.sessionToken,
      send: (m) => this.out.push(m),
      event: (e) => {
        this.presence.flush();
        this.events.push(e);
      },
      fromStream: (e) => this.fromStream(e),
      joinAgain: (info, now) => this.commands.rejoin(info, now),
      sayAgain: (roomId, say, now) => this.commands.sayAgain(roomId, say, now),
    });
    this.commands = new RoomCommands({
      sender: this.sender,
      rtt: this.rtt,
      feed: this.feed,
      streams: this.streams,
      channels: this.channels,
      ending: () => this.phases.ending,
      roomsSupported: () => this.roomsSupported,
      at: (now) => {
        this.clock = now;
      },
      say: (text, now) => this.say(text, now),
      send: (messages) => this.out.push(...messages),
      event: (e) => this.events.push(e),
      flushPresence: () => this.presence.flush(),
    });
  }

  /** Messages not delivered yet: queued or in flight, and those held until their room is joined again after a server restart. */
  get pending(): number {
    return this.sender.outbox.size + this.channels.heldCount;
  }

  get phase(): Phase {
    return this.phases.phase;
  }

  /** The state a front end shows (docs/protocol.md §6.2.1). */
  get state(): ConnectionState {
    return connectionState(this.phase, this.everOnline, this.liveness.stalled(this.clock));
  }

  /** When a first join gives up (for a countdown), while one is in progress. */
  get joinDeadline(): number | undefined {
    return this.phases.handshaking && !this.everOnline ? this.handshake.deadline : undefined;
  }

  /** Starts joining (again, after a refusal, possibly with another nickname). Throws once closed or leaving. */
  join(now: number, nick?: string): void {
    this.clock = now;
    if (this.phases.ending) throw new LocalError('UDPCHAT_ERR_NOT_JOINED', 'join() after leave(): the session is over');
    if (this.phase === 'online') return;
    if (nick !== undefined) this.nick = nick;
    this.beginHello(now);
    this.updateState();
  }

  /** Queues text to say, split into parts the protocol carries. Throws once closed or leaving. */
  say(text: string, now: number): void {
    this.clock = now;
    if (this.phases.ending) throw new LocalError('UDPCHAT_ERR_NOT_JOINED', 'say() after leave(): the session is over');
    for (const part of this.sender.queue(text)) this.events.push({ type: 'sending', text: part });
    this.out.push(...this.sender.fresh(now));
  }

  /** Asks the server who owns `nick` (§5.3): a `whois` event answers, or a notice says why not. */
  whois(nick: string, now: number): void {
    this.clock = now;
    const r = this.whoisLookup.request(this.phase === 'online' ? this.sender.sessionToken : undefined, nick);
    if (r.type === 'notice') this.events.push(r);
    else this.out.push(r);
  }

  /** Asks for the page of history before the oldest entry this session has (§6.2.11): an `older` event answers, or `no-older`. */
  loadOlder(now: number, count?: number): void {
    this.clock = now;
    const token = this.phase === 'online' ? this.sender.sessionToken : undefined;
    const r = this.pager.request(token, now, this.rtt.rto, count);
    if (r === undefined) return;
    if (r.type === 'history') this.out.push(r);
    else this.events.push(r);
  }

  /** A page of older history is being loaded. */
  get loadingOlder(): boolean {
    return this.pager.loading;
  }

  // The rooms commands (rooms-api.ts RoomsSession), carried out by room-commands.ts.

  /** Says text in a stream (room 0 without options is exactly say()). */
  sayIn(roomId: number, text: string, options: SayOptions, now: number): void {
    this.commands.sayIn(roomId, text, options, now);
  }

  /** Joins a room by name. */
  joinRoom(name: string, now: number): void {
    this.commands.joinRoom(name, now);
  }

  part(roomId: number, reason: string, now: number): void {
    this.commands.part(roomId, reason, now);
  }

  msg(nick: string, text: string, options: SayOptions, now: number): void {
    this.commands.msg(nick, text, options, now);
  }

  topic(roomId: number, text: string, now: number): void {
    this.commands.topic(roomId, text, now);
  }

  changeNick(nick: string, now: number): void {
    this.commands.changeNick(nick, now);
  }

  away(reason: string, now: number): void {
    this.commands.away(reason, now);
  }

  back(now: number): void {
    this.commands.back(now);
  }

  listRooms(now: number): void {
    this.commands.listRooms(now);
  }

  /** The member list of a stream as this client knows it, at once (a `members` event); it is kept up to date by the server. */
  who(roomId: number, now: number): void {
    this.commands.who(roomId, now);
  }

  /** Leaves politely: LEAVE until BYE (bounded), then closed. */
  leave(now: number): void {
    this.clock = now;
    if (this.phases.ending) return;
    if (this.phase !== 'online') return this.close('left', true);
    this.phases.set('leaving');
    this.leaving.start(now);
    this.tick(now);
  }

  /** ICMP port unreachable: a first join fails at once; later it changes nothing (a restarting server). */
  portUnreachable(now: number): void {
    this.clock = now;
    if (!this.phases.handshaking || this.everOnline) return;
    this.failJoin({ type: 'join-failed', code: 'UDPCHAT_ERR_SERVER_UNREACHABLE', reason: 'nothing is listening on that port', portUnreachable: true });
    this.updateState();
  }

  /**
   * The seal layer refused the server while joining (its key changed, or it said the passphrase is
   * wrong): the join fails with this code and reason. Ignored when not joining.
   */
  refuseServer(code: ErrorCode, reason: string, now: number): void {
    this.clock = now;
    if (!this.phases.handshaking) return;
    this.failJoin({ type: 'join-failed', code, reason });
    this.updateState();
  }

  /** Handles one datagram from the server. Never throws for anything the network sent. */
  receive(data: Buffer, now: number): void {
    this.clock = now;
    const m = tryDecode(data);
    if (m instanceof ProtocolError || !this.dispatch(m, now)) this.drops++;
    this.updateState();
  }

  /** False if the datagram was not for us or not expected now (a counted drop). */
  private dispatch(m: Message, now: number): boolean {
    if (m.type === 'cookie' || m.type === 'welcome') {
      if (!this.phases.handshaking || !m.clientId.equals(this.clientId)) return false;
      this.sampleHandshake(now);
      if (m.type === 'cookie') this.onCookie(m.cookie, now);
      else {
        const nonsense = unusableWelcome(m);
        if (nonsense === undefined) this.onWelcome(m, now);
        else this.failJoin({ type: 'join-failed', code: 'UDPCHAT_ERR_BAD_FIELD', reason: `the server announced ${nonsense}` });
      }
      return true;
    }
    if (m.type === 'error') return this.onError(m, now);
    if (this.phase !== 'online' && this.phase !== 'leaving') return false;
    switch (m.type) {
      case 'data':
      case 'sync':
      case 'roster':
        this.liveness.heard(now);
        this.feed.receive(m, now);
        return true;
      case 'rdata':
      case 'rsync':
      case 'rroster':
      case 'rstate':
      case 'roominfo':
        return this.onStream(m, now);
      case 'pong':
        if (this.liveness.onPong(m.echo, now, this.rtt)) this.shownState = undefined; // the RTT shown changed
        this.feed.receive(m, now);
        return true;
      case 'ack':
        return this.onAck(m.token, m.cseq, now);
      case 'bye':
        return this.onBye(m, now);
      case 'page': {
        if (!this.sender.isOurs(m.token)) return false;
        const events = this.pager.answer(m, this.nick);
        if (events === undefined) return false;
        this.liveness.heard(now);
        this.events.push(...events);
        return true;
      }
      case 'owner':
        if (!this.sender.isOurs(m.token)) return false;
        this.liveness.heard(now);
        this.events.push(this.whoisLookup.answer(m));
        return true;
      default:
        return false;
    }
  }

  /** Datagrams of streams (§6.3): only from a server that enabled rooms for this session. */
  private onStream(m: Extract<Message, { type: 'rdata' | 'rsync' | 'rroster' | 'rstate' | 'roominfo' }>, now: number): boolean {
    if (this.roomsSupported !== true) return false;
    if (m.type === 'roominfo') {
      if (!this.sender.isOurs(m.token)) return false;
      this.liveness.heard(now);
      // A stream described (§6.3.3): joined, reopened, left, or a line of the room list.
      if (m.kind !== 'listing') this.channels.info(m, now);
      else this.commands.listing(m);
      return true;
    }
    this.liveness.heard(now);
    return this.channels.receive(m, now);
  }

  /** An event of a stream's feed: presence of room 0 may be folded (presence-coalescer.ts); the rest in order. */
  private fromStream(e: ClientEvent | RoomEvent): void {
    // Room 0's messages and presence carry no roomId.
    if (!isRoomEvent(e) && !('roomId' in e && e.roomId !== undefined)) return this.presence.push(e, this.clock);
    this.presence.flush();
    if (e.type === 'members') this.streams.setMembers(e.roomId, [...e.members]);
    this.events.push(e);
    if (e.type === 'rename') this.renamed(e.from, e.to, e.roomId);
    if (e.type === 'away') this.peerAway(e.nick, e.away, e.reason);
  }

  /** A rename seen in a stream: our own (in room 0) changes our nick; a peer's renames its conversation. */
  private renamed(from: string, to: string, roomId: number): void {
    if (roomId === LOBBY_ID && from === this.nick) {
      this.nick = to;
      this.feed.ownNick = to;
      this.events.push({ type: 'nick', nick: to, previous: from });
    }
    const conversation = this.streams.privateWith(from);
    if (conversation !== undefined && roomId === conversation.roomId) this.channels.open({ ...conversation, name: to }, false);
  }

  private peerAway(nick: string, away: boolean, reason: string): void {
    const conversation = this.streams.privateWith(nick);
    if (conversation === undefined) return;
    const next = away ? reason : undefined;
    if (conversation.away !== next) this.channels.open({ ...conversation, away: next }, false);
  }

  private onCookie(cookie: Buffer, now: number): void {
    this.liveness.heard(now);
    // The server is there: heavy loss may still need time, so the bound starts again.
    this.handshake.onCookie(cookie, now);
    this.phases.set('joining');
    this.sendJoin(now);
  }

  private onWelcome(m: WelcomeMessage, now: number): void {
    const sameInstance = this.instance?.equals(m.instance) === true;
    const rooms = (m.caps & CAP_ROOMS) !== 0;
    this.feed.welcome(m, sameInstance);
    this.feed.rooms = rooms;
    this.whoisLookup.welcome(m.caps);
    this.events.push(...this.pager.welcome(m.caps, m.historyFrom, sameInstance));
    this.instance = m.instance;
    this.roomsSupported = rooms;
    this.nick = m.nick;
    if (this.sender.start(m.token, m.maxText, m.ackedCseq) > 0) this.events.push({ type: 'delivered', pending: this.pending });
    // A server without rooms now (another server at that address): what was queued for rooms cannot go.
    if (!rooms) for (const r of this.sender.outbox.dropRequests()) this.commands.refused(r, 'UDPCHAT_ERR_UNSUPPORTED', 'this server has no rooms (an older udp-chat)', now);
    this.channels.welcome(sameInstance && rooms, rooms, now);
    this.phases.set('online');
    this.handshake.stop();
    this.liveness.start(now, m.heartbeatMs, m.idleTimeoutMs);
    this.events.push({ type: 'joined', nick: m.nick, rejoined: this.everOnline });
    this.everOnline = true;
    this.feed.online(now);
    this.out.push(...this.sender.fresh(now));
  }

  private onAck(token: Buffer, cseq: number, now: number): boolean {
    if (!this.sender.isOurs(token)) return false;
    this.liveness.heard(now);
    const { acked, send } = this.sender.ack(cseq, now);
    if (acked > 0) this.events.push({ type: 'delivered', pending: this.pending });
    this.out.push(...send);
    return true;
  }

  private onError(m: ErrorMessage, now: number): boolean {
    // The detail is text from the network: no control or bidi characters reach a front end.
    const reason = m.detail.length > 0 ? escapeForTerminal(m.detail) : ERROR_DESCRIPTIONS[m.code];
    if (m.ref.equals(this.clientId)) {
      if (!this.phases.handshaking || !isJoinRefusal(m.code)) return false;
      this.failJoin({ type: 'join-failed', code: m.code, reason });
      return true;
    }
    if (!this.sender.isOurs(m.ref)) return false;
    this.liveness.heard(now);
    switch (m.code) {
      case 'UDPCHAT_ERR_UNKNOWN_SESSION':
        if (this.phase === 'leaving') this.close('left', true);
        else this.lost(now, 'the server no longer knows this session');
        return true;
      case 'UDPCHAT_ERR_HISTORY_GONE':
        return this.feed.historyGone(m.arg, now);
      case 'UDPCHAT_ERR_FLOODING':
        this.close('cut off by the server for flooding');
        return true;
      default: {
        const refused = this.sender.outbox.takeRefusedMessage(m.arg);
        if (refused === undefined) return false;
        this.presence.flush();
        if (refused.request !== undefined) this.commands.refused(refused, m.code, reason, now);
        else this.events.push({ type: 'refused', text: refused.text, code: m.code, reason });
        this.out.push(...this.sender.fresh(now));
        return true;
      }
    }
  }

  private onBye(m: ByeMessage, now: number): boolean {
    if (!this.sender.isOurs(m.token)) return false;
    if (m.reason === 'flooding') this.close('cut off by the server for flooding');
    // Our user key joined from another client (§6.1.3 step 5): stop, or the two would take turns.
    else if (m.reason === 'replaced') this.close('your user key joined again from another udp-chat, which now has this session');
    // Leaving: whatever the reason, the session is over, which is what we asked for.
    else if (this.phase === 'leaving') this.close('left', true);
    else if (m.reason === 'shutdown') this.lost(now, 'the server is shutting down');
    else if (m.reason === 'timeout') this.lost(now, 'the server timed this session out');
    // BYE(quit) while online: not an answer to anything we sent; ignored.
    return true;
  }

  /** Runs due timers: join retries, retransmissions, NACKs, heartbeats, silence, leave. */
  tick(now: number): void {
    this.clock = now;
    if (this.phases.handshaking && this.handshake.due(now)) {
      if (!this.everOnline && this.handshake.expired(now)) this.failJoin(this.handshake.timedOut());
      else this.sendJoin(now);
    }
    if (this.phase === 'online') this.tickOnline(now);
    this.presence.tick(now);
    if (this.phase === 'leaving') {
      const step = this.leaving.due(now);
      if (step === 'send') this.out.push({ type: 'leave', token: this.sender.sessionToken as Buffer });
      else if (step === 'give-up') this.close('left (the server did not confirm)', true);
    }
    this.updateState();
  }

  private tickOnline(now: number): void {
    const token = this.sender.sessionToken as Buffer;
    this.liveness.woke(now);
    if (this.liveness.dead(now)) return this.lost(now, 'the server stopped answering');
    this.out.push(...this.sender.due(now));
    this.out.push(...this.feed.requests(token, now));
    this.out.push(...this.pager.due(token, now));
    this.out.push(...this.channels.requests(token, now));
    this.commands.listingDue(now);
    const echo = this.liveness.pingDue(now);
    if (echo !== undefined) this.out.push({ type: 'ping', token, delivered: this.feed.delivered, echo });
  }

  /** The earliest time tick() has something to do. */
  nextDeadline(): number {
    let t = Math.min(this.handshake.nextAt, this.leaving.nextAt, this.presence.nextDeadline());
    if (this.phase === 'online') {
      t = Math.min(t, this.sender.outbox.nextDeadline(), this.feed.nextDeadline(), this.liveness.nextDeadline(this.clock), this.pager.nextDeadline());
      t = Math.min(t, this.channels.nextDeadline());
      t = Math.min(t, this.commands.nextDeadline(this.clock));
    }
    return t;
  }

  /**
   * Takes queued datagrams (for the server, encoded now) and events: `ordered` has both channels'
   * events in the order they happened; `events` and `roomEvents` are its two halves.
   */
  drain(): { datagrams: Buffer[]; events: ClientEvent[]; roomEvents: RoomEvent[]; ordered: Array<ClientEvent | RoomEvent> } {
    const ordered = this.events;
    const events: ClientEvent[] = [];
    const roomEvents: RoomEvent[] = [];
    for (const e of ordered) {
      if (isRoomEvent(e)) roomEvents.push(e);
      else events.push(e);
    }
    if (this.phase === 'online' && this.out.length > 0) this.liveness.sent(this.clock);
    const result = { datagrams: this.out.map((m) => encode(m)), events, roomEvents, ordered };
    this.out = [];
    this.events = [];
    return result;
  }

  /** The join is refused or cannot complete: stop until join() is called again. */
  private failJoin(e: Extract<ClientEvent, { type: 'join-failed' }>): void {
    this.phases.set('failed');
    this.handshake.stop();
    this.events.push(e);
  }

  private beginHello(now: number): void {
    this.phases.set('hello');
    this.sender.stop();
    this.handshake.begin(now);
    this.sendJoin(now);
  }

  /** The handshake's round trip is the first RTT sample, unless the JOIN was retried. */
  private sampleHandshake(now: number): void {
    const rtt = this.handshake.rttSample(now);
    if (rtt !== undefined) this.rtt.sample(rtt, true);
  }

  private sendJoin(now: number): void {
    const resume = this.instance === undefined ? undefined : { instance: this.instance, seq: this.feed.delivered };
    this.out.push(this.handshake.joinMessage({ clientId: this.clientId, nick: this.nick, resume }));
    this.handshake.sent(now, !this.everOnline);
  }

  /** The session is gone (server restarted, shut down, or silent): rejoin, keeping what is unsent. */
  private lost(now: number, why: string): void {
    // One announcement per outage: if the front end already shows "reconnecting" (a silence
    // noticed earlier), the reason found now adds nothing for the user.
    this.presence.flush();
    if (this.shownState !== 'reconnecting') this.events.push({ type: 'notice', text: `connection lost: ${why}; reconnecting…`, lost: true });
    this.feed.offline();
    this.channels.offline();
    this.liveness.stop();
    this.beginHello(now);
  }

  /** `left`: the session ended because this client left (leave()), not by the server's doing. */
  private close(reason: string, left = false): void {
    this.presence.flush();
    this.phases.set('closed');
    this.sender.stop();
    this.handshake.stop();
    this.leaving.stop();
    this.events.push({ type: 'closed', reason, left });
  }

  private updateState(): void {
    const state = this.state;
    if (state !== this.shownState) {
      this.shownState = state;
      this.events.push({ type: 'state', state, rttMs: this.rtt.srtt });
    }
  }
}

