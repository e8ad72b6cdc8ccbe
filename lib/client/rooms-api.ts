/**
 * Rooms and private messages as front ends see them (issue 11; docs/protocol.md §6.3). A session
 * is always in room 0, `#lobby` (the room a revision-1 client knows); with the `rooms` capability
 * it can also be in other rooms and private conversations. Each room and each conversation is a
 * *stream* with a server-assigned `roomId`, its own order, history, repair and member list.
 *
 * Events about streams come on two channels of the session, in one order:
 * - `'event'` ({@link ClientEvent}): `message` (with `roomId`, and `action` for `/me`),
 *   `presence` (join/leave, with `roomId`), `roster` (with `roomId`), `refused` (with `roomId`);
 *   events without `roomId` are about room 0.
 * - `'room'` ({@link RoomEvent}): what only rooms have (streams opening and closing, topics,
 *   renames, away, parts, room lists, refused commands).
 * Both are emitted synchronously from one queue, so a listener on both sees the real order.
 */
import type { ErrorCode } from '../protocol/error-codes.js';
import type { ChatSession, ClientEvent } from './session-types.js';

/** The roomId of `#lobby`, the room every session is in (and the only one without `rooms`). */
export const LOBBY_ID = 0;
export const LOBBY_NAME = '#lobby';

export type StreamKind = 'room' | 'private';

/** A room or private conversation this session is in. */
export interface StreamInfo {
  readonly roomId: number;
  readonly kind: StreamKind;
  /** `#name` for a room (as its creator spelled it); the other person's nickname for a private conversation. */
  readonly name: string;
  /** The room's topic ('' if none); always '' for a private conversation. */
  readonly topic: string;
  /** Private conversation: the other person's away reason while they are away ('' = away without reason); undefined when not away or for rooms. */
  readonly away?: string | undefined;
}

/** One member of a stream's member list. */
export interface Member {
  readonly nick: string;
  readonly away: boolean;
}

/** One line of the answer to {@link RoomsSession.listRooms}. */
export interface RoomListing {
  readonly name: string;
  readonly members: number;
  readonly topic: string;
}

export interface SayOptions {
  /** `/me`: an action ("* ann waves") rather than a message. */
  action?: boolean;
}

/** The commands a refusal can answer (for wording: "cannot join #x: …", "bob is not online"). */
export type CommandOp = 'say' | 'join' | 'part' | 'topic' | 'nick' | 'away' | 'back' | 'msg' | 'rooms' | 'who';

/** Entries shared by every in-stream event: where and when in that stream's order. */
interface InStream {
  roomId: number;
  /** The stream's seq of this entry (per stream; room 0's seqs are those of revision 1). */
  seq: number;
  /** Server time, ms since the epoch. */
  time: number;
  /** Replayed history (the stream was just joined), not live. */
  history: boolean;
  /** Stored while this session was away, caught up on after a rejoin (docs/protocol.md §6.2.7). */
  missed?: true;
}

export type RoomEvent =
  /**
   * This session is now in a stream: after join (room 0), joinRoom, the first private message
   * either way, or a resume; `opened` false when only its info changed (topic, the peer's away).
   * A front end opens a buffer for it (if it has none) and shows the topic.
   */
  | { type: 'stream'; stream: StreamInfo; opened: boolean }
  /** This session is no longer in a stream (`why`: it parted, or the server forgot the stream after a restart and rejoining failed). */
  | { type: 'stream-closed'; roomId: number; name: string; why: 'parted' | 'gone' }
  /** Someone set the topic (`topic` '' = cleared). */
  | ({ type: 'topic'; nick: string; topic: string } & InStream)
  /** `from` is now known as `to` (in every stream both are in; own renames too). */
  | ({ type: 'rename'; from: string; to: string } & InStream)
  /** Someone went away (`away` true, with `reason`, possibly '') or came back. */
  | ({ type: 'away'; nick: string; away: boolean; reason: string } & InStream)
  /** Someone left a room with /part (not a quit: they are still online). */
  | ({ type: 'part'; nick: string; reason: string } & InStream)
  /** This session's own nickname changed (after changeNick, confirmed by the server). */
  | { type: 'nick'; nick: string; previous: string }
  /** A stream's member list, with away flags (after it changed, or answering who()). */
  | { type: 'members'; roomId: number; members: readonly Member[] }
  /** The answer to listRooms(): every room on the server, sorted by name. */
  | { type: 'rooms'; rooms: readonly RoomListing[] }
  /**
   * A command was refused: by the server (e.g. UDPCHAT_ERR_NOT_ONLINE for msg to someone
   * offline, UDPCHAT_ERR_NO_SUCH_ROOM, UDPCHAT_ERR_ROOM_LIMIT, UDPCHAT_ERR_ROOM_NAME_INVALID,
   * UDPCHAT_ERR_NICK_TAKEN), or locally (UDPCHAT_ERR_UNSUPPORTED: the server does not have
   * rooms, or the session is not online). `target` is what the command named (room name, nick,
   * new nick; '' if none); `text` the message or topic it carried ('' if none), so nothing the
   * user typed is lost.
   */
  | { type: 'command-refused'; op: CommandOp; target: string; text: string; code: ErrorCode; reason: string };

/**
 * A {@link ChatSession} with rooms. Every method queues a request and returns at once; results
 * come as events. Methods throw UDPCHAT_ERR_NOT_JOINED only after leave() (as say() does);
 * before the session is online, or if the server lacks `rooms`, they emit `command-refused`
 * with UDPCHAT_ERR_UNSUPPORTED instead.
 */
export interface RoomsSession extends ChatSession {
  /** Whether the server speaks rooms: undefined until the first WELCOME. */
  readonly roomsSupported: boolean | undefined;
  /** The streams this session is in, room 0 first, then in the order they were opened. */
  readonly streams: readonly StreamInfo[];
  stream(roomId: number): StreamInfo | undefined;
  /** A stream's member list as this client knows it (sorted like `peers`). */
  members(roomId: number): readonly Member[];

  /** Says text in room 0 (as a revision-1 client). */
  say(text: string): void;
  /** Says text (or an action) in a stream this session is in (a room or a private conversation). */
  say(roomId: number, text: string, options?: SayOptions): void;
  /** Joins a room by name (`#name`; created on first join). Answered by a `stream` event or `command-refused`. */
  joinRoom(name: string): void;
  /** Leaves a room or closes a private conversation (`#lobby` cannot be parted). */
  part(roomId: number, reason?: string): void;
  /** Sends a private message; the conversation's stream opens with it (`stream` event). */
  msg(nick: string, text: string, options?: SayOptions): void;
  /** Sets (or with '' clears) a room's topic. */
  topic(roomId: number, text: string): void;
  /** Renames this session (same rules as at join); announced in every stream it is in. */
  changeNick(nick: string): void;
  /** Marks this session away (shown in member lists and to people who message it). */
  away(reason?: string): void;
  back(): void;
  /** Asks for the list of rooms (answered by a `rooms` event). */
  listRooms(): void;
  /** Asks for a stream's member list again (answered by a `members` event). */
  who(roomId: number): void;

  on(event: 'event', listener: (e: ClientEvent) => void): this;
  on(event: 'room', listener: (e: RoomEvent) => void): this;
  off(event: 'event', listener: (e: ClientEvent) => void): this;
  off(event: 'room', listener: (e: RoomEvent) => void): this;
}

/** Whether a name is spelled like a room (`#` then a nickname); the server has the last word. */
export function looksLikeRoomName(name: string): boolean {
  return name.length > 1 && name.startsWith('#') && !/\s/u.test(name);
}
