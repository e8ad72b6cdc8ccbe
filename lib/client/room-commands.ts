/**
 * The rooms commands of a client session (docs/protocol.md §6.3.1; the API is rooms-api.ts
 * RoomsSession): each is refused locally when it cannot be sent — after leave() (throws), before
 * the first WELCOME, or to a server without rooms — or else queued as an RSAY or CMD in the
 * session's one outbox, numbered, retransmitted and acknowledged like a SAY (also while
 * reconnecting). Also collects the answer to listRooms() (room-list.ts) and words refusals of
 * queued requests. Sans-I/O: client-core.ts routes to it.
 */
import type { ErrorCode } from '../protocol/error-codes.js';
import { LocalError } from '../protocol/local-error.js';
import type { ClientMessage, CommandName, RoomInfoMessage } from '../protocol/messages.js';
import type { OutgoingMessage, RoomRequest } from './outbox.js';
import type { RoomFeed } from './room-feed.js';
import { RoomList } from './room-list.js';
import { type CommandOp, LOBBY_ID, type RoomEvent, type RoomListing, type SayOptions, type StreamInfo } from './rooms-api.js';
import type { RttEstimator } from './rtt-estimator.js';
import type { Sender } from './sender.js';
import type { ClientEvent } from './session-types.js';
import type { HeldSay, StreamChannels } from './stream-channels.js';
import type { StreamDirectory } from './streams.js';

/** What the commands may see and do of the session (client-core.ts). */
export interface RoomCommandsHost {
  readonly sender: Sender;
  readonly rtt: RttEstimator;
  readonly feed: RoomFeed;
  readonly streams: StreamDirectory;
  readonly channels: StreamChannels;
  /** After leave(): the session is over. */
  ending(): boolean;
  /** Whether the server echoed the rooms capability: undefined until the first WELCOME. */
  roomsSupported(): boolean | undefined;
  /** The session's clock moved to `now`. */
  at(now: number): void;
  /** The session's say(): room 0, no options. */
  say(text: string, now: number): void;
  send(messages: readonly ClientMessage[]): void;
  event(e: ClientEvent | RoomEvent): void;
  /** Emits the join/leave lines folded so far (presence-coalescer.ts), before what comes next. */
  flushPresence(): void;
}

export class RoomCommands {
  /** The answer to listRooms() being collected (ROOMINFO listings, §6.3.3). */
  private readonly roomList = new RoomList();

  constructor(private readonly host: RoomCommandsHost) {}

  /** Says text in a stream (room 0 without options is exactly say()). */
  sayIn(roomId: number, text: string, options: SayOptions, now: number): void {
    if (roomId === LOBBY_ID && options.action !== true) return this.host.say(text, now);
    const stream = this.host.streams.get(roomId);
    const target = stream?.name ?? String(roomId);
    if (stream?.kind === 'private') return this.msg(stream.name, text, options, now);
    if (this.refusedLocally('say', target, text, now)) return;
    if (stream === undefined) return this.refuse('say', target, text, 'UDPCHAT_ERR_NO_SUCH_ROOM', 'not in that room');
    this.request({ wire: { type: 'rsay', roomId, action: options.action === true }, op: 'say', target }, text, true, now);
  }

  /** Joins a room by name. */
  joinRoom(name: string, now: number): void {
    if (this.refusedLocally('join', name, '', now)) return;
    this.command('join-room', 'join', name, { name }, '', now);
  }

  /** Joins again, on our own, a stream the session was in (stream-channels.ts, §6.3.7). */
  rejoin(info: StreamInfo, now: number): void {
    this.command('join-room', 'join', info.name, { name: info.name, roomId: info.roomId }, '', now);
  }

  /** An RSAY held while its room was joined again (stream-channels.ts), queued again to the room's new id. */
  sayAgain(roomId: number, say: HeldSay, now: number): void {
    const target = this.host.streams.get(roomId)?.name ?? String(roomId);
    this.request({ wire: { type: 'rsay', roomId, action: say.action }, op: 'say', target }, say.text, false, now);
  }

  part(roomId: number, reason: string, now: number): void {
    const target = this.host.streams.get(roomId)?.name ?? String(roomId);
    if (this.refusedLocally('part', target, reason, now)) return;
    this.host.channels.part(roomId);
    this.command('part', 'part', target, { roomId }, reason, now);
  }

  msg(nick: string, text: string, options: SayOptions, now: number): void {
    if (this.refusedLocally('msg', nick, text, now)) return;
    this.request({ wire: { type: 'cmd', op: options.action === true ? 'msg-action' : 'msg', roomId: 0, name: nick }, op: 'msg', target: nick }, text, true, now);
  }

  topic(roomId: number, text: string, now: number): void {
    const target = this.host.streams.get(roomId)?.name ?? String(roomId);
    if (this.refusedLocally('topic', target, text, now)) return;
    this.command('topic', 'topic', target, { roomId }, text, now);
  }

  changeNick(nick: string, now: number): void {
    if (this.refusedLocally('nick', nick, '', now)) return;
    this.command('nick', 'nick', nick, { name: nick }, '', now);
  }

  away(reason: string, now: number): void {
    if (this.refusedLocally('away', '', reason, now)) return;
    this.command('away', 'away', '', {}, reason, now);
  }

  back(now: number): void {
    if (this.refusedLocally('back', '', '', now)) return;
    this.command('back', 'back', '', {}, '', now);
  }

  listRooms(now: number): void {
    if (this.refusedLocally('rooms', '', '', now)) return;
    this.roomList.start();
    this.command('rooms', 'rooms', '', {}, '', now);
  }

  /** A line of the room list (a ROOMINFO listing): the `rooms` event once every line is there. */
  listing(m: RoomInfoMessage): void {
    const rooms = this.roomList.line(m);
    if (rooms !== undefined) this.showRooms(rooms);
  }

  /** A room list incomplete long after its request: asked for again, or shown as far as it came (room-list.ts). */
  listingDue(now: number): void {
    const r = this.roomList.due(now, () => this.host.sender.outbox.queue.some((m) => m.request?.op === 'rooms'), this.host.rtt.rto);
    if (r === 'ask') this.command('rooms', 'rooms', '', {}, '', now);
    else if (r !== undefined) this.showRooms(r);
  }

  nextDeadline(now: number): number {
    return this.roomList.nextDeadline(now);
  }

  private showRooms(rooms: RoomListing[]): void {
    this.host.flushPresence();
    this.host.event({ type: 'rooms', rooms });
  }

  /** The member list of a stream as this client knows it, at once (a `members` event); it is kept up to date by the server. */
  who(roomId: number, now: number): void {
    const target = this.host.streams.get(roomId)?.name ?? String(roomId);
    if (this.refusedLocally('who', target, '', now)) return;
    const channel = this.host.channels.get(roomId);
    if (roomId !== LOBBY_ID && channel === undefined) return this.refuse('who', target, '', 'UDPCHAT_ERR_NO_SUCH_ROOM', 'not in that room');
    const members = channel === undefined ? this.host.feed.members() : [...channel.members.list()];
    this.host.streams.setMembers(roomId, [...members]);
    this.host.event({ type: 'members', roomId, members });
  }

  /** The server refused a queued RSAY or CMD: a `command-refused` event, unless it was a rejoin of our own. */
  refused(m: OutgoingMessage, code: ErrorCode, reason: string, now: number): void {
    const r = m.request;
    if (r === undefined) return;
    // A room joined again on our own (not asked by the user): it is gone.
    if (r.wire.type === 'cmd' && r.wire.op === 'join-room' && this.host.channels.rejoinRefused(r.wire.name)) return;
    // Said in a room the server lost (it restarted while the text waited): sent again once the room is joined again.
    if (r.wire.type === 'rsay' && code === 'UDPCHAT_ERR_NO_SUCH_ROOM' && this.host.channels.sayAfterRejoin(r.target, r.wire.roomId, { cseq: m.cseq, text: m.text, action: r.wire.action, code, reason }, now)) return;
    this.host.event({ type: 'command-refused', op: r.op, target: r.target, text: m.text, code, reason });
  }

  /**
   * A rooms command is refused locally (true) after leave() (throws), before the first WELCOME,
   * or when the server has no rooms; otherwise it is queued, also while reconnecting.
   */
  private refusedLocally(op: CommandOp, target: string, text: string, now: number): boolean {
    this.host.at(now);
    if (this.host.ending()) throw new LocalError('UDPCHAT_ERR_NOT_JOINED', `${op} after leave(): the session is over`);
    const supported = this.host.roomsSupported();
    if (supported === true) return false;
    this.refuse(op, target, text, 'UDPCHAT_ERR_UNSUPPORTED', supported === false ? 'this server has no rooms (an older udp-chat)' : 'not joined yet');
    return true;
  }

  private refuse(op: CommandOp, target: string, text: string, code: ErrorCode, reason: string): void {
    this.host.event({ type: 'command-refused', op, target, text, code, reason });
  }

  private command(op: CommandName, apiOp: CommandOp, target: string, fields: { roomId?: number; name?: string }, text: string, now: number): void {
    this.request({ wire: { type: 'cmd', op, roomId: fields.roomId ?? 0, name: fields.name ?? '' }, op: apiOp, target }, text, false, now);
  }

  /** Queues an RSAY or CMD in the one outbox (§6.3.1): numbered, retransmitted, acknowledged like a SAY. */
  private request(r: RoomRequest, text: string, split: boolean, now: number): void {
    // No 'sending' events: front ends show a message in a stream when the stream delivers it.
    this.host.sender.queueRequest(r, text, split);
    this.host.send(this.host.sender.fresh(now));
  }
}
