/**
 * The streams a client session is in (docs/protocol.md §6.3; lib/client/rooms-api.ts): their
 * info as the server last described it and their member lists. Room 0 is always there.
 */
import { LOBBY_ID, LOBBY_NAME, type Member, type StreamInfo } from './rooms-api.js';

const BY_NAME = new Intl.Collator(undefined, { sensitivity: 'base' });

export class StreamDirectory {
  private readonly byId = new Map<number, StreamInfo>([[LOBBY_ID, { roomId: LOBBY_ID, kind: 'room', name: LOBBY_NAME, topic: '' }]]);
  private readonly memberLists = new Map<number, readonly Member[]>();
  private list: readonly StreamInfo[] | undefined;

  /** Room 0 first, then in the order they were opened. */
  get all(): readonly StreamInfo[] {
    this.list ??= [...this.byId.values()];
    return this.list;
  }

  get(roomId: number): StreamInfo | undefined {
    return this.byId.get(roomId);
  }

  /** The private conversation with `nick` (compared as the server would: case-insensitively). */
  privateWith(nick: string): StreamInfo | undefined {
    for (const s of this.byId.values()) if (s.kind === 'private' && BY_NAME.compare(s.name, nick) === 0) return s;
    return undefined;
  }

  /** Records a stream's info; true if it was not known before. */
  set(info: StreamInfo): boolean {
    const known = this.byId.has(info.roomId);
    this.byId.set(info.roomId, info);
    this.list = undefined;
    return !known;
  }

  /** Forgets a stream (parted); room 0 stays. */
  remove(roomId: number): StreamInfo | undefined {
    const info = this.byId.get(roomId);
    if (roomId === LOBBY_ID || info === undefined) return undefined;
    this.byId.delete(roomId);
    this.memberLists.delete(roomId);
    this.list = undefined;
    return info;
  }

  /** Forgets every stream but room 0 (a new server instance). Returns the ones forgotten. */
  reset(): StreamInfo[] {
    const gone = [...this.byId.values()].filter((s) => s.roomId !== LOBBY_ID);
    for (const s of gone) this.remove(s.roomId);
    return gone;
  }

  members(roomId: number): readonly Member[] {
    return this.memberLists.get(roomId) ?? [];
  }

  setMembers(roomId: number, members: Member[]): readonly Member[] {
    const sorted = members.sort((a, b) => BY_NAME.compare(a.nick, b.nick));
    this.memberLists.set(roomId, sorted);
    return sorted;
  }
}
