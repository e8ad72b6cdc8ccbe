/**
 * Private conversations on the server (docs/protocol.md §6.3.1, CMD msg and msg-action): a stream
 * of two sessions, opened by the first private message between them.
 *
 * Invariants:
 * - A conversation is filed under the pair key of its members' nickname keys (pairKey); a rename
 *   files it again under the new pair (refile), so the next message finds it.
 * - A session is in at most PRIVATE_PER_USER conversations: a message that would open one more for
 *   either side is refused, and nothing of it is kept.
 */
import type { NewRoomEntry } from './room-log.js';
import { nickKeys } from '../protocol/nick.js';
import { roomsEnabled } from './lobby.js';
import { type Refusal, checkText } from './refusal.js';
import { PRIVATE_PER_USER } from './server-options.js';
import type { Session, SessionTable } from './session-table.js';
import { type Stream, pairKey } from './streams.js';

/** What the conversations may see and do of the rooms (rooms.ts). */
export interface ConversationHost {
  readonly sessions: SessionTable;
  readonly maxText: number;
  /** The streams a session is in. */
  streamsOf(s: Session): Iterable<Stream>;
  /** A new private stream, filed by its id (not yet by its pair: the caller does). */
  create(key: string): Stream;
  /** Makes sessions members: ROOMINFO, the history each is owed, every RROSTER page. */
  enter(joining: readonly Session[], stream: Stream): void;
  append(stream: Stream, entry: NewRoomEntry): void;
  /** Counts an accepted request (ServerStats.accepted). */
  accepted(): void;
}

export class PrivateConversations {
  private readonly byPair = new Map<string, Stream>();

  constructor(private readonly host: ConversationHost) {}

  /** A private message (or `/me`, `action`) from `s` to the holder of nickname `name`. */
  message(s: Session, name: string, text: string, action: boolean, now: number): Refusal | undefined {
    // The keys alone find the holder (a name that fails the nick rules is held by nobody); the
    // full check costs ~13 µs, a key ~2 (the second is the first for a name already in lower case).
    const peer = name === '' ? undefined : this.host.sessions.byNickKeys(nickKeys(name));
    if (peer === undefined) return { code: 'UDPCHAT_ERR_NOT_ONLINE', detail: `${name} is not online` };
    if (peer === s) return { code: 'UDPCHAT_ERR_UNSUPPORTED', detail: 'a private message to yourself' };
    if (!roomsEnabled(peer)) return { code: 'UDPCHAT_ERR_UNSUPPORTED', detail: `${peer.nick}'s client has no private messages (an older udp-chat)` };
    const bad = checkText(text, this.host.maxText);
    if (bad !== undefined) return bad;
    const key = pairKey(s.nickKey, peer.nickKey);
    let stream = this.byPair.get(key);
    const joining = [s, peer].filter((x) => stream === undefined || !stream.members.has(x));
    for (const x of joining) {
      const open = [...this.host.streamsOf(x)].filter((y) => y.kind === 'private').length;
      if (open >= PRIVATE_PER_USER) return { code: 'UDPCHAT_ERR_ROOM_LIMIT', detail: `${x === s ? 'you are' : `${x.nick} is`} in ${open} private conversations, the most this server allows` };
    }
    if (stream === undefined) {
      stream = this.host.create(key);
      this.byPair.set(key, stream);
    }
    this.host.accepted();
    if (joining.length > 0) this.host.enter(joining, stream);
    const time = Math.floor(now);
    this.host.append(stream, action ? { kind: 'action', time, nick: s.nick, text } : { kind: 'msg', time, nick: s.nick, target: 0, text });
    return undefined;
  }

  /** `s`, a member of the conversation `stream`, was renamed: the conversation is filed under the new pair. */
  refile(stream: Stream, s: Session): void {
    this.byPair.delete(stream.key);
    stream.key = pairKey(s.nickKey, stream.other(s)?.nickKey ?? '');
    this.byPair.set(stream.key, stream);
  }

  /** Nobody is left in the conversation. */
  forget(stream: Stream): void {
    this.byPair.delete(stream.key);
  }
}

/** How `s` sees a conversation in its ROOMINFO (§6.3.3): named after the other, whose away reason is its topic. */
export function conversationTitle(stream: Stream, s: Session, awayOf: (x: Session) => string | undefined): { name: string; topic: string } {
  const other = stream.other(s);
  return { name: other?.nick ?? s.nick, topic: other === undefined ? '' : (awayOf(other) ?? '') };
}
