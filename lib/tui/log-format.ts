/**
 * How session events look in the log: timestamps, a colour per nick, own messages, mentions,
 * replayed history and system events each distinct. Every string that came from the network goes
 * through escapeForTerminal here; spans are never parsed for markup afterwards.
 */
import type { LeaveReason } from '../protocol/messages.js';
import { displayLines, escapeForTerminal } from '../client/presentation.js';
import { type Marker, SECTION_MARKERS, formatTime, nickColour } from '../client/presentation.js';
import { shareGlyphs, type Span, type Style } from './styled-text.js';
import type { LogEntry } from './message-log.js';

export const STYLE = {
  time: { fg: 244 },
  system: { fg: 244 },
  good: { fg: 2 },
  warn: { fg: 3 },
  error: { fg: 9 },
  history: { fg: 244 },
  mention: { fg: 0, bg: 11 },
  ownText: {},
  pending: { fg: 244 },
  action: { fg: 5, bold: true },
} as const satisfies Record<string, Style>;
for (const style of Object.values(STYLE)) shareGlyphs(style);

/** Nick styles, one object per look (their lines share glyph objects: see shareGlyphs). */
const nickStyles = new Map<string, Style>();

function nickStyle(colour: number, own: boolean, history: boolean): Style {
  const key = `${colour}${own ? 'o' : ''}${history ? 'h' : ''}`;
  let style = nickStyles.get(key);
  if (style === undefined) {
    style = shareGlyphs(own ? { fg: colour, bold: true, underline: true } : { fg: colour, bold: !history });
    nickStyles.set(key, style);
  }
  return style;
}

/** Columns of the "HH:MM " prefix: continuation rows are indented by as much. */
export const TIME_WIDTH = 6;

/** HH:MM in local time. */
export { formatTime };

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The last nick's pattern: compiling it for every message was a visible cost in a busy room. */
let mentionPattern: { nick: string; re: RegExp } | undefined;

/** Whether text names `nick` as a word (case-insensitive; "@nick", "nick:" count). */
export function mentions(text: string, nick: string): boolean {
  if (nick === '') return false;
  if (mentionPattern?.nick !== nick) {
    mentionPattern = { nick, re: new RegExp(`(?<![\\p{L}\\p{N}\\p{M}_])${escapeRegExp(nick)}(?![\\p{L}\\p{N}\\p{M}_])`, 'iu') };
  }
  return mentionPattern.re.test(text);
}

export interface MessageView {
  time: number;
  nick: string;
  text: string;
  own: boolean;
  history: boolean;
  mention: boolean;
}

export function messageEntry(m: MessageView): LogEntry {
  const nick = escapeForTerminal(m.nick);
  // Line feeds of a multi-line message stay (wrapSpans starts a row for each, indented).
  const text = displayLines(m.text).join('\n');
  const colour = nickColour(m.nick);
  const nickLook = nickStyle(colour, m.own, m.history);
  const textStyle: Style | undefined = m.mention && !m.own
    ? STYLE.mention
    : m.history ? STYLE.history : undefined;
  const spans: Span[] = [
    { text: `${formatTime(m.time)} `, style: STYLE.time },
    { text: `<${nick}>`, style: nickLook },
    { text: ' ' },
    textStyle === undefined ? { text } : { text, style: textStyle },
  ];
  // Your own messages are never unread (a /msg from another buffer lands in the background).
  return { spans, indent: TIME_WIDTH, counts: !m.own };
}

/** A `/me` action: "HH:MM * ann waves", the nick in its colour. */
export function actionEntry(m: Omit<MessageView, 'mention'>): LogEntry {
  const colour = nickColour(m.nick);
  const style: Style | undefined = m.history ? STYLE.history : undefined;
  return {
    spans: [
      { text: `${formatTime(m.time)} `, style: STYLE.time },
      { text: '* ', style: STYLE.action },
      { text: escapeForTerminal(m.nick), style: nickStyle(colour, false, m.history) },
      { text: ' ' },
      style === undefined ? { text: displayLines(m.text).join('\n') } : { text: displayLines(m.text).join('\n'), style },
    ],
    indent: TIME_WIDTH + 2,
    counts: !m.own,
  };
}

/**
 * One of your messages not yet in the room: dimmed and marked "sending…" until the server's copy
 * arrives (then this line goes, and the message appears where the server put it).
 */
export function pendingEntry(nick: string, text: string, time: number = Date.now()): LogEntry {
  return {
    spans: [
      { text: `${formatTime(time)} `, style: STYLE.time },
      { text: `<${escapeForTerminal(nick)}>`, style: { ...STYLE.pending, underline: true } },
      { text: ' ' },
      { text: displayLines(text).join('\n'), style: STYLE.pending },
      { text: ' (sending…)', style: { ...STYLE.pending, bold: true } },
    ],
    indent: TIME_WIDTH,
    counts: false,
  };
}

export function presenceText(nick: string, action: 'join' | 'leave', reason?: LeaveReason): string {
  const n = escapeForTerminal(nick);
  if (action === 'join') return `${n} joined`;
  switch (reason) {
    case 'timeout':
      return `${n} timed out`;
    case 'shutdown':
      return `${n} left (server shutting down)`;
    case 'flooding':
      return `${n} was disconnected for flooding`;
    default:
      return `${n} left`;
  }
}

/** A system line: "HH:MM *** text" (text is ours, or already escaped). */
export function systemEntry(text: string, style: Style = STYLE.system, time: number = Date.now()): LogEntry {
  return {
    spans: [
      { text: `${formatTime(time)} `, style: STYLE.time },
      { text: `*** ${text}`, style },
    ],
    indent: TIME_WIDTH + 4,
    counts: false,
  };
}

/** A plain line without time (help text, separators). */
export function plainEntry(text: string, style?: Style): LogEntry {
  return { spans: [style === undefined ? { text } : { text, style }], indent: 0, counts: false };
}

export const HISTORY_START = '-------- replayed history --------';
export const HISTORY_END = '-------- end of history --------';
export const MISSED_START = `-------- ${SECTION_MARKERS.missed.start} --------`;
export const MISSED_END = `-------- ${SECTION_MARKERS.missed.end} --------`;

/** The log line of a section marker (lib/client/log-sections.ts). */
export function markerEntry(m: Marker): LogEntry {
  const text = m.section === 'history'
    ? (m.edge === 'start' ? HISTORY_START : HISTORY_END)
    : (m.edge === 'start' ? MISSED_START : MISSED_END);
  return plainEntry(text, m.section === 'history' ? STYLE.history : STYLE.warn);
}
