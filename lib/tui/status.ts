/**
 * What the status line says: the state's words and colours, its view model built from the
 * session, and its spans for a width. (How a refused join is classified is decided once, for both
 * front ends, in lib/client/join-failure.ts.)
 */
import { escapeForTerminal } from '../client/presentation.js';
import type { ChatSession, ConnectionState } from '../client/session-types.js';
import { nickColour } from './nick-colour.js';
import type { Span, Style } from './styled-text.js';
import { displayWidth, truncate } from './text-width.js';

/** The status line's colours (ChatScreen paints the row in them). */
export const STATUS_STYLE: Style = { fg: 252, bg: 237 };

/** What the status line shows (statusView builds it, statusSpans lays it out). */
export interface StatusView {
  server: string;
  state: string;
  stateStyle: Style;
  rttMs: number | undefined;
  nick: string;
  pending: number;
  /** Shown instead of the status when set: a question for the user (a large paste, quitting). */
  prompt?: string | undefined;
  /** The member list is shown greyed (not known to be current: offline). */
  offline?: boolean;
}

export interface StateLabel {
  readonly text: string;
  readonly style: Style;
}

const LABELS: Record<ConnectionState, StateLabel> = {
  idle: { text: 'starting…', style: { fg: 11 } },
  joining: { text: 'joining…', style: { fg: 11 } },
  failed: { text: 'not joined', style: { fg: 9 } },
  online: { text: 'online', style: { fg: 10 } },
  reconnecting: { text: 'reconnecting…', style: { fg: 11 } },
  closed: { text: 'disconnected', style: { fg: 9 } },
};

export function stateLabel(state: ConnectionState): StateLabel {
  return LABELS[state];
}

export const LEAVING: StateLabel = { text: 'leaving…', style: { fg: 11 } };
export const CHOOSE_NICK: StateLabel = { text: 'choose a nickname', style: { fg: 9 } };

/** What the status line needs to name the state honestly. */
export interface StatusContext {
  readonly state: ConnectionState;
  readonly quitting: boolean;
  readonly choosingNick: boolean;
  /** Joined at least once: a lost server is "reconnecting", never before. */
  readonly everOnline: boolean;
  /** When the UI tries to join again after a failed join (undefined: not scheduled). */
  readonly retryAt: number | undefined;
  /** When the join in progress gives up (undefined: unknown or not joining). */
  readonly joinDeadline: number | undefined;
  readonly now: number;
}

function seconds(until: number, now: number): number {
  return Math.max(0, Math.ceil((until - now) / 1000));
}

/**
 * The state as the status line shows it: "joining… 7 s" (counting down to giving up) before the
 * first join, "retrying in 3 s" between attempts, "reconnecting…" only after having been online.
 */
export function statusLabel(c: StatusContext): StateLabel {
  if (c.quitting) return LEAVING;
  if (c.choosingNick) return CHOOSE_NICK;
  if (c.state === 'online' || c.state === 'closed') return LABELS[c.state];
  if (c.everOnline) return LABELS.reconnecting;
  if (c.state === 'joining' && c.joinDeadline !== undefined) {
    return { text: `joining… ${seconds(c.joinDeadline, c.now)} s`, style: LABELS.joining.style };
  }
  if (c.retryAt !== undefined) return { text: `not joined, retrying in ${seconds(c.retryAt, c.now)} s`, style: LABELS.failed.style };
  return LABELS[c.state];
}

/** What the status line is built from (besides the state): the session's figures and any question. */
export interface StatusInputs extends StatusContext {
  readonly session: Pick<ChatSession, 'server' | 'rttMs' | 'nick' | 'pending'>;
  /** Parts of long messages not yet handed to the session (the UI sends them over several turns). */
  readonly queued: number;
  /** A question for the user, shown instead of the status (quitting with unsent, a large paste). */
  readonly prompt: string | undefined;
}

/** The status line's view model. */
export function statusView(i: StatusInputs): StatusView {
  const label = statusLabel(i);
  const s = i.session;
  return {
    // A round-trip time only while online: the last one measured says nothing about a lost server.
    server: s.server, state: label.text, stateStyle: label.style, rttMs: i.state === 'online' ? s.rttMs : undefined, nick: s.nick,
    pending: s.pending + i.queued, prompt: i.prompt, offline: i.state !== 'online',
  };
}

/**
 * The first of `wordings` (longest first) that fits a status line `width` columns wide after its
 * leading space, else the last: a question cut short would lose the keys that answer it.
 */
export function fitting(wordings: readonly string[], width: number): string {
  return wordings.find((w) => displayWidth(w) + 1 <= width) ?? wordings.at(-1) ?? '';
}

/**
 * The status line's spans for `width` columns. What matters most stays when it is narrow: the
 * state, your nick and the unsent count; the round-trip time goes first, then the server's
 * address is shortened (your own nick used to be what was cut).
 */
export function statusSpans(s: StatusView, width: number, activity: readonly Span[] = []): Span[] {
  const sep: Span = { text: '  ', style: STATUS_STYLE };
  const state: Span = { text: s.state, style: { ...STATUS_STYLE, ...s.stateStyle, bold: true } };
  const rtt: Span = { text: s.rttMs === undefined ? 'rtt -' : `rtt ${Math.round(s.rttMs)} ms`, style: STATUS_STYLE };
  const nick: Span[] = [
    { text: 'as ', style: STATUS_STYLE },
    { text: escapeForTerminal(s.nick), style: { ...STATUS_STYLE, fg: nickColour(s.nick), bold: true } },
  ];
  const unsent: Span[] = [
    ...(s.pending > 0 ? [sep, { text: `${s.pending} unsent`, style: { ...STATUS_STYLE, fg: 11 } }] : []),
    // Activity in other buffers goes last: at the end of a narrow line it is what is cut.
    ...(activity.length > 0 ? [sep, ...activity] : []),
  ];
  const server = escapeForTerminal(s.server);
  const full = [{ text: ` ${server}`, style: STATUS_STYLE }, sep, state, sep, rtt, sep, ...nick, ...unsent];
  if (spansWidth(full) <= width) return full;
  const tail = [sep, state, sep, ...nick, ...unsent];
  const room = width - spansWidth(tail) - 1;
  if (room >= 6) return [{ text: ` ${truncate(server, room)}`, style: STATUS_STYLE }, ...tail];
  return [{ text: ' ', style: STATUS_STYLE }, ...tail.slice(1)];
}

function spansWidth(spans: readonly Span[]): number {
  let w = 0;
  for (const span of spans) w += displayWidth(span.text);
  return w;
}
