/**
 * Room events (lib/client/rooms-api.ts) as the full-screen client shows them: buffers opened and
 * closed, topics, renames, away, parts, member lists, room lists and refused commands, each in the
 * buffer of its stream. Session events (messages, presence) are session-feed.ts.
 */
import { escapeForTerminal } from '../client/presentation.js';
import type { RoomEvent, StreamInfo } from '../client/rooms-api.js';
import { sameNick } from '../protocol/nick.js';
import type { BufferList, ChatBuffer } from './buffers.js';
import { STYLE, systemEntry } from './log-format.js';
import type { LogEntry } from './message-log.js';
import type { Style } from './styled-text.js';

export interface StreamFeedHost {
  readonly buffers: BufferList;
  /** The log's width (lines are wrapped for it). */
  width(): number;
  /** A line in the buffer shown. */
  system(text: string, style?: Style): void;
  /** Someone was renamed (for /reply and /ignore). */
  renamed(from: string, to: string): void;
  /** Whether the user asked for this stream (/join, /query): it is then shown when it opens. */
  wanted(stream: StreamInfo): boolean;
}

const safe = escapeForTerminal;

export class StreamFeed {
  constructor(private readonly host: StreamFeedHost) {}

  handle(e: RoomEvent): void {
    const { buffers } = this.host;
    switch (e.type) {
      case 'stream':
        return this.stream(e.stream, e.opened);
      case 'stream-closed': {
        const buffer = buffers.get(e.roomId);
        if (buffer === undefined) return;
        if (e.why === 'parted') {
          buffers.close(e.roomId);
          return this.host.system(`You left ${buffer.kind === 'room' ? safe(e.name) : `the conversation with ${safe(e.name)}`}.`);
        }
        // The server no longer has it (it restarted, or forgot the room): the buffer keeps what it
        // showed, and a stream of the same name opening again (the client joins its rooms again by
        // itself; a private message opens a conversation) takes it over.
        buffers.detach(e.roomId);
        const text = buffer.kind === 'room'
          ? `The server no longer has ${safe(e.name)} (it restarted?): joining it again…`
          : `The server no longer has this conversation (it restarted?): what you write here opens it again.`;
        return this.line(buffer, text, Date.now(), false, STYLE.warn);
      }
      case 'topic': {
        const buffer = this.buffer(e.roomId);
        if (buffer === undefined) return;
        buffer.topic = e.topic;
        const text = e.topic === '' ? `${safe(e.nick)} cleared the topic` : `${safe(e.nick)} set the topic: ${safe(e.topic)}`;
        return this.line(buffer, text, e.time, e.history);
      }
      case 'rename': {
        const buffer = this.buffer(e.roomId);
        if (buffer === undefined) return;
        if (buffer.kind === 'private' && sameNick(buffer.name, e.from)) buffer.name = e.to;
        buffer.members = buffer.members.map((m) => (m.nick === e.from ? { ...m, nick: e.to } : m));
        this.host.renamed(e.from, e.to);
        return this.line(buffer, `${safe(e.from)} is now known as ${safe(e.to)}`, e.time, e.history);
      }
      case 'away': {
        const buffer = this.buffer(e.roomId);
        if (buffer === undefined) return;
        buffer.members = buffer.members.map((m) => (m.nick === e.nick ? { ...m, away: e.away } : m));
        if (buffer.kind === 'private' && sameNick(buffer.name, e.nick)) buffer.away = e.away ? e.reason : undefined;
        const text = e.away ? `${safe(e.nick)} is away${e.reason === '' ? '' : `: ${safe(e.reason)}`}` : `${safe(e.nick)} is back`;
        return this.line(buffer, text, e.time, e.history);
      }
      case 'part': {
        const buffer = this.buffer(e.roomId);
        if (buffer === undefined) return;
        return this.line(buffer, `${safe(e.nick)} left ${safe(buffer.name)}${e.reason === '' ? '' : ` (${safe(e.reason)})`}`, e.time, e.history);
      }
      case 'members': {
        const buffer = this.buffer(e.roomId);
        if (buffer !== undefined) buffer.members = e.members;
        return;
      }
      case 'rooms':
        this.host.system(`${e.rooms.length} room${e.rooms.length === 1 ? '' : 's'} (/join #name to join one):`);
        for (const r of e.rooms) this.host.system(`  ${safe(r.name)} (${r.members})${r.topic === '' ? '' : `: ${safe(r.topic)}`}`);
        return;
      case 'command-refused':
        return this.host.system(refusalText(e), STYLE.error);
      case 'nick':
        return; // the rename lines in each buffer say it
    }
  }

  private stream(stream: StreamInfo, opened: boolean): void {
    const { buffers } = this.host;
    // A buffer without a stream of this kind and name takes the stream's id: a /query opened before
    // the conversation existed, or the buffer of a stream the server lost (a room joined again).
    const detached = buffers.get(stream.roomId) === undefined
      ? buffers.all.find((b) => b.id < 0 && b.kind === stream.kind && sameNick(b.name, stream.name))
      : undefined;
    if (detached !== undefined) detached.id = stream.roomId;
    if (detached !== undefined && stream.kind === 'room' && opened) {
      this.line(detached, `You joined ${safe(stream.name)} again${stream.topic === '' ? '' : `; the topic is: ${safe(stream.topic)}`}`, Date.now(), false);
    }
    const known = buffers.get(stream.roomId) !== undefined;
    const buffer = buffers.open(stream.roomId, stream.kind, stream.name);
    buffer.topic = stream.topic;
    if (stream.kind === 'private') buffer.away = stream.away;
    if (!opened || known) return;
    const now = Date.now();
    if (stream.kind === 'room') {
      this.line(buffer, `You joined ${safe(stream.name)}${stream.topic === '' ? '' : `; the topic is: ${safe(stream.topic)}`}`, now, false);
    } else {
      this.line(buffer, `Private conversation with ${safe(stream.name)}${stream.away === undefined ? '' : ` (away${stream.away === '' ? '' : `: ${safe(stream.away)}`})`}`, now, false);
    }
    if (this.host.wanted(stream)) buffers.selectBuffer(buffer);
  }

  private buffer(roomId: number): ChatBuffer | undefined {
    return this.host.buffers.get(roomId);
  }

  private line(buffer: ChatBuffer, text: string, time: number, history: boolean, style?: Style): void {
    const entry: LogEntry = systemEntry(text, style ?? (history ? STYLE.history : STYLE.system), time);
    this.host.buffers.add(buffer, entry, this.host.width());
  }
}

/** What a refused command was, why, and what it carried (so nothing typed is lost). */
export function refusalText(e: Extract<RoomEvent, { type: 'command-refused' }>): string {
  const target = safe(e.target);
  const carried = e.text === '' ? '' : ` Not sent: ${safe(e.text)}`;
  const reason = safe(e.reason);
  switch (e.op) {
    case 'msg':
      // The code arrives with the rooms protocol (docs/protocol.md §7).
      return (e.code as string) === 'UDPCHAT_ERR_NOT_ONLINE' ? `${target} is not online.${carried}` : `Message to ${target} refused: ${reason}.${carried}`;
    case 'say':
      // The server's reason names its own stream id; what the user needs is why, and the text.
      return (e.code as string) === 'UDPCHAT_ERR_NO_SUCH_ROOM'
        ? `Your message in ${target} was not delivered: you were no longer in it (did the server restart?).${carried}`
        : `Your message in ${target} was refused: ${reason}.${carried}`;
    case 'join':
      return `Cannot join ${target}: ${reason}.`;
    case 'nick':
      return `Cannot change your nickname to ${target}: ${reason}.`;
    default:
      return `/${e.op}${target === '' ? '' : ` ${target}`} refused: ${reason}.${carried}`;
  }
}
