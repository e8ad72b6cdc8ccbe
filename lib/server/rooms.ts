/**
 * Rooms and private messages on the server (docs/protocol.md §6.3), for sessions that enabled
 * capability bit 0. Room 0 stays the core's room log; this keeps the other streams and away
 * flags, and carries out RSAY, CMD, RNACK and RWHO. Room 0's second rendering (§6.3.5) is
 * lobby.ts's, private messages are private-conversations.ts's.
 *
 * Invariants:
 * - A session is a member of a stream exactly when the stream is in its `streams` set.
 * - Nothing of a stream other than room 0 is ever sent to a non-member, and nothing of this module
 *   reaches a session without the capability: room 0's entries reach those in kinds 1–3 only.
 * - Every datagram of a stream other than room 0 is queued per recipient (never one datagram to a
 *   list), so a sealing layer seals it on each member's own session channel.
 */
import type { CmdMessage, LeaveReason, RNackMessage, RSayMessage, RStateMessage, RWhoMessage, RoomInfoMessage } from '../protocol/messages.js';
import { checkNick, nickCaseKey, nickKey } from '../protocol/nick.js';
import { CAP_IDENTITY } from '../protocol/whois-codec.js';
import { MAX_RSTATE_STREAMS } from '../protocol/rooms-codec.js';
import { LOBBY_ID, LOBBY_NAME, Lobby, roomsEnabled } from './lobby.js';
import type { NewRoomEntry } from './room-log.js';
import { sendRepair } from './gap-repair.js';
import type { NickOwners } from './nick-owners.js';
import type { Outbound } from './outbound.js';
import { type Framing, packEntries, rdataFraming } from './pack-entries.js';
import type { ProducedBytes } from './repair-budget.js';
import type { ServerOptions } from './server-options.js';
import type { ServerStats } from './server-types.js';
import type { Session, SessionTable } from './session-table.js';
import type { StagedLog } from './staged-log.js';
import { PrivateConversations, conversationTitle } from './private-conversations.js';
import { type Refusal, checkText } from './refusal.js';
import { Stream, rrosterBytes } from './streams.js';

const LOBBY_KEY = `#${nickKey('lobby')}`;
/** Longest topic, and longest part or away reason (UTF-8 bytes): their room 0 renderings fit any maxText ≥ 64 … and stay readable. */
const TOPIC_MAX_BYTES = 300;
const REASON_MAX_BYTES = 200;
const TAIL_SYNCS = 2;
/** Streams per session whose history is given on credit (then it is drawn from the repair budget). */
const CREDITED_STREAMS = 256;

/** What the rooms may see and do of the server core. */
export interface RoomsContext {
  readonly options: ServerOptions;
  readonly sessions: SessionTable;
  /** Room 0's log (durable view). */
  readonly log: StagedLog;
  readonly out: Outbound;
  readonly produced: ProducedBytes;
  readonly stats: ServerStats;
  readonly nicks: NickOwners;
  /** Random bytes (the server's source). */
  random(n: number): Buffer;
  drop(reason: string): void;
  /** A request the repair budget cannot answer (counted; past a limit the session is cut off). */
  overdrawn(session: Session, now: number): void;
  /** Answers a NACK of room 0 for this session (the core's gap repair). */
  nackLobby(session: Session, from: number, to: number, now: number): void;
}

interface Membership {
  readonly streams: Set<Stream>;
  /** Streams whose history this session was given on credit (once each, §6.3.3). */
  readonly credited: Set<number>;
  /** The away reason while away ('' = no reason); undefined when not away. */
  away: string | undefined;
}

function bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

export class Rooms {
  private readonly byId = new Map<number, Stream>();
  private readonly roomsByKey = new Map<string, Stream>();
  /**
   * The same rooms by `#` + the nickCaseKey of their name: a name is a room when either key is
   * (§5.3, §6.3.3), so `#общий` finds `#ОБЩИЙ`. No two rooms share either key.
   */
  private readonly roomsByCaseKey = new Map<string, Stream>();
  private readonly privates: PrivateConversations;
  private readonly of = new Map<Session, Membership>();
  /**
   * The next roomId. It starts at a random u32 each run, so that a server restarted with the same
   * instance (§6.1.10) does not give a new stream the id of one its clients still hold (§6.3.1).
   */
  private nextId: number;
  private roomCount = 0;
  /** Room 0 as sessions with rooms see it (lobby.ts). */
  private readonly lobby: Lobby;
  /** Streams with a tail RSYNC to send. */
  private readonly syncing = new Set<Stream>();
  /** Streams with entries not yet fanned out. */
  private readonly dirty = new Set<Stream>();

  constructor(private readonly ctx: RoomsContext) {
    this.nextId = ctx.random(4).readUInt32BE(0);
    this.lobby = new Lobby({ log: ctx.log, sessions: ctx.sessions, out: ctx.out, maxDatagram: ctx.options.maxDatagram, isAway: (s) => this.isAway(s) });
    this.privates = new PrivateConversations({
      sessions: ctx.sessions,
      maxText: ctx.options.maxText,
      streamsOf: (s) => this.membership(s).streams,
      create: (key) => this.create('private', '', key),
      enter: (joining, stream) => {
        this.enter(joining, stream, 'private');
        for (const x of joining) this.sendRoster(x, stream);
      },
      append: (stream, entry) => this.append(stream, entry),
      accepted: () => this.ctx.stats.accepted++,
    });
  }

  /** True if the session enabled rooms (WELCOME caps bit 0). */
  static enabled(s: Session): boolean {
    return roomsEnabled(s);
  }

  private membership(s: Session): Membership {
    let m = this.of.get(s);
    if (m === undefined) {
      m = { streams: new Set(), credited: new Set(), away: undefined };
      this.of.set(s, m);
    }
    return m;
  }

  private isAway(s: Session): boolean {
    return this.of.get(s)?.away !== undefined;
  }

  // ---- room 0 (lobby.ts) ----------------------------------------------------------------------

  /** How room 0 is read and framed for a session: RDATA 0 with the rooms rendering, or DATA. */
  lobbyRendering(s: Session): { bytesOf: (seq: number) => Buffer | undefined; framing: Framing } {
    return this.lobby.rendering(s);
  }

  /** Whether room 0's entries from..to differ between the two renderings (then fan-out needs both). */
  richIn(from: number, to: number): boolean {
    return this.lobby.richIn(from, to);
  }

  /** Room 0's entries from..to in both renderings (Lobby.fanOutTwice); the bytes fanned out. */
  fanOutLobbyTwice(from: number, to: number): number {
    return this.lobby.fanOutTwice(from, to);
  }

  /** Every page of room 0's member list with away flags, to a session with rooms (§6.3.4). */
  sendLobbyRoster(s: Session): void {
    this.lobby.sendRoster(s);
  }

  // ---- requests -------------------------------------------------------------------------------

  /** An accepted RSAY (other than a plain message in room 0, which the core appends as a SAY) or CMD. */
  accept(s: Session, m: RSayMessage | CmdMessage, now: number): Refusal | undefined {
    if (m.type === 'rsay') return this.rsay(s, m.roomId, m.action, m.text, now);
    switch (m.op) {
      case 'join-room':
        return this.joinRoom(s, m.name, m.roomId, now);
      case 'part':
        return this.part(s, m.roomId, m.text, now);
      case 'topic':
        return this.setTopic(s, m.roomId, m.text, now);
      case 'nick':
        return this.rename(s, m.name, now);
      case 'away':
        return this.setAway(s, m.text, now);
      case 'back':
        return this.setAway(s, undefined, now);
      case 'msg':
      case 'msg-action':
        return this.privates.message(s, m.name, m.text, m.op === 'msg-action', now);
      case 'rooms':
        return this.listRooms(s, now);
    }
  }

  private member(s: Session, roomId: number): Stream | undefined {
    const stream = this.byId.get(roomId);
    return stream !== undefined && stream.members.has(s) ? stream : undefined;
  }

  private rsay(s: Session, roomId: number, action: boolean, text: string, now: number): Refusal | undefined {
    const stream = roomId === LOBBY_ID ? undefined : this.member(s, roomId);
    if (roomId !== LOBBY_ID && stream === undefined) return noSuchRoom(roomId);
    const bad = checkText(text, this.ctx.options.maxText);
    if (bad !== undefined) return bad;
    this.ctx.stats.accepted++;
    const time = Math.floor(now);
    if (stream === undefined) {
      this.lobby.append({ kind: 'action', time, nick: s.nick, text });
      return undefined;
    }
    this.append(stream, action ? { kind: 'action', time, nick: s.nick, text } : { kind: 'msg', time, nick: s.nick, target: 0, text });
    return undefined;
  }

  /** `previous`: the stream the client was in under this name (a rejoin, §6.3.7), else 0. */
  private joinRoom(s: Session, name: string, previous: number, now: number): Refusal | undefined {
    const checked = name.startsWith('#') ? checkNick(name.slice(1)) : undefined;
    if (checked === undefined || !checked.ok) {
      return { code: 'UDPCHAT_ERR_ROOM_NAME_INVALID', detail: checked === undefined ? `"${name}" is not a room name (#name)` : checked.reason.replace('nickname', 'room name') };
    }
    const key = `#${checked.key}`;
    const caseKey = `#${checked.caseKey}`;
    if (key === LOBBY_KEY || caseKey === LOBBY_KEY) {
      this.sendInfo(s, this.lobby.info(s));
      return undefined;
    }
    const existing = this.roomsByKey.get(key) ?? this.roomsByCaseKey.get(caseKey);
    if (existing?.members.has(s)) {
      // historyFrom = the oldest kept: nothing the client may still be missing is declared lost.
      this.sendInfo(s, this.info(s, existing, 'room', existing.log.oldestSeq));
      return undefined;
    }
    const mine = this.membership(s);
    const rooms = [...mine.streams].filter((x) => x.kind === 'room').length;
    if (rooms >= this.ctx.options.maxRoomsPerUser) return { code: 'UDPCHAT_ERR_ROOM_LIMIT', detail: `you are in ${rooms} rooms, the most this server allows` };
    if (existing === undefined && this.roomCount >= this.ctx.options.maxRooms) return { code: 'UDPCHAT_ERR_ROOM_LIMIT', detail: `this server has ${this.roomCount} rooms, the most it allows` };
    let stream = existing;
    if (stream === undefined) {
      stream = this.create('room', `#${checked.nick}`, key);
      this.roomsByKey.set(key, stream);
      this.roomsByCaseKey.set(caseKey, stream);
      this.roomCount++;
    }
    this.ctx.stats.accepted++;
    // Back in the stream it was in (its session ended meanwhile): nothing is replayed and nothing
    // declared lost; the client asks for what it misses.
    this.enter([s], stream, 'room', stream.id === previous);
    this.append(stream, { kind: 'join', time: Math.floor(now), nick: s.nick });
    this.sendRoster(s, stream);
    return undefined;
  }

  private create(kind: 'room' | 'private', name: string, key: string): Stream {
    // Never 0 (#lobby), wrapping past 2^32 − 1.
    if (this.nextId === LOBBY_ID || this.nextId > 0xffff_ffff) this.nextId = 1;
    const stream = new Stream(this.nextId++, kind, name, key, this.ctx.options.roomLogEntries);
    this.byId.set(stream.id, stream);
    return stream;
  }

  /** Makes sessions members: ROOMINFO and the history each is owed (as after WELCOME, §6.1.3, within the repair budget). */
  private enter(joining: readonly Session[], stream: Stream, kind: 'room' | 'private', rejoin = false): void {
    const log = stream.log;
    const historyFrom = rejoin ? log.oldestSeq : Math.max(log.oldestSeq, log.historyStart(this.ctx.options.historyMessages));
    for (const s of joining) {
      stream.members.add(s);
      this.membership(s).streams.add(stream);
    }
    stream.changed();
    let replay = 0;
    for (let seq = historyFrom; seq <= log.lastSeq; seq++) replay += log.bytesOf(seq)?.length ?? 0;
    for (const s of joining) {
      this.sendInfo(s, this.info(s, stream, kind, historyFrom));
      if (rejoin) continue;
      // A stream's history is owed once per session, as a WELCOME's is (credited to the repair
      // budget); joining it again (a join/part loop) draws on the budget instead (§6.1.6).
      const credited = this.membership(s).credited;
      if (!credited.has(stream.id) && credited.size < CREDITED_STREAMS) {
        credited.add(stream.id);
        s.repair.credit(replay);
      }
      sendRepair(this.ctx.out, s, historyFrom, log.lastSeq, (seq) => log.bytesOf(seq), rdataFraming(stream.id, this.ctx.options.maxDatagram));
    }
  }

  private part(s: Session, roomId: number, reason: string, now: number): Refusal | undefined {
    if (roomId === LOBBY_ID) return { code: 'UDPCHAT_ERR_UNSUPPORTED', detail: `${LOBBY_NAME} cannot be parted` };
    const stream = this.member(s, roomId);
    if (stream === undefined) return noSuchRoom(roomId);
    const text = truncate(reason, REASON_MAX_BYTES);
    this.ctx.stats.accepted++;
    this.sendInfo(s, this.info(s, stream, 'gone', stream.log.lastSeq + 1));
    this.leave(s, stream, { kind: 'part', time: Math.floor(now), nick: s.nick, text });
    return undefined;
  }

  /** Removes a member; the entry announces it to the rest, or the stream is forgotten if nobody is left. */
  private leave(s: Session, stream: Stream, entry: NewRoomEntry | undefined): void {
    stream.members.delete(s);
    stream.changed();
    this.of.get(s)?.streams.delete(stream);
    if (stream.members.size === 0) return this.forget(stream);
    if (entry !== undefined) this.append(stream, entry);
  }

  private forget(stream: Stream): void {
    this.byId.delete(stream.id);
    this.dirty.delete(stream);
    this.syncing.delete(stream);
    if (stream.kind === 'room') {
      this.roomsByKey.delete(stream.key);
      const caseKey = `#${nickCaseKey(stream.name.slice(1))}`;
      if (this.roomsByCaseKey.get(caseKey) === stream) this.roomsByCaseKey.delete(caseKey);
      this.roomCount--;
    } else {
      this.privates.forget(stream);
    }
  }

  private setTopic(s: Session, roomId: number, text: string, now: number): Refusal | undefined {
    const stream = roomId === LOBBY_ID ? undefined : this.member(s, roomId);
    if (roomId !== LOBBY_ID && (stream === undefined || stream.kind !== 'room')) return noSuchRoom(roomId);
    const n = bytes(text);
    if (n > TOPIC_MAX_BYTES) return { code: 'UDPCHAT_ERR_TEXT_TOO_LONG', detail: `topic is ${n} bytes, at most ${TOPIC_MAX_BYTES}` };
    this.ctx.stats.accepted++;
    const entry = { kind: 'topic', time: Math.floor(now), nick: s.nick, text } as const;
    if (stream === undefined) {
      this.lobby.topic = text;
      this.lobby.append(entry);
    } else {
      stream.topic = text;
      this.append(stream, entry);
    }
    return undefined;
  }

  private rename(s: Session, raw: string, now: number): Refusal | undefined {
    const checked = checkNick(raw);
    if (!checked.ok) return { code: 'UDPCHAT_ERR_NICK_INVALID', detail: checked.reason };
    if (checked.nick === s.nick) return undefined;
    const owned = this.ctx.nicks.refusal(checked, s.ownerKey, now);
    if (owned !== undefined) return { code: (s.caps & CAP_IDENTITY) !== 0 ? 'UDPCHAT_ERR_NICK_OWNED' : 'UDPCHAT_ERR_NICK_TAKEN', detail: owned.detail };
    const holder = this.ctx.sessions.byNickKeys(checked);
    if (holder !== undefined && holder !== s) return { code: 'UDPCHAT_ERR_NICK_TAKEN', detail: `"${holder.nick}" is in use` };
    this.ctx.stats.accepted++;
    const from = s.nick;
    if (s.ownerKey !== undefined) {
      this.ctx.nicks.touch(s.nickKey, s.ownerKey, now);
      if (!this.ctx.nicks.claim(checked.nick, checked, s.ownerKey, now)) this.ctx.drop('nick-bindings-full');
    }
    this.ctx.sessions.rename(s, checked.nick, checked);
    this.lobby.appendRename(from, checked.nick, now);
    for (const stream of this.membership(s).streams) {
      if (stream.kind === 'private') this.privates.refile(stream, s);
      stream.changed();
      this.append(stream, { kind: 'rename', time: Math.floor(now), nick: from, echo: false, to: checked.nick });
    }
    return undefined;
  }

  private setAway(s: Session, reason: string | undefined, now: number): Refusal | undefined {
    if (reason !== undefined && bytes(reason) > REASON_MAX_BYTES) return { code: 'UDPCHAT_ERR_TEXT_TOO_LONG', detail: `away reason is ${bytes(reason)} bytes, at most ${REASON_MAX_BYTES}` };
    const mine = this.membership(s);
    this.ctx.stats.accepted++;
    if (reason === undefined && mine.away === undefined) return undefined;
    mine.away = reason;
    this.lobby.awayChanged();
    const entry = { kind: 'away', time: Math.floor(now), nick: s.nick, away: reason !== undefined, text: reason ?? '' } as const;
    this.lobby.append(entry);
    for (const stream of mine.streams) {
      stream.changed();
      this.append(stream, entry);
    }
    return undefined;
  }

  private listRooms(s: Session, now: number): Refusal | undefined {
    this.ctx.stats.accepted++;
    const rooms = [...this.roomsByKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const total = rooms.length + 1;
    const lines: RoomInfoMessage[] = [{ ...this.lobby.info(s), kind: 'listing', historyFrom: this.ctx.log.lastSeq + 1, index: 0, total }];
    rooms.forEach((r, i) => lines.push({ ...this.info(s, r, 'listing', r.log.lastSeq + 1), index: i + 1, total }));
    for (const line of lines) {
      const size = 46 + bytes(line.name) + bytes(line.topic);
      if (size > s.repair.bytes) {
        this.ctx.overdrawn(s, now);
        break;
      }
      s.repair.spend(size);
      this.ctx.out.send(s.address, line);
    }
    return undefined;
  }

  /** RNACK (§6.3.4): repair of one stream, within the repair budget. */
  nack(s: Session, m: RNackMessage, now: number): void {
    if (m.roomId === LOBBY_ID) return this.ctx.nackLobby(s, m.from, m.to, now);
    const stream = this.member(s, m.roomId);
    if (stream === undefined) return this.ctx.drop('rnack-not-member');
    const log = stream.log;
    const to = Math.min(m.to, log.lastSeq);
    if (m.from > to) return this.ctx.drop('nack-ahead');
    // Older than kept: its ROOMINFO names the oldest kept seq, and the client skips to it.
    if (m.from < log.oldestSeq) return this.sendInfo(s, this.info(s, stream, stream.kind, log.oldestSeq));
    if (sendRepair(this.ctx.out, s, m.from, to, (seq) => log.bytesOf(seq), rdataFraming(stream.id, this.ctx.options.maxDatagram)) === 0) this.ctx.overdrawn(s, now);
  }

  /** RWHO (§6.3.4): one RROSTER page, within the repair budget. */
  who(s: Session, m: RWhoMessage, now: number): void {
    const stream = m.roomId === LOBBY_ID ? undefined : this.member(s, m.roomId);
    if (m.roomId !== LOBBY_ID && stream === undefined) return this.ctx.drop('rwho-not-member');
    const { asOfSeq, pages } = stream === undefined ? this.lobby.pages() : stream.rosterPages((x) => this.isAway(x), this.ctx.options.maxDatagram);
    const members = pages[m.page];
    if (members === undefined) return this.ctx.drop('bad-page');
    // Page 0 of a stream comes after its ROOMINFO: a client that lost the ROOMINFO learns the stream from it.
    const info = stream !== undefined && m.page === 0 ? this.info(s, stream, stream.kind, stream.log.oldestSeq) : undefined;
    const size = rrosterBytes(members) + (info === undefined ? 0 : 46 + bytes(info.name) + bytes(info.topic));
    if (size > s.repair.bytes) return this.ctx.overdrawn(s, now);
    s.repair.spend(size);
    if (info !== undefined) this.sendInfo(s, info);
    this.ctx.out.send(s.address, { type: 'rroster', roomId: m.roomId, asOfSeq, page: m.page, pages: pages.length, members: [...members] });
  }

  /** The RSTATE to send after a PONG to a session with rooms (§6.3.4), if the budget allows. */
  state(s: Session): RStateMessage | undefined {
    if (!Rooms.enabled(s)) return undefined;
    // As many streams as fit the server's datagram limit (148 in 1200 bytes, 136 in a sealed server's
    // 1103). maxRoomsPerUser keeps every session within it (resolveServerOptions): the cut is a guard.
    const most = Math.min(MAX_RSTATE_STREAMS, Math.floor((this.ctx.options.maxDatagram - 9) / 8));
    const list = [...(this.of.get(s)?.streams ?? [])].slice(0, most).map((x) => ({ roomId: x.id, lastSeq: x.log.lastSeq }));
    const size = 9 + 8 * list.length;
    if (size > s.repair.bytes) return undefined;
    s.repair.spend(size);
    return { type: 'rstate', streams: list };
  }

  // ---- sessions -------------------------------------------------------------------------------

  /** A session ended (§6.3.7): a leave entry in each stream it was in (none for a shutdown). */
  ended(s: Session, reason: LeaveReason, now: number): void {
    const mine = this.of.get(s);
    this.of.delete(s);
    if (mine === undefined) return;
    if (mine.away !== undefined) this.lobby.awayChanged();
    for (const stream of mine.streams) this.leave(s, stream, reason === 'shutdown' ? undefined : { kind: 'leave', time: Math.floor(now), nick: s.nick, reason });
  }

  /** A takeover (§6.3.7): the fresh session is a member wherever the old one was, told by ROOMINFO. */
  takenOver(old: Session, fresh: Session): void {
    const mine = this.of.get(old);
    this.of.delete(old);
    if (mine === undefined) return;
    this.of.set(fresh, mine);
    for (const stream of mine.streams) {
      stream.members.delete(old);
      stream.members.add(fresh);
      stream.changed();
      if (Rooms.enabled(fresh)) this.sendInfo(fresh, this.info(fresh, stream, stream.kind, stream.log.oldestSeq));
    }
  }

  // ---- flush and timers ----------------------------------------------------------------------

  private append(stream: Stream, entry: NewRoomEntry): void {
    stream.log.append(entry);
    this.dirty.add(stream);
  }

  /** Fans out new entries of every stream (RDATA, per member). */
  flush(now: number): void {
    if (this.dirty.size === 0) return;
    for (const stream of this.dirty) {
      const log = stream.log;
      const members = [...stream.members];
      for (const d of packEntries(stream.fannedOut + 1, log.lastSeq, (seq) => log.bytesOf(seq), rdataFraming(stream.id, this.ctx.options.maxDatagram))) {
        for (const m of members) this.ctx.out.sendBytes(m.address, d);
        this.ctx.produced.total += d.length;
      }
      this.ctx.stats.deliveries += (log.lastSeq - stream.fannedOut) * members.length;
      stream.fannedOut = log.lastSeq;
      stream.syncAt = now + this.ctx.options.tailSyncMs;
      stream.syncsLeft = TAIL_SYNCS;
      this.syncing.add(stream);
    }
    this.dirty.clear();
  }

  /** Tail RSYNCs due now. */
  tick(now: number): void {
    if (this.syncing.size === 0) return;
    for (const stream of this.syncing) {
      if (stream.syncAt === undefined || now < stream.syncAt) continue;
      stream.syncsLeft--;
      stream.syncAt = stream.syncsLeft > 0 ? now + 4 * this.ctx.options.tailSyncMs : undefined;
      if (stream.syncAt === undefined) this.syncing.delete(stream);
      for (const m of stream.members) this.ctx.out.send(m.address, { type: 'rsync', roomId: stream.id, lastSeq: stream.log.lastSeq });
    }
  }

  nextDeadline(): number {
    if (this.syncing.size === 0) return Infinity;
    let t = Infinity;
    for (const stream of this.syncing) t = Math.min(t, stream.syncAt ?? Infinity);
    return t;
  }

  // ---- ROOMINFO and RROSTER -------------------------------------------------------------------

  private info(s: Session, stream: Stream, kind: RoomInfoMessage['kind'], historyFrom: number): RoomInfoMessage {
    const { name, topic } = stream.kind === 'room' ? stream : conversationTitle(stream, s, (x) => this.of.get(x)?.away);
    const lastSeq = stream.log.lastSeq;
    return { type: 'roominfo', token: s.token, roomId: stream.id, kind, members: Math.min(stream.members.size, 0xffff), lastSeq, historyFrom: Math.min(historyFrom, lastSeq + 1), index: 0, total: 1, name, topic };
  }

  private sendInfo(s: Session, info: RoomInfoMessage): void {
    this.ctx.out.send(s.address, info);
  }

  private sendRoster(s: Session, stream: Stream): void {
    const { asOfSeq, pages } = stream.rosterPages((x) => this.isAway(x), this.ctx.options.maxDatagram);
    pages.forEach((members, page) => this.ctx.out.send(s.address, { type: 'rroster', roomId: stream.id, asOfSeq, page, pages: pages.length, members: [...members] }));
  }
}

function noSuchRoom(roomId: number): Refusal {
  return { code: 'UDPCHAT_ERR_NO_SUCH_ROOM', detail: `not in stream ${roomId}` };
}

/** At most `max` UTF-8 bytes of `s`, cut at a code point. */
function truncate(s: string, max: number): string {
  if (bytes(s) <= max) return s;
  let out = '';
  for (const ch of s) {
    if (bytes(out) + bytes(ch) > max) break;
    out += ch;
  }
  return out;
}
