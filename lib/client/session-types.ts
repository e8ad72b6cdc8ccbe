/**
 * What front ends (line mode, full-screen UI) see of a chat session: events to render and a
 * handful of methods. Front ends never touch datagrams; see lib/client/chat-client.ts for the
 * implementation over UDP and spec/support/fake-session.ts for a fake for UI tests.
 */
import type { ErrorCode } from '../protocol/error-codes.js';
import type { LeaveReason } from '../protocol/messages.js';

/**
 * idle: not joining yet; joining: first handshake in progress; online: joined; reconnecting: the
 * server was lost (or is silent), retrying; failed: the join was refused or timed out, waiting for
 * join() again; closed: done.
 */
export type ConnectionState = 'idle' | 'joining' | 'online' | 'reconnecting' | 'failed' | 'closed';

export type ClientEvent =
  /** Joined (or rejoined after a server loss / restart: `rejoined` true). */
  | { type: 'joined'; nick: string; rejoined: boolean }
  /**
   * A chat message in room order. `own`: sent by this session. `history`: replayed to a newcomer.
   * `missed`: stored while this session was away, arriving late after a rejoin (its `time` is
   * when it was said, earlier than what was shown last; docs/protocol.md §6.2.7).
   * `roomId`: the stream (lib/client/rooms-api.ts); absent means room 0. `action`: a `/me` action.
   */
  | { type: 'message'; seq: number; time: number; nick: string; text: string; own: boolean; history: boolean; missed?: true; roomId?: number; action?: true }
  /** Someone joined or left (quit, timed out …), in room order; `roomId` absent means room 0. `missed` as for a message. */
  | { type: 'presence'; seq: number; time: number; nick: string; action: 'join' | 'leave'; reason?: LeaveReason; history: boolean; missed?: true; roomId?: number }
  /**
   * Joins and leaves folded into one line under churn (presence-coalescer.ts): counts, the first
   * few nicks, the seq range they cover. `history`: replayed to a newcomer; `missed`: caught up on
   * after a rejoin.
   */
  | { type: 'presence-summary'; joined: number; left: number; nicks: readonly string[]; people: number; fromSeq: number; toSeq: number; time: number; history: boolean; missed?: true }
  /** Room 0's member list changed (sorted case-insensitively); other streams: the 'members' room event. */
  | { type: 'roster'; nicks: readonly string[] }
  /** Connection state or round-trip time changed. */
  | { type: 'state'; state: ConnectionState; rttMs: number | undefined }
  /** A part of a say() queued for sending (say() splits long text), in order. */
  | { type: 'sending'; text: string }
  /** The server acknowledged messages this session said; `pending` are still unacknowledged. */
  | { type: 'delivered'; pending: number }
  /** A message the server refused (too long, empty …); it will not be delivered. `roomId` absent: room 0. */
  | { type: 'refused'; text: string; code: ErrorCode; reason: string; roomId?: number }
  /**
   * Something the user should read (e.g. messages that could not be recovered). `lost`: the
   * session is gone and rejoining; sent only when the state was not already `reconnecting`.
   */
  | { type: 'notice'; text: string; lost?: true }
  /**
   * A join was refused (nick taken or invalid, server full) or the server cannot be reached:
   * the session stops trying until `join()` is called again. `answered`: the server did answer
   * (UDPCHAT_ERR_SERVER_UNREACHABLE after a COOKIE: the handshake could not complete).
   * `portUnreachable`: the network said nothing listens at that address and port (ICMP).
   */
  | { type: 'join-failed'; code: ErrorCode; reason: string; answered?: true; portUnreachable?: true }
  /** The answer to whois(): `fingerprint` of the owner's user key if the nick is bound (§5.3). */
  | { type: 'whois'; nick: string; bound: boolean; online: boolean; lastUsed: number; fingerprint: string | undefined }
  /**
   * A page of older history (loadOlder()), oldest first, all older than anything shown so far:
   * front ends show it above what they have (docs/protocol.md §6.2.11).
   */
  | { type: 'older'; entries: readonly OlderEntry[] }
  /**
   * loadOlder() found nothing older to load: `start` the room's first entry is loaded; `gone` the
   * rest is beyond the server's retention (a notice says so once); `unsupported` the server does
   * not page history (an older server); `not-joined` not online now.
   */
  | { type: 'no-older'; why: 'start' | 'gone' | 'unsupported' | 'not-joined' }
  /** The session is over: `left` after `leave()`, else cut off by the server (`reason` says how). */
  | { type: 'closed'; reason: string; left: boolean };

/** An entry of an `older` page: a message or a join/leave, marked history, in room 0. */
export type OlderEntry = Extract<ClientEvent, { type: 'message' }> | Extract<ClientEvent, { type: 'presence' }>;

export interface ChatSession {
  /** The nickname as the server registered it (the requested one until joined). */
  readonly nick: string;
  /** Server address as the user gave it, for display. */
  readonly server: string;
  readonly state: ConnectionState;
  readonly rttMs: number | undefined;
  /** Current members, sorted case-insensitively. */
  readonly peers: readonly string[];
  /** Messages said but not yet acknowledged by the server. */
  readonly pending: number;
  /** While a first join is in progress: when it gives up (for a countdown); otherwise undefined. */
  readonly joinDeadline: number | undefined;
  /** Queues a message (split into several if longer than the protocol allows). Throws after close. */
  say(text: string): void;
  /** Asks who owns a nick: a `whois` event answers (or a `notice` saying why not). */
  whois(nick: string): void;
  /**
   * Asks for the page of history before the oldest entry this session has: an `older` event
   * answers (or `no-older` saying why there is none). While one is loading, another call does nothing.
   * `count`: most entries wanted (the server sends what fits one datagram).
   */
  loadOlder(count?: number): void;
  /** Starts (or restarts, after join-failed) joining, optionally with another nickname. */
  join(nick?: string): void;
  /** Leaves politely (bounded wait for the server's confirmation) and closes. Idempotent. */
  leave(): Promise<void>;
  on(event: 'event', listener: (e: ClientEvent) => void): this;
  off(event: 'event', listener: (e: ClientEvent) => void): this;
}
