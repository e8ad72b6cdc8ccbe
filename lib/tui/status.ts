/**
 * What the status line says: the state's words and colours, and its view model built from the
 * session. (How a refused join is classified is decided once, for both front ends, in
 * lib/client/join-failure.ts.)
 */
import type { ChatSession, ConnectionState } from '../client/session-types.js';
import type { StatusView } from './chat-screen.js';
import type { Style } from './styled-text.js';

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
