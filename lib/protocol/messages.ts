/**
 * Typed datagrams (docs/protocol.md §3–§4). One union keyed by `type`; the codec maps each
 * tag to its opcode in one table (codec.ts). Byte fields are Buffers of fixed length.
 */
import type { WireErrorCode } from './error-codes.js';

/** Why a member left the room (DATA leave entries, BYE). */
export type LeaveReason = 'quit' | 'timeout' | 'shutdown' | 'flooding';

/** Why a session ended, as BYE says it: a leave reason, or `replaced` (BYE only, §4.4). */
export type ByeReason = LeaveReason | 'replaced';

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

/** A message (or `/me` action) in a stream (§4.2.22; capability bit 0, rooms). */
export interface RSayMessage {
  type: 'rsay';
  token: Buffer;
  /** Client sequence number: the same space as SAY and CMD. */
  cseq: number;
  roomId: number;
  /** `/me`: an action entry rather than a message. */
  action: boolean;
  text: string;
}

/** What a CMD asks for (§4.2.23). */
export type CommandName = 'join-room' | 'part' | 'topic' | 'nick' | 'away' | 'back' | 'msg' | 'msg-action' | 'rooms';

/** A numbered, acknowledged command (§4.2.23; capability bit 0, rooms). Fields a command does not use are 0 or empty. */
export interface CmdMessage {
  type: 'cmd';
  token: Buffer;
  cseq: number;
  op: CommandName;
  /** The stream the command is about (part, topic); 0 if none. */
  roomId: number;
  /** A room name (join-room), a nickname (nick, msg, msg-action), or '' (0–64 bytes). */
  name: string;
  /** A reason (part, away), a topic, a message, or ''. */
  text: string;
}

/** NACK for one stream (§4.2.24). */
export interface RNackMessage {
  type: 'rnack';
  token: Buffer;
  roomId: number;
  from: number;
  to: number;
}

/** WHO for one stream (§4.2.25). */
export interface RWhoMessage {
  type: 'rwho';
  token: Buffer;
  roomId: number;
  page: number;
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

// ---- entries only in RDATA (capability bit 0, rooms; §4.3) ------------------

/** Someone set a room's topic ('' clears it). `nick` is the setter. */
export interface TopicEntry {
  kind: 'topic';
  seq: number;
  time: number;
  nick: string;
  text: string;
}

/** `nick` is now known as `to`. `echo`: the second seq of a rename in room 0 (nothing to show). */
export interface RenameEntry {
  kind: 'rename';
  seq: number;
  time: number;
  nick: string;
  echo: boolean;
  to: string;
}

/** A `/me` action: shown as "* nick text". */
export interface ActionEntry {
  kind: 'action';
  seq: number;
  time: number;
  nick: string;
  text: string;
}

/** `nick` left the stream with /part (still online); `text` is the reason ('' if none). */
export interface PartEntry {
  kind: 'part';
  seq: number;
  time: number;
  nick: string;
  text: string;
}

/** `nick` went away (`away` true, `text` the reason, possibly '') or came back (`away` false, `text` ''). */
export interface AwayEntry {
  kind: 'away';
  seq: number;
  time: number;
  nick: string;
  away: boolean;
  text: string;
}

/** An entry of a stream's log as RDATA carries it: the three kinds of DATA and five more. */
export type RoomEntry = Entry | TopicEntry | RenameEntry | ActionEntry | PartEntry | AwayEntry;

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
  reason: ByeReason;
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

/** Consecutive entries of one stream (§4.2.26). */
export interface RDataMessage {
  type: 'rdata';
  roomId: number;
  /** Consecutive entries; entries[i].seq === entries[0].seq + i. */
  entries: RoomEntry[];
}

/** The last seq of a stream (§4.2.27). */
export interface RSyncMessage {
  type: 'rsync';
  roomId: number;
  lastSeq: number;
}

/** The last seq of every stream of a session but room 0, sent with PONG (§4.2.28). */
export interface RStateMessage {
  type: 'rstate';
  streams: Array<{ roomId: number; lastSeq: number }>;
}

/** room: a room the session is in; private: a conversation it is in; listing: a line of /rooms; gone: no longer in it. */
export type RoomInfoKind = 'room' | 'private' | 'listing' | 'gone';

/** A stream described to one session (§4.2.29). */
export interface RoomInfoMessage {
  type: 'roominfo';
  token: Buffer;
  roomId: number;
  kind: RoomInfoKind;
  /** Members now. */
  members: number;
  /** The stream's last seq (what the session's first entries follow). */
  lastSeq: number;
  /** First seq the server replays to this session (lastSeq + 1: nothing). */
  historyFrom: number;
  /** listing: this room's place in the list, and the list's length; otherwise 0 and 1. */
  index: number;
  total: number;
  /** `#room`, or the other person's nickname for a private conversation. */
  name: string;
  /** A room's topic; for a private conversation the other person's away reason; else ''. */
  topic: string;
}

/** One member in RROSTER. */
export interface RosterMember {
  nick: string;
  away: boolean;
}

/** One page of a stream's member list, with away flags (§4.2.30). */
export interface RRosterMessage {
  type: 'rroster';
  roomId: number;
  asOfSeq: number;
  page: number;
  pages: number;
  members: RosterMember[];
}

/** Datagrams of discovery (§5.7): no session, no token; kept out of the session unions. */
export type DiscoveryMessage = DiscoverMessage | OfferMessage;

export type ClientMessage =
  | JoinMessage
  | SayMessage
  | PingMessage
  | NackMessage
  | WhoMessage
  | LeaveMessage
  | WhoisMessage
  | RSayMessage
  | CmdMessage
  | RNackMessage
  | RWhoMessage
  | HistoryMessage;
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
  | PageMessage
  | RDataMessage
  | RSyncMessage
  | RStateMessage
  | RoomInfoMessage
  | RRosterMessage;
export type Message = ClientMessage | ServerMessage | DiscoveryMessage;
export type MessageType = Message['type'];
