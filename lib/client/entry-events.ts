/**
 * What a delivered entry of a stream means to a front end (docs/protocol.md §4.3, §6.3): a
 * message, a presence change, or a room event; and what it does to the stream's member list.
 */
import type { RoomEntry } from '../protocol/messages.js';
import type { MemberChange } from './member-list.js';
import { LOBBY_ID, type RoomEvent } from './rooms-api.js';
import type { ClientEvent } from './session-types.js';

/**
 * The event of an entry (none for the echo of a rename in room 0). Room 0's messages and presence
 * carry no roomId (as for a revision-1 client); its room events carry roomId 0.
 */
export function entryEvent(e: RoomEntry, roomId: number, history: boolean, ownNick: string, missed = false): ClientEvent | RoomEvent | undefined {
  // `missed`: stored while this client was away, caught up on after a resume (§6.2.7).
  const where = { ...(roomId === LOBBY_ID ? {} : { roomId }), ...(missed ? { missed: true as const } : {}) };
  const at = { roomId, seq: e.seq, time: e.time, history, ...(missed ? { missed: true as const } : {}) };
  switch (e.kind) {
    case 'msg':
      return { type: 'message', seq: e.seq, time: e.time, nick: e.nick, text: e.text, own: e.nick === ownNick, history, ...where };
    case 'action':
      return { type: 'message', seq: e.seq, time: e.time, nick: e.nick, text: e.text, own: e.nick === ownNick, history, ...where, action: true };
    case 'join':
      return { type: 'presence', seq: e.seq, time: e.time, nick: e.nick, action: 'join', history, ...where };
    case 'leave':
      return { type: 'presence', seq: e.seq, time: e.time, nick: e.nick, action: 'leave', reason: e.reason, history, ...where };
    case 'topic':
      return { type: 'topic', nick: e.nick, topic: e.text, ...at };
    case 'rename':
      return e.echo ? undefined : { type: 'rename', from: e.nick, to: e.to, ...at };
    case 'part':
      return { type: 'part', nick: e.nick, reason: e.text, ...at };
    case 'away':
      return { type: 'away', nick: e.nick, away: e.away, reason: e.text, ...at };
  }
}

/** What an entry does to the member list, if anything. */
export function memberChange(e: RoomEntry): MemberChange | undefined {
  switch (e.kind) {
    case 'join':
      return { kind: 'join', nick: e.nick };
    case 'leave':
    case 'part':
      return { kind: 'leave', nick: e.nick };
    case 'rename':
      return e.echo ? undefined : { kind: 'rename', from: e.nick, to: e.to };
    case 'away':
      return { kind: 'away', nick: e.nick, away: e.away };
    default:
      return undefined;
  }
}
