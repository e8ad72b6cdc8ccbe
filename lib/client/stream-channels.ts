/**
 * The streams of a session with rooms, as ClientCore routes them (docs/protocol.md §6.3.3,
 * §6.3.4, §6.3.7): RDATA, RSYNC and RROSTER to each stream's StreamChannel (room 0's to the
 * core's RoomFeed), ROOMINFO opening, renaming and closing streams, RSTATE finding lost tails and
 * rooms to join again, and RWHO page 0 for a stream the server names that this client does not know.
 *
 * Invariants: a stream has a channel exactly while the StreamDirectory lists it (room 0 aside);
 * a room is being joined again by name at most once at a time.
 */
import type { ClientMessage, RDataMessage, RRosterMessage, RStateMessage, RSyncMessage, RoomInfoMessage } from '../protocol/messages.js';
import type { ErrorCode } from '../protocol/error-codes.js';
import { NameMap, sameNick } from '../protocol/nick.js';
import type { Liveness } from './liveness.js';
import type { RoomFeed } from './room-feed.js';
import { LOBBY_ID, type RoomEvent, type StreamInfo } from './rooms-api.js';
import type { RttEstimator } from './rtt-estimator.js';
import type { ClientEvent } from './session-types.js';
import { StreamChannel } from './stream-channel.js';
import type { StreamDirectory } from './streams.js';

/** What the streams need of the session that holds them. */
export interface StreamChannelsHost {
  readonly rtt: RttEstimator;
  readonly liveness: Liveness;
  readonly streams: StreamDirectory;
  readonly feed: RoomFeed;
  /** The session's nickname now. */
  nick(): string;
  /** The session token while online. */
  token(): Buffer | undefined;
  send(m: ClientMessage): void;
  /** An event for the front end, after any presence lines held back. */
  event(e: ClientEvent | RoomEvent): void;
  /** An event of a stream's feed (routed like room 0's). */
  fromStream(e: ClientEvent | RoomEvent): void;
  /** Queues a CMD join-room for `info`'s name (and old roomId). */
  joinAgain(info: StreamInfo, now: number): void;
  /** Queues a held RSAY again, to the room's new id. */
  sayAgain(roomId: number, say: HeldSay, now: number): void;
}

/** An RSAY the server refused because it no longer had the session in the room (it restarted), kept until the room is joined again. */
export interface HeldSay {
  readonly cseq: number;
  readonly text: string;
  readonly action: boolean;
  /** The server's refusal, told if the room cannot be joined again. */
  readonly code: ErrorCode;
  readonly reason: string;
}

export class StreamChannels {
  /** The receiving side of every stream but room 0 (room 0 is the host's feed). */
  private readonly byId = new Map<number, StreamChannel>();
  /** Rooms being joined again by name after a WELCOME or an RSTATE that lacks them (name → old roomId, if any). */
  private readonly rejoining = new NameMap<number | undefined>();
  /** Streams parted (their ROOMINFO gone may be lost: an RSTATE without them closes them). */
  private readonly parting = new Set<number>();
  /** RSAYs refused while their room is being joined again (by room name, in cseq order), sent again once it is (§6.3.7). */
  private readonly held = new NameMap<{ name: string; says: HeldSay[] }>();
  /** roomId → when its ROOMINFO was last asked for (RWHO page 0), for streams the server names but this client does not know. */
  private readonly askedInfo = new Map<number, number>();

  constructor(private readonly host: StreamChannelsHost) {}

  get(roomId: number): StreamChannel | undefined {
    return this.byId.get(roomId);
  }

  /** The user parts `roomId`: an RSTATE that no longer names it closes it. */
  part(roomId: number): void {
    this.parting.add(roomId);
  }

  /** RDATA, RSYNC, RROSTER or RSTATE; false (a drop) for a stream this client does not know. */
  receive(m: RDataMessage | RSyncMessage | RRosterMessage | RStateMessage, now: number): boolean {
    if (m.type === 'rstate') {
      this.onRState(m, now);
      return true;
    }
    if (m.roomId === LOBBY_ID) {
      if (m.type === 'rsync') this.host.feed.receive({ type: 'sync', lastSeq: m.lastSeq }, now);
      else this.host.feed.receive(m, now);
      return true;
    }
    const channel = this.byId.get(m.roomId);
    if (channel === undefined) {
      this.askInfo(m.roomId, now);
      return false;
    }
    if (m.type === 'rdata') channel.entries(m.entries, now);
    else if (m.type === 'rsync') channel.seen(m.lastSeq, now);
    else channel.roster(m);
    return true;
  }

  /** A stream described (§6.3.3): joined, reopened or left (not a line of the room list). */
  info(m: RoomInfoMessage, now: number): void {
    const { streams } = this.host;
    if (m.roomId === LOBBY_ID) {
      const lobby = streams.get(LOBBY_ID) as StreamInfo;
      if (lobby.topic !== m.topic) this.open({ ...lobby, topic: m.topic }, false);
      return;
    }
    const known = this.byId.get(m.roomId);
    this.askedInfo.delete(m.roomId);
    if (m.kind === 'gone') {
      this.parting.delete(m.roomId);
      this.rejoining.delete(m.name);
      this.close(m.roomId, 'parted');
      return this.refuseHeld(m.name);
    }
    const kind = m.kind === 'private' ? 'private' : 'room';
    this.rejoining.delete(m.name);
    if (kind === 'room') this.releaseHeld(m.name, m.roomId, now);
    if (known !== undefined) {
      known.info(m.lastSeq, m.historyFrom, now);
      const info = streams.get(m.roomId) as StreamInfo;
      const next: StreamInfo = kind === 'private' ? { ...info, name: m.name, away: known.members.isAway(m.name) || m.topic !== '' ? m.topic : undefined } : { ...info, name: m.name, topic: m.topic };
      if (next.name !== info.name || next.topic !== info.topic || next.away !== info.away) this.open(next, false);
      return;
    }
    // Another stream of the same name (the room was forgotten and made again, a conversation the
    // server lost): the new one replaces it.
    const same = streams.all.find((s) => s.roomId !== LOBBY_ID && s.kind === kind && sameNick(s.name, m.name));
    if (same !== undefined) this.close(same.roomId, 'gone');
    const channel = new StreamChannel(m.roomId, this.host.rtt, this.host.liveness, (e) => this.host.fromStream(e), () => this.host.nick(), m.historyFrom, m.lastSeq, now);
    this.byId.set(m.roomId, channel);
    const info: StreamInfo = kind === 'private' ? { roomId: m.roomId, kind, name: m.name, topic: '', away: m.topic === '' ? undefined : m.topic } : { roomId: m.roomId, kind, name: m.name, topic: m.topic };
    this.open(info, true);
    channel.online(now);
  }

  /** Records a stream's info and tells the front end (`opened`: new to this session). */
  open(info: StreamInfo, opened: boolean): void {
    this.host.streams.set(info);
    this.host.event({ type: 'stream', stream: info, opened });
  }

  /**
   * After a WELCOME (§6.3.7): the same server keeps the streams (its ROOMINFOs confirm them, and each
   * room is joined again by name, which it answers at once if the session is still in it); a new
   * instance, or a server without rooms, forgets them, and the rooms are joined again by name
   * (`rooms`: if this server has them).
   */
  welcome(keep: boolean, rooms: boolean, now: number): void {
    const { streams } = this.host;
    const joined = streams.all.filter((s) => s.roomId !== LOBBY_ID && s.kind === 'room');
    if (!keep) for (const s of [...streams.all]) if (s.roomId !== LOBBY_ID) this.close(s.roomId, 'gone');
    this.rejoining.clear();
    for (const c of this.byId.values()) {
      if (keep) c.resumed();
      c.online(now);
    }
    if (rooms) for (const r of joined) this.rejoin(r, now);
    // Held for a room closed before this WELCOME (a second one came before the room's ROOMINFO):
    // join it again by name, naming no old stream (or refuse what waits, on a server without rooms).
    for (const { name } of [...this.held.values()]) {
      if (this.rejoining.has(name)) continue;
      if (!rooms) {
        this.refuseHeld(name);
        continue;
      }
      this.rejoining.set(name, undefined);
      this.host.joinAgain({ roomId: LOBBY_ID, kind: 'room', name, topic: '' }, now);
    }
  }

  /** A CMD join-room for `name` was refused: true if it was a room joined again on our own (closed: gone). */
  rejoinRefused(name: string): boolean {
    if (!this.rejoining.has(name)) return false;
    const old = this.rejoining.get(name);
    this.rejoining.delete(name);
    if (old !== undefined) this.close(old, 'gone');
    this.refuseHeld(name);
    return true;
  }

  /**
   * An RSAY to `roomId`, a room named `name`, was refused NO_SUCH_ROOM: the server no longer had
   * the session in it (it restarted while the text waited to be sent, §6.3.7). True if it is taken
   * care of: sent again to the room's new id if it is joined again already, or held until the room
   * is joined again (then sent, in cseq order) or cannot be (then refused as the server said).
   * False when no rejoin is under way: the refusal stands.
   */
  sayAfterRejoin(name: string, roomId: number, say: HeldSay, now: number): boolean {
    if (this.rejoining.has(name)) {
      const held = this.held.get(name) ?? { name, says: [] };
      held.says.push(say);
      held.says.sort((a, b) => a.cseq - b.cseq);
      this.held.set(name, held);
      return true;
    }
    const again = this.host.streams.all.find((s) => s.kind === 'room' && s.roomId !== roomId && s.roomId !== LOBBY_ID && sameNick(s.name, name));
    if (again === undefined) return false;
    this.host.sayAgain(again.roomId, say, now);
    return true;
  }

  /** How many refused RSAYs wait for their room to be joined again (not delivered yet). */
  get heldCount(): number {
    let n = 0;
    for (const h of this.held.values()) n += h.says.length;
    return n;
  }

  private releaseHeld(name: string, roomId: number, now: number): void {
    const held = this.held.get(name);
    if (held === undefined) return;
    this.held.delete(name);
    for (const say of held.says) this.host.sayAgain(roomId, say, now);
  }

  private refuseHeld(name: string): void {
    const held = this.held.get(name);
    if (held === undefined) return;
    this.held.delete(name);
    for (const say of held.says) this.host.event({ type: 'command-refused', op: 'say', target: held.name, text: say.text, code: say.code, reason: say.reason });
  }

  /** RNACKs and RWHO of every stream due now. */
  requests(token: Buffer, now: number): ClientMessage[] {
    const out: ClientMessage[] = [];
    for (const c of this.byId.values()) out.push(...c.requests(token, now));
    return out;
  }

  nextDeadline(): number {
    let t = Infinity;
    for (const c of this.byId.values()) t = Math.min(t, c.nextDeadline());
    return t;
  }

  /** The session is gone: no repair until the next WELCOME. */
  offline(): void {
    for (const c of this.byId.values()) c.offline();
  }

  private close(roomId: number, why: 'parted' | 'gone'): void {
    const info = this.host.streams.remove(roomId);
    this.byId.delete(roomId);
    if (info === undefined) return;
    this.host.event({ type: 'stream-closed', roomId, name: info.name, why });
  }

  /** The last seq of every stream the server has this session in (§6.3.4): lost tails, and rooms to join again. */
  private onRState(m: RStateMessage, now: number): void {
    const listed = new Set<number>();
    for (const s of m.streams) {
      listed.add(s.roomId);
      const channel = this.byId.get(s.roomId);
      if (channel === undefined) this.askInfo(s.roomId, now);
      else channel.seen(s.lastSeq, now);
    }
    for (const roomId of this.parting) {
      if (listed.has(roomId)) continue;
      this.parting.delete(roomId);
      this.close(roomId, 'parted');
    }
    // A room the server no longer has this session in (it restarted, §6.3.7): join it again by name.
    for (const info of this.host.streams.all) {
      if (info.roomId === LOBBY_ID || info.kind !== 'room' || listed.has(info.roomId)) continue;
      this.rejoin(info, now);
    }
  }

  /** A stream the server names that this client does not know (its ROOMINFO was lost): RWHO page 0 brings it (§6.3.4). */
  private askInfo(roomId: number, now: number): void {
    const token = this.host.token();
    if (token === undefined || now - (this.askedInfo.get(roomId) ?? -Infinity) < this.host.rtt.rto) return;
    this.askedInfo.set(roomId, now);
    this.host.send({ type: 'rwho', token, roomId, page: 0 });
  }

  /** Joins a room again by name, once at a time; a refusal closes it (stream-closed gone). */
  private rejoin(info: StreamInfo, now: number): void {
    if (this.rejoining.has(info.name)) return;
    this.rejoining.set(info.name, info.roomId);
    this.host.joinAgain(info, now);
  }
}
