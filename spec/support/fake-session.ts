/**
 * A ChatSession without a network, for front-end tests: the test plays the server by emitting
 * events (which also update the session's fields, as the real client does), and reads back what
 * the front end asked for from `said`, `joins` and `leaves`.
 */
import { EventEmitter } from 'node:events';
import type { ErrorCode } from '../../lib/protocol/error-codes.js';
import type { LeaveReason } from '../../lib/protocol/messages.js';
import type { ClientEvent, ConnectionState } from '../../lib/client/session-types.js';
import { LOBBY_ID, LOBBY_NAME, type Member, type RoomEvent, type RoomsSession, type SayOptions, type StreamInfo } from '../../lib/client/rooms-api.js';

/** A rooms call the front end made (see FakeSession.calls). */
export type RoomsCall =
  | { call: 'say'; roomId: number; text: string; action: boolean }
  | { call: 'joinRoom'; name: string }
  | { call: 'part'; roomId: number; reason: string }
  | { call: 'msg'; nick: string; text: string; action: boolean }
  | { call: 'topic'; roomId: number; text: string }
  | { call: 'changeNick'; nick: string }
  | { call: 'away'; reason: string }
  | { call: 'back' }
  | { call: 'listRooms' }
  | { call: 'who'; roomId: number };

export interface FakeSessionOptions {
  nick?: string;
  server?: string;
  state?: ConnectionState;
  rttMs?: number;
  peers?: readonly string[];
}

export class FakeSession extends EventEmitter implements RoomsSession {
  nick: string;
  readonly server: string;
  state: ConnectionState;
  rttMs: number | undefined;
  peers: readonly string[];
  pending = 0;
  joinDeadline: number | undefined;

  /** Every say() argument, in order. */
  readonly said: string[] = [];
  /** Every whois() argument, in order. */
  readonly whoised: string[] = [];
  /** Every join() argument (undefined for a plain join()), in order. */
  readonly joins: Array<string | undefined> = [];
  /** How many times leave() was called. */
  leaves = 0;
  /** When set, say() throws this (e.g. to imitate a closed session). */
  sayError: Error | undefined;
  /** How long leave() takes to resolve, in ms. */
  leaveDelayMs = 0;

  /** Every rooms call (say with a roomId, joinRoom, msg …), in order; nothing is answered: emit room events. */
  readonly calls: RoomsCall[] = [];
  roomsSupported: boolean | undefined = true;
  private readonly streamMap = new Map<number, StreamInfo>([[LOBBY_ID, { roomId: LOBBY_ID, kind: 'room', name: LOBBY_NAME, topic: '' }]]);
  private readonly memberMap = new Map<number, readonly Member[]>();

  private seq = 0;

  constructor(options: FakeSessionOptions = {}) {
    super();
    this.nick = options.nick ?? 'me';
    this.server = options.server ?? '127.0.0.1:7777';
    this.state = options.state ?? 'online';
    this.rttMs = options.rttMs;
    this.peers = options.peers ?? [this.nick];
  }

  /**
   * Like the real client: queues the text (one part: the fake does not split), counts it pending
   * and emits 'sending'. The test plays the server's copy with `message(nick, text)` and the
   * acknowledgement with `emitEvent({ type: 'delivered', pending })`.
   */
  say(text: string): void;
  say(roomId: number, text: string, options?: SayOptions): void;
  say(a: string | number, b?: string, options: SayOptions = {}): void {
    if (this.sayError !== undefined) throw this.sayError;
    if (this.state === 'closed') throw new Error('session is closed');
    if (typeof a === 'number') {
      this.calls.push({ call: 'say', roomId: a, text: b ?? '', action: options.action === true });
      return;
    }
    this.said.push(a);
    this.pending++;
    this.emitEvent({ type: 'sending', text: a });
  }

  get streams(): readonly StreamInfo[] {
    return [...this.streamMap.values()];
  }

  stream(roomId: number): StreamInfo | undefined {
    return this.streamMap.get(roomId);
  }

  members(roomId: number): readonly Member[] {
    return this.memberMap.get(roomId) ?? [];
  }

  joinRoom(name: string): void {
    this.calls.push({ call: 'joinRoom', name });
  }

  part(roomId: number, reason = ''): void {
    this.calls.push({ call: 'part', roomId, reason });
  }

  msg(nick: string, text: string, options: SayOptions = {}): void {
    this.calls.push({ call: 'msg', nick, text, action: options.action === true });
  }

  topic(roomId: number, text: string): void {
    this.calls.push({ call: 'topic', roomId, text });
  }

  changeNick(nick: string): void {
    this.calls.push({ call: 'changeNick', nick });
  }

  away(reason = ''): void {
    this.calls.push({ call: 'away', reason });
  }

  back(): void {
    this.calls.push({ call: 'back' });
  }

  listRooms(): void {
    this.calls.push({ call: 'listRooms' });
  }

  who(roomId: number): void {
    this.calls.push({ call: 'who', roomId });
  }

  /** Emits a room event, updating streams/members/nick as the event implies (like the real client). */
  emitRoom(e: RoomEvent): void {
    switch (e.type) {
      case 'stream':
        this.streamMap.set(e.stream.roomId, e.stream);
        break;
      case 'stream-closed':
        this.streamMap.delete(e.roomId);
        this.memberMap.delete(e.roomId);
        break;
      case 'members':
        this.memberMap.set(e.roomId, e.members);
        break;
      case 'nick':
        this.nick = e.nick;
        break;
      default:
        break;
    }
    this.emit('room', e);
  }

  whois(nick: string): void {
    this.whoised.push(nick);
  }

  /** Every loadOlder() argument (undefined for a plain loadOlder()), in order; answer with `older` / `no-older` events. */
  readonly olderAsked: Array<number | undefined> = [];

  loadOlder(count?: number): void {
    this.olderAsked.push(count);
  }

  join(nick?: string): void {
    this.joins.push(nick);
    if (nick !== undefined) this.nick = nick;
    this.state = 'joining';
  }

  async leave(): Promise<void> {
    this.leaves++;
    // Unref'd: a test that stops waiting for leave() does not keep the process alive.
    if (this.leaveDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.leaveDelayMs).unref());
    if (this.state !== 'closed') this.emitEvent({ type: 'closed', reason: 'left', left: true });
  }

  // ---- helpers for tests: they update the fields first, then emit, like the real client ----

  /** Emits any event, updating nick/state/rtt/peers/pending as the event implies. */
  emitEvent(e: ClientEvent): void {
    switch (e.type) {
      case 'joined':
        this.nick = e.nick;
        this.state = 'online';
        break;
      case 'roster':
        this.peers = e.nicks;
        break;
      case 'state':
        this.state = e.state;
        this.rttMs = e.rttMs;
        break;
      case 'delivered':
        this.pending = e.pending;
        break;
      case 'closed':
        this.state = 'closed';
        break;
      default:
        break;
    }
    this.emit('event', e);
  }

  /** A chat message from `nick` (own when nick is this session's nick unless told otherwise). */
  message(nick: string, text: string, extra: { time?: number; history?: boolean; own?: boolean; missed?: true } = {}): void {
    this.emitEvent({
      type: 'message',
      seq: ++this.seq,
      time: extra.time ?? Date.now(),
      nick,
      text,
      own: extra.own ?? nick === this.nick,
      history: extra.history ?? false,
      ...(extra.missed === true ? { missed: true as const } : {}),
    });
  }

  presence(nick: string, action: 'join' | 'leave', extra: { reason?: LeaveReason; history?: boolean; time?: number; missed?: true } = {}): void {
    const e: ClientEvent = {
      type: 'presence',
      seq: ++this.seq,
      time: extra.time ?? Date.now(),
      nick,
      action,
      history: extra.history ?? false,
    };
    if (extra.reason !== undefined) e.reason = extra.reason;
    if (extra.missed === true) e.missed = true;
    this.emitEvent(e);
  }

  roster(nicks: readonly string[]): void {
    this.emitEvent({ type: 'roster', nicks: [...nicks].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())) });
  }

  setState(state: ConnectionState, rttMs?: number): void {
    this.emitEvent({ type: 'state', state, rttMs });
  }

  joined(nick: string = this.nick, rejoined = false): void {
    this.emitEvent({ type: 'joined', nick, rejoined });
  }

  joinFailed(code: ErrorCode, reason: string): void {
    this.emitEvent({ type: 'join-failed', code, reason });
  }

  notice(text: string): void {
    this.emitEvent({ type: 'notice', text });
  }

  /** Listeners currently attached for 'event' (a front end should detach on exit). */
  get listenerTotal(): number {
    return this.listenerCount('event');
  }
}
