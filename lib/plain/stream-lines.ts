/**
 * Line mode's output grammar with rooms and private conversations (README, "Line mode with several
 * rooms"): what each event looks like as one line. Pure: text in, text out; the caller adds the time
 * stamp and decides whether lines name their stream.
 *
 * With one stream (only `#lobby`) lines are exactly those of the one-room client:
 *
 *     TIME NICK: TEXT          a message
 *     TIME * EVENT             something happened (joined, left, …)
 *
 * With more than one stream, every line about a stream names it right after the time:
 *
 *     TIME STREAM NICK: TEXT   STREAM is #room, or *nick* for the private conversation with nick
 *     TIME STREAM * EVENT
 *
 * Nicknames and room names have no spaces and nicknames no ":", so a line splits at its spaces and
 * at the first ": " after the nick. Every text from the network is escaped (no control characters,
 * no line feeds: a message's further lines are continuation lines, see line-mode.ts).
 */
import { escapeForTerminal } from '../client/presentation.js';
import type { LeaveReason } from '../protocol/messages.js';

/** What a line needs to know of a stream: a room (`#name`) or a private conversation (the other's nick). */
export interface StreamName {
  readonly kind: 'room' | 'private';
  readonly name: string;
}

/** `#ops` for a room, `*bob*` for the private conversation with bob. */
export function streamToken(stream: StreamName): string {
  const name = escapeForTerminal(stream.name);
  return stream.kind === 'room' ? name : `*${name}*`;
}

const safe = escapeForTerminal;

/**
 * The body of an event line (after the time and the stream), for events other than messages (a
 * message's body is `NICK: TEXT`, written by line-mode.ts with colours and continuation lines).
 */
export const eventBody = {
  join: (nick: string): string => `* ${safe(nick)} joined`,
  leave: (nick: string, reason: LeaveReason | undefined): string => `* ${safe(nick)} left (${reason ?? 'quit'})`,
  /** /part: left the room, still online. */
  part: (nick: string, reason: string): string => `* ${safe(nick)} parted${reason === '' ? '' : `: ${safe(reason)}`}`,
  topic: (nick: string, topic: string): string => (topic === '' ? `* ${safe(nick)} cleared the topic` : `* ${safe(nick)} set the topic: ${safe(topic)}`),
  rename: (from: string, to: string): string => `* ${safe(from)} is now known as ${safe(to)}`,
  away: (nick: string, away: boolean, reason: string): string =>
    (away ? `* ${safe(nick)} is away${reason === '' ? '' : `: ${safe(reason)}`}` : `* ${safe(nick)} is back`),
  /** This session is now in a stream. */
  opened: (stream: StreamName): string => (stream.kind === 'room' ? `* you joined ${safe(stream.name)}` : `* private conversation with ${safe(stream.name)}`),
  /** The topic shown when a room is joined. */
  currentTopic: (topic: string): string => `* topic: ${safe(topic)}`,
  closed: (stream: StreamName, why: 'parted' | 'gone'): string =>
    (why === 'parted'
      ? (stream.kind === 'room' ? `* you left ${safe(stream.name)}` : `* closed the conversation with ${safe(stream.name)}`)
      : `* ${safe(stream.name)} is gone (the server no longer has it)`),
} as const;

/**
 * A `/me` action as a message line's text: `ann: /me waves` — what a client without rooms shows
 * for it. Never mistaken for an event line: those go on with `* `, a message with a word ending in `:`.
 */
export function actionText(text: string): string {
  return `/me ${text}`;
}

/** A member of a /who list: `bob` or `bob (away)`. */
export function memberText(nick: string, away: boolean): string {
  return away ? `${safe(nick)} (away)` : safe(nick);
}

/** The /who line: `* here (3): ann, bob (away), cat` (the one-room client's line, away marks added). */
export function whoLine(members: ReadonlyArray<{ readonly nick: string; readonly away: boolean }>): string {
  return `* here (${members.length}): ${members.map((m) => memberText(m.nick, m.away)).join(', ')}`;
}

/** The /rooms answer: a head line, then one line per room: `*   #ops (3): topic`. */
export function roomListLines(rooms: ReadonlyArray<{ readonly name: string; readonly members: number; readonly topic: string }>): string[] {
  return [
    `* ${rooms.length} room${rooms.length === 1 ? '' : 's'}:`,
    ...rooms.map((r) => `*   ${safe(r.name)} (${r.members})${r.topic === '' ? '' : `: ${safe(r.topic)}`}`),
  ];
}
