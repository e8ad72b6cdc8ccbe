/**
 * Typed datagrams (docs/protocol.md §3–§4). One union keyed by `type`; the codec maps each
 * tag to its opcode in one table (codec.ts). Byte fields are Buffers of fixed length.
 */
import type { WireErrorCode } from './error-codes.js';

/** Why a member left the room (DATA leave entries, BYE). */
export type LeaveReason = 'quit' | 'timeout' | 'shutdown' | 'flooding';

/** `target` of a message: 0 is the room everyone is in; other values are reserved (§4.6). */
export type Target = number;

// ---- client → server -------------------------------------------------------

export interface JoinMessage {
  type: 'join';
  /** All zeroes on the first attempt; then the cookie from COOKIE. */
  cookie: Buffer;
  /** Random per client process, constant across rejoins (resume key). */
  clientId: Buffer;
  /** Instance of the server the client was last joined to, or zeroes. */
  resumeInstance: Buffer;
  /** Last room sequence number the client delivered on that instance, or 0. */
  resumeSeq: number;
  /** Capability bits the client supports (none defined in version 1). */
  caps: number;
  nick: string;
}

export interface SayMessage {
  type: 'say';
  token: Buffer;
  /** Client sequence number, 1, 2, 3 … per client id, never reused. */
  cseq: number;
  target: Target;
  text: string;
}

export interface PingMessage {
  type: 'ping';
  token: Buffer;
  /** Highest room sequence number delivered in order (0 if none). */
  delivered: number;
  /** Client clock (ms, mod 2^32), echoed in PONG for RTT measurement. */
  echo: number;
}

export interface NackMessage {
  type: 'nack';
  token: Buffer;
  /** First missing room sequence number. */
  from: number;
  /** Last missing room sequence number (inclusive, ≥ from). */
  to: number;
}

export interface WhoMessage {
  type: 'who';
  token: Buffer;
  page: number;
}

export interface LeaveMessage {
  type: 'leave';
  token: Buffer;
}

/**
 * Asks every server that hears it to answer with an OFFER (§4.2.16). Sent before any session,
 * often to a broadcast address; padded so that no OFFER is larger (§5.5).
 */
export interface DiscoverMessage {
  type: 'discover';
  /** Random per discovery run; copied into the OFFER so stale or unsolicited offers are dropped. */
  nonce: Buffer;
}

/** Asks who owns a nickname (§4.2.20; capability bit 2, identity). */
export interface WhoisMessage {
  type: 'whois';
  token: Buffer;
  /** The nickname as typed; the server compares it by its key (§5.3). */
  nick: string;
}

/**
 * Asks for a page of older history (§4.2.18; capability bit 1, history paging): up to `count`
 * entries just before seq `before`.
 */
export interface HistoryMessage {
  type: 'history';
  token: Buffer;
  /** The page ends just before this seq (≥ 1): the oldest seq the client has, typically. */
  before: number;
  /** Most entries wanted, 1–255. */
  count: number;
}

// ---- server → client -------------------------------------------------------

export interface CookieMessage {
  type: 'cookie';
  clientId: Buffer;
  cookie: Buffer;
}

export interface WelcomeMessage {
  type: 'welcome';
  clientId: Buffer;
  token: Buffer;
  instance: Buffer;
  /** First room sequence number the server replays as history (baseSeq + 1 if none). */
  historyFrom: number;
  /** Last room sequence number before this peer's own join entry. */
  baseSeq: number;
  /** Highest client sequence number already accepted for this client id (0 if none). */
  ackedCseq: number;
  heartbeatMs: number;
  idleTimeoutMs: number;
  maxText: number;
  caps: number;
  /** The nickname as registered (after normalisation of form, not of case). */
  nick: string;
}

export interface MessageEntry {
  kind: 'msg';
  seq: number;
  /** Server time, ms since the Unix epoch. */
  time: number;
  nick: string;
  target: Target;
  text: string;
}

export interface JoinEntry {
  kind: 'join';
  seq: number;
  time: number;
  nick: string;
}

export interface LeaveEntry {
  kind: 'leave';
  seq: number;
  time: number;
  nick: string;
  reason: LeaveReason;
}

/** One entry of the room log. */
export type Entry = MessageEntry | JoinEntry | LeaveEntry;

export interface DataMessage {
  type: 'data';
  /** Consecutive entries; entries[i].seq === entries[0].seq + i. */
  entries: Entry[];
}

export interface AckMessage {
  type: 'ack';
  token: Buffer;
  /** Every client sequence number ≤ cseq is accepted (or refused with an ERROR). */
  cseq: number;
}

export interface SyncMessage {
  type: 'sync';
  /** Last room sequence number assigned. */
  lastSeq: number;
}

export interface PongMessage {
  type: 'pong';
  lastSeq: number;
  echo: number;
}

export interface RosterMessage {
  type: 'roster';
  /** The member list is as of this room sequence number. */
  asOfSeq: number;
  page: number;
  pages: number;
  nicks: string[];
}

export interface ByeMessage {
  type: 'bye';
  token: Buffer;
  reason: LeaveReason;
}

export interface ErrorMessage {
  type: 'error';
  /** The token or client id of the request this answers. */
  ref: Buffer;
  code: WireErrorCode;
  /** Code-specific number (e.g. the refused cseq); 0 if unused. */
  arg: number;
  detail: string;
}

/** A server's answer to DISCOVER (§4.2.17): who it is and how busy. */
export interface OfferMessage {
  type: 'offer';
  /** Copied from the DISCOVER. */
  nonce: Buffer;
  /** Highest protocol version the server speaks (≥ 1). */
  protocol: number;
  /** The UDP port the server takes JOINs on (the OFFER's source port). */
  port: number;
  /** Users online now. */
  users: number;
  /** True if joining needs the room's passphrase (sealed sessions, §8); always false in version 1. */
  passphrase: boolean;
  /** The server's name (`serve --name`, else its host name): 1–63 bytes of UTF-8, untrusted. */
  name: string;
}

/** The answer to WHOIS (§4.2.21): whether the nick is bound to a user key, and which. */
export interface OwnerMessage {
  type: 'owner';
  token: Buffer;
  /** The nick is bound to a user key (§5.3 "Ownership"). */
  bound: boolean;
  /** A session holds the nick now. */
  online: boolean;
  /** When the binding was last used, ms since the Unix epoch (server clock); 0 if unbound. */
  lastUsed: number;
  /** The owner's X25519 public key (32 bytes); all zero if unbound. */
  key: Buffer;
  /** The nick as bound or as online (else as asked). */
  nick: string;
}

/**
 * The answer to HISTORY (§4.2.19; capability bit 1): the entries just before `before`, oldest
 * first (entries[i].seq = before − entries.length + i), possibly none.
 */
export interface PageMessage {
  type: 'page';
  token: Buffer;
  /** Copied from the HISTORY this answers. */
  before: number;
  /** Nothing older than this page can be had: its first entry is the oldest the server keeps (or it is empty). */
  oldest: boolean;
  /** With `oldest`: older entries existed but are no longer kept (retention). */
  gone: boolean;
  entries: Entry[];
}

/** Datagrams of discovery (§5.7): no session, no token; kept out of the session unions. */
export type DiscoveryMessage = DiscoverMessage | OfferMessage;

export type ClientMessage = JoinMessage | SayMessage | PingMessage | NackMessage | WhoMessage | LeaveMessage | WhoisMessage | HistoryMessage;
export type ServerMessage =
  | CookieMessage
  | WelcomeMessage
  | DataMessage
  | AckMessage
  | SyncMessage
  | PongMessage
  | RosterMessage
  | ByeMessage
  | ErrorMessage
  | OwnerMessage
  | PageMessage;
export type Message = ClientMessage | ServerMessage | DiscoveryMessage;
export type MessageType = Message['type'];
