/**
 * What line mode does with a command typed on stdin (parsed by lib/client/commands.ts): calls on
 * the session, the stream plain lines go to (`/join`, `/query` change it), the last person who
 * wrote privately (`/reply`), and the local ignore list. Output goes through the host.
 */
import { COMMAND_HELP, type Command } from '../client/commands.js';
import { escapeForTerminal } from '../client/presentation.js';
import { LOBBY_ID, LOBBY_NAME, type RoomEvent, type RoomsSession, type StreamInfo, type StreamKind } from '../client/rooms-api.js';
import { NameMap, bareRoomName, sameNick, sameRoom } from '../protocol/nick.js';
import { streamToken, whoLine } from './stream-lines.js';

export interface LineCommandHost {
  print(line: string): void;
  /** One line on stderr, prefixed `udp-chat: `. */
  fail(line: string): void;
  /** Whether lines name their stream now. */
  named(): boolean;
  /** Plain lines now go to this stream (its token: `#ops`, `*bob*`). */
  target(token: string): void;
}

/** Where a plain line goes: a stream, or a person whose conversation is not open yet (/query). */
type Target = { roomId: number } | { nick: string };

const safe = escapeForTerminal;

export class LineCommands {
  private target: Target = { roomId: LOBBY_ID };
  /** Ignored nicks, as typed (a name the same for the server is the same here, §5.3). */
  private readonly ignored = new NameMap<string>();
  private lastPrivate: string | undefined;
  /** Rooms asked for (by bare name): each becomes where lines go when it opens. */
  private readonly joining = new NameMap<string>();
  /**
   * Plain lines typed while a room asked for (--room, /join) has not opened yet: they go there once
   * it opens (or where lines went before, if the join is refused), not to #lobby by accident.
   */
  private held: Array<{ text: string; action: boolean }> = [];
  /** The kind of every stream seen (a closed stream is no longer in session.streams). */
  private readonly kinds = new Map<number, StreamKind>();

  constructor(private readonly session: RoomsSession, private readonly host: LineCommandHost, rooms: readonly string[] = []) {
    const first = rooms.find((r) => !sameRoom(r, LOBBY_NAME));
    if (first !== undefined) this.joining.set(bareRoomName(first), first);
  }

  run(c: Command): void {
    const { host, session } = this;
    switch (c.kind) {
      case 'none':
      case 'quit': // line-mode.ts leaves
        return;
      case 'say':
        return this.say(c.text, c.room);
      case 'help':
        for (const line of COMMAND_HELP) host.print(line);
        return;
      case 'clear':
        return host.print('* /clear does nothing in line mode');
      case 'join': {
        const stream = this.room(c.room);
        if (stream !== undefined) return this.setTarget({ roomId: stream.roomId });
        this.joining.set(bareRoomName(c.room), c.room);
        return session.joinRoom(c.room);
      }
      case 'part': {
        const stream = c.room === undefined ? this.current() : this.room(c.room);
        if (stream === undefined) return host.fail(c.room === undefined ? 'not in a stream to leave' : `you are not in ${safe(c.room)}`);
        if (stream.roomId === LOBBY_ID) return host.fail(`${LOBBY_NAME} cannot be left; /quit leaves the chat`);
        return session.part(stream.roomId, c.reason ?? '');
      }
      case 'rooms':
        return session.listRooms();
      case 'topic': {
        const stream = this.current();
        if (stream === undefined || stream.kind !== 'room') return host.fail('/topic: a private conversation has no topic');
        if (c.text === undefined) return host.print(stream.topic === '' ? `* ${safe(stream.name)} has no topic` : `* topic of ${safe(stream.name)}: ${safe(stream.topic)}`);
        return session.topic(stream.roomId, c.text);
      }
      case 'who':
        return this.who(c.room);
      case 'msg':
        return session.msg(c.nick, c.text);
      case 'query': {
        const open = this.privateWith(c.nick);
        this.setTarget(open === undefined ? { nick: c.nick } : { roomId: open.roomId });
        if (c.text !== undefined) this.say(c.text);
        return;
      }
      case 'reply':
        if (this.lastPrivate === undefined) return host.fail('/reply: nobody has written to you privately yet');
        return session.msg(this.lastPrivate, c.text);
      case 'me':
        return this.say(c.text, undefined, true);
      case 'nick':
        return session.changeNick(c.nick);
      case 'away':
        return session.away(c.reason ?? '');
      case 'back':
        return session.back();
      case 'ignore':
        if (c.nick === undefined) {
          const list = [...this.ignored.values()].map(safe);
          return host.print(list.length === 0 ? '* ignoring nobody' : `* ignoring (${list.length}): ${list.join(', ')}`);
        }
        this.ignored.set(c.nick, c.nick);
        return host.print(`* ignoring ${safe(c.nick)} (on this client only; /unignore ${safe(c.nick)} undoes it)`);
      case 'unignore':
        if (!this.ignored.delete(c.nick)) return host.fail(`/unignore: ${safe(c.nick)} is not ignored`);
        return host.print(`* no longer ignoring ${safe(c.nick)}`);
      case 'whois':
        return session.whois(c.nick);
      case 'unknown':
        return host.fail(`unknown command ${safe(c.command)} (try /help; start with // to send a slash)`);
      case 'invalid':
        return host.fail(safe(c.message));
    }
  }

  /** Whether messages from `nick` are hidden (/ignore). */
  ignores(nick: string): boolean {
    return this.ignored.size > 0 && this.ignored.has(nick);
  }

  /** Someone wrote privately (the one /reply answers). */
  privateFrom(nick: string): void {
    this.lastPrivate = nick;
  }

  /** A stream opened: it becomes where lines go if it was asked for (/join, --room, /query). */
  opened(stream: StreamInfo): void {
    this.kinds.set(stream.roomId, stream.kind);
    const t = this.target;
    const asked = stream.kind === 'room'
      ? this.joining.delete(bareRoomName(stream.name))
      : 'nick' in t && sameNick(t.nick, stream.name);
    if (asked) this.setTarget({ roomId: stream.roomId });
    this.release();
  }

  /** A join was refused (by the server, or because it has no rooms): lines held for that room go where lines go now. */
  joinRefused(room: string): void {
    this.joining.delete(bareRoomName(room));
    this.release();
  }

  /** Plain lines waiting for a room to open. */
  get holding(): number {
    return this.held.length;
  }

  private release(): void {
    if (this.joining.size > 0) return;
    const held = this.held;
    this.held = [];
    for (const h of held) this.say(h.text, undefined, h.action);
  }

  closed(roomId: number): void {
    if ('roomId' in this.target && this.target.roomId === roomId) this.setTarget({ roomId: LOBBY_ID });
  }

  kindOf(roomId: number): StreamKind {
    return this.kinds.get(roomId) ?? 'room';
  }

  /** Someone was renamed: /reply, /query and /ignore follow the person. */
  renamed(from: string, to: string): void {
    if (this.lastPrivate !== undefined && sameNick(this.lastPrivate, from)) this.lastPrivate = to;
    const t = this.target;
    if ('nick' in t && sameNick(t.nick, from)) this.target = { nick: to };
    if (this.ignored.delete(from)) this.ignored.set(to, to);
  }

  /** The line for a refused command: what was refused, why, and what it carried (so nothing typed is lost). */
  refusal(e: Extract<RoomEvent, { type: 'command-refused' }>): string {
    const target = safe(e.target);
    const carried = e.text === '' ? '' : ` (not sent: ${safe(e.text)})`;
    const reason = safe(e.reason);
    switch (e.op) {
      case 'msg':
        // The code arrives with the rooms protocol (docs/protocol.md §7).
        return (e.code as string) === 'UDPCHAT_ERR_NOT_ONLINE' ? `${target} is not online${carried}` : `message to ${target} refused: ${reason}${carried}`;
      case 'join':
        return `cannot join ${target}: ${reason}`;
      case 'nick':
        return `cannot change nickname to ${target}: ${reason}`;
      default:
        return `/${e.op}${target === '' ? '' : ` ${target}`} refused: ${reason}${carried}`;
    }
  }

  private say(text: string, room?: string, action = false): void {
    const options = action ? { action: true } : {};
    if (room !== undefined) {
      const stream = this.room(room);
      if (stream === undefined) return this.host.fail(`you are not in ${safe(room)} (/join ${safe(room)} first)`);
      return this.sayIn(stream.roomId, text, action);
    }
    const t = this.target;
    if ('nick' in t) return this.session.msg(t.nick, text, options);
    if (this.joining.size > 0) {
      this.held.push({ text, action });
      return;
    }
    return this.sayIn(this.current() === undefined ? LOBBY_ID : t.roomId, text, action);
  }

  /** Room 0 without /me goes the way it always did (say(text)): a client without rooms works unchanged. */
  private sayIn(roomId: number, text: string, action: boolean): void {
    if (roomId === LOBBY_ID && !action) return this.session.say(text);
    return this.session.say(roomId, text, action ? { action: true } : {});
  }

  private who(room: string | undefined): void {
    const stream = room === undefined ? this.current() ?? this.session.stream(LOBBY_ID) : this.room(room);
    if (stream === undefined) return this.host.fail(`you are not in ${safe(room ?? '')} (/rooms lists every room)`);
    const members = this.session.members(stream.roomId);
    // Room 0 with a server without rooms: the member list of revision 1.
    const list = members.length > 0 || stream.roomId !== LOBBY_ID ? members : this.session.peers.map((nick) => ({ nick, away: false }));
    const line = whoLine(list);
    this.host.print(this.host.named() ? `${streamToken(stream)} ${line}` : line);
  }

  /** The stream lines go to now (undefined: a /query whose conversation is not open yet). */
  private current(): StreamInfo | undefined {
    const t = this.target;
    return 'roomId' in t ? this.session.stream(t.roomId) : undefined;
  }

  private room(name: string): StreamInfo | undefined {
    return this.session.streams.find((s) => s.kind === 'room' && sameRoom(s.name, name));
  }

  private privateWith(nick: string): StreamInfo | undefined {
    return this.session.streams.find((s) => s.kind === 'private' && sameNick(s.name, nick));
  }

  /** Tells the host where lines go again (the prompt names it once lines name streams). */
  retarget(): void {
    this.setTarget(this.target);
  }

  private setTarget(t: Target): void {
    this.target = t;
    const stream = this.current();
    this.host.target('nick' in t ? `*${safe(t.nick)}*` : stream === undefined ? LOBBY_NAME : streamToken(stream));
  }
}
