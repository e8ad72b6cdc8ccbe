/**
 * What the full-screen client does with a command (parsed by lib/client/commands.ts): calls on
 * the session for the buffer shown (`/topic`, `/part`, `/who`, `/me` act where you are), buffers
 * for `/query`, the local ignore list, and the person `/reply` answers. It returns whether the
 * draft is kept (an unknown command or bad arguments: the user fixes the line instead of retyping).
 */
import { COMMAND_HELP, unknownCommandHint, type Command } from '../client/commands.js';
import { escapeForTerminal } from '../client/presentation.js';
import { LOBBY_ID, LOBBY_NAME, type RoomsSession, type StreamInfo } from '../client/rooms-api.js';
import { NameMap, bareRoomName, sameNick, sameRoom } from '../protocol/nick.js';
import type { BufferList, ChatBuffer } from './buffers.js';
import { STYLE } from './log-format.js';
import type { Style } from './styled-text.js';

export interface TuiCommandHost {
  readonly buffers: BufferList;
  system(text: string, style?: Style): void;
  /** A line of /help (no time; continuation rows hang under its description). */
  help(line: string): void;
  /** Says text in #lobby the way it always was (split over turns, shown as pending). */
  sayInLobby(text: string): void;
  requestQuit(): void;
  /** /clear of the buffer shown. */
  clear(): void;
  /** Keys beyond commands, for /help. */
  readonly keyHelp: readonly string[];
}

const safe = escapeForTerminal;

export class TuiCommands {
  /** Ignored nicks, as typed (a name the same for the server is the same here, §5.3). */
  private readonly ignored = new NameMap<string>();
  private lastPrivate: string | undefined;
  /** Streams asked for (rooms by bare name, conversations by nick for /query): shown when they open. */
  private readonly askedRooms = new NameMap<string>();
  private readonly askedNicks = new NameMap<string>();

  constructor(private readonly session: RoomsSession, private readonly host: TuiCommandHost) {}

  /** Shows room `name` when it opens (`join --room`). */
  expect(name: string): void {
    this.askedRooms.set(bareRoomName(name), name);
  }

  /** Runs a command; false when the draft should be kept (refused before anything was done). */
  run(c: Command): boolean {
    const { host, session } = this;
    const active = host.buffers.active;
    switch (c.kind) {
      case 'none':
        return true;
      case 'say':
        return this.say(c.text, c.room === undefined ? active : this.room(c.room), c.room);
      case 'me':
        return this.say(c.text, active, undefined, true);
      case 'quit':
        host.requestQuit();
        return true;
      case 'help':
        // Keys first: the commands end the list, at the bottom of the log where it is read.
        for (const line of [...host.keyHelp, ...COMMAND_HELP]) host.help(line);
        return true;
      case 'clear':
        host.clear();
        return true;
      case 'join': {
        const open = this.room(c.room);
        if (open !== undefined) host.buffers.selectBuffer(open);
        // A buffer kept after the server lost the room (id < 0) is taken over when it opens again.
        if (open === undefined || open.id < 0) {
          this.askedRooms.set(bareRoomName(c.room), c.room);
          session.joinRoom(c.room);
        }
        return true;
      }
      case 'part': {
        const buffer = c.room === undefined ? active : this.room(c.room);
        if (buffer === undefined) return this.bad(`You are not in ${safe(c.room ?? '')}.`);
        if (buffer.id === LOBBY_ID) return this.bad(`${LOBBY_NAME} cannot be left; /quit leaves the chat.`);
        if (buffer.id < 0) {
          host.buffers.close(buffer.id);
          return true;
        }
        session.part(buffer.id, c.reason ?? '');
        return true;
      }
      case 'rooms':
        session.listRooms();
        return true;
      case 'topic':
        if (active.kind !== 'room') return this.bad('A private conversation has no topic.');
        if (active.id < 0) return this.notIn(active);
        if (c.text === undefined) host.system(active.topic === '' ? `${safe(active.name)} has no topic.` : `Topic of ${safe(active.name)}: ${safe(active.topic)}`);
        else session.topic(active.id, c.text);
        return true;
      case 'who':
        return this.who(c.room);
      case 'msg':
        session.msg(c.nick, c.text);
        return true;
      case 'query': {
        const buffer = this.privateBuffer(c.nick) ?? host.buffers.open(host.buffers.detachedId(), 'private', c.nick);
        host.buffers.selectBuffer(buffer);
        this.askedNicks.set(c.nick, c.nick);
        return c.text === undefined ? true : this.say(c.text, buffer);
      }
      case 'reply':
        if (this.lastPrivate === undefined) return this.bad('Nobody has written to you privately yet.');
        session.msg(this.lastPrivate, c.text);
        return true;
      case 'nick':
        session.changeNick(c.nick);
        return true;
      case 'away':
        session.away(c.reason ?? '');
        return true;
      case 'back':
        session.back();
        return true;
      case 'ignore':
        if (c.nick === undefined) {
          const list = [...this.ignored.values()].map(safe);
          host.system(list.length === 0 ? 'Ignoring nobody.' : `Ignoring (${list.length}): ${list.join(', ')}`);
          return true;
        }
        this.ignored.set(c.nick, c.nick);
        host.system(`Ignoring ${safe(c.nick)} (on this screen only; /unignore ${safe(c.nick)} undoes it).`);
        return true;
      case 'unignore':
        if (!this.ignored.delete(c.nick)) return this.bad(`${safe(c.nick)} is not ignored.`);
        host.system(`No longer ignoring ${safe(c.nick)}.`);
        return true;
      case 'whois':
        session.whois(c.nick);
        return true;
      case 'unknown':
        host.system(unknownCommandHint(c.command), STYLE.warn);
        return false;
      case 'invalid':
        host.system(safe(c.message), STYLE.warn);
        return false;
    }
  }

  ignores(nick: string): boolean {
    return this.ignored.size > 0 && this.ignored.has(nick);
  }

  /** A message arrived in `roomId` from someone else: true if it is private (then /reply answers them). */
  privateFrom(nick: string, roomId: number): boolean {
    if (this.host.buffers.get(roomId)?.kind !== 'private') return false;
    this.lastPrivate = nick;
    return true;
  }

  /** Whether a stream that just opened was asked for (then it is shown); asking is forgotten. */
  wanted(stream: StreamInfo): boolean {
    return stream.kind === 'room' ? this.askedRooms.delete(bareRoomName(stream.name)) : this.askedNicks.delete(stream.name);
  }

  renamed(from: string, to: string): void {
    if (this.lastPrivate !== undefined && sameNick(this.lastPrivate, from)) this.lastPrivate = to;
    if (this.ignored.delete(from)) this.ignored.set(to, to);
  }

  private say(text: string, buffer: ChatBuffer | undefined, room?: string, action = false): boolean {
    if (buffer === undefined) return this.bad(`You are not in ${safe(room ?? '')} (/join ${safe(room ?? '')} first).`);
    const options = action ? { action: true } : {};
    if (buffer.id < 0 && buffer.kind === 'room') return this.notIn(buffer);
    if (buffer.id === LOBBY_ID && !action) this.host.sayInLobby(text);
    else if (buffer.id < 0) this.session.msg(buffer.name, text, options);
    else this.session.say(buffer.id, text, options);
    buffer.log.scrollToBottom();
    return true;
  }

  /** A room's buffer kept after the server lost the room (stream-feed.ts): nothing can be said there until it is joined again. */
  private notIn(buffer: ChatBuffer): boolean {
    return this.bad(`You are not in ${safe(buffer.name)} any more (/join ${safe(buffer.name)} joins it again; /part closes this buffer).`);
  }

  /** /who: the member list of a buffer, as a line in the buffer shown. */
  private who(room: string | undefined): boolean {
    const buffer = room === undefined ? this.host.buffers.active : this.room(room);
    if (buffer === undefined) return this.bad(`You are not in ${safe(room ?? '')} (/rooms lists every room).`);
    if (buffer.id < 0 && buffer.kind === 'room') return this.notIn(buffer);
    const members = buffer.id === LOBBY_ID && buffer.members.length === 0
      ? this.session.peers.map((nick) => ({ nick, away: false }))
      : buffer.members;
    const names = members.map((m) => (m.away ? `${safe(m.nick)} (away)` : safe(m.nick)));
    this.host.system(`In ${safe(buffer.name)} (${members.length}): ${names.join(', ')}`);
    return true;
  }

  private room(name: string): ChatBuffer | undefined {
    return this.host.buffers.all.find((b) => b.kind === 'room' && sameRoom(b.name, name));
  }

  private privateBuffer(nick: string): ChatBuffer | undefined {
    return this.host.buffers.all.find((b) => b.kind === 'private' && sameNick(b.name, nick));
  }

  /** One line saying what is wrong; the draft is kept. */
  private bad(text: string): boolean {
    this.host.system(text, STYLE.warn);
    return false;
  }
}
