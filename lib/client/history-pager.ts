/**
 * Older history in pages (docs/protocol.md §6.2.11, capability bit 1): loadOlder() asks for the
 * entries just before the oldest one this session has, one HISTORY at a time, resent after the RTO
 * (backed off) until its PAGE comes. A PAGE becomes an `older` event (oldest first, never an entry
 * twice); the start of the room's history a `no-older` event; history beyond the server's retention
 * one notice per session. Sans-I/O; client-core.ts routes to it.
 */
import { CAP_HISTORY } from '../protocol/history-codec.js';
import type { Entry, HistoryMessage, PageMessage } from '../protocol/messages.js';
import type { ClientEvent, OlderEntry } from './session-types.js';

/** The most a HISTORY asks for: the server sends what fits one PAGE. */
export const PAGE_ASK = 255;
/** Cap of the backed-off resend interval. */
const MAX_RESEND_MS = 4_000;

export class HistoryPager {
  /** The server enabled bit 1 for this session (WELCOME caps); undefined before a WELCOME. */
  private enabled: boolean | undefined;
  /** The oldest seq this session has: the next HISTORY asks for what is before it. */
  private oldest = 1;
  /** Why nothing older can be had, once known. */
  private end: 'start' | 'gone' | undefined;
  private goneTold = false;
  private pending: { message: HistoryMessage; resendAt: number; interval: number } | undefined;

  /**
   * A WELCOME: a resume keeps what was paged (the same room) and asks an unanswered HISTORY again at
   * once, with the new token; a new instance starts over from its history (`historyFrom`) and ends
   * an unanswered request with `no-older` (not-joined), so that a front end stops waiting for it.
   */
  welcome(caps: number, historyFrom: number, sameInstance: boolean): ClientEvent[] {
    this.enabled = (caps & CAP_HISTORY) !== 0;
    const pending = this.pending;
    if (sameInstance && this.enabled && pending !== undefined) {
      pending.resendAt = 0;
      return [];
    }
    this.pending = undefined;
    if (!sameInstance) {
      this.oldest = historyFrom;
      this.end = undefined;
      this.goneTold = false;
    }
    return pending === undefined ? [] : [{ type: 'no-older', why: 'not-joined' }];
  }

  /** A request in flight. */
  get loading(): boolean {
    return this.pending !== undefined;
  }

  /**
   * loadOlder(): the HISTORY to send now, or the event that says why none is sent (already loading
   * is neither: the page in flight answers it).
   */
  request(token: Buffer | undefined, now: number, rtoMs: number, count = PAGE_ASK): HistoryMessage | ClientEvent | undefined {
    if (token === undefined) return { type: 'no-older', why: 'not-joined' };
    if (this.enabled !== true) return { type: 'no-older', why: 'unsupported' };
    if (this.end !== undefined) return { type: 'no-older', why: this.end };
    if (this.oldest <= 1) {
      this.end = 'start';
      return { type: 'no-older', why: 'start' };
    }
    if (this.pending !== undefined) return undefined;
    const message: HistoryMessage = { type: 'history', token, before: this.oldest, count: Math.max(1, Math.min(PAGE_ASK, Math.floor(count))) };
    this.pending = { message, resendAt: now + rtoMs, interval: rtoMs };
    return message;
  }

  /** The HISTORY to send again, if its PAGE is overdue. */
  due(token: Buffer, now: number): HistoryMessage[] {
    const p = this.pending;
    if (p === undefined || now < p.resendAt) return [];
    p.interval = Math.min(MAX_RESEND_MS, p.interval * 2);
    p.resendAt = now + p.interval;
    p.message = { ...p.message, token };
    return [p.message];
  }

  nextDeadline(): number {
    return this.pending?.resendAt ?? Infinity;
  }

  /**
   * A PAGE with our token: its events, or undefined if it answers nothing we asked (a counted drop).
   * `ownNick` marks our own messages.
   */
  answer(m: PageMessage, ownNick: string): ClientEvent[] | undefined {
    if (this.pending === undefined || m.before !== this.pending.message.before) return undefined;
    this.pending = undefined;
    const events: ClientEvent[] = [];
    // Entries end just before `before`, the oldest we had: none of them is delivered already.
    const entries = m.entries.filter((e) => e.seq < this.oldest);
    if (entries.length > 0) {
      this.oldest = (entries[0] as Entry).seq;
      events.push({ type: 'older', entries: entries.map((e) => olderEntry(e, ownNick)) });
    }
    if (m.oldest) {
      this.end = m.gone ? 'gone' : 'start';
      if (m.gone && !this.goneTold) {
        this.goneTold = true;
        const dropped = this.oldest - 1;
        events.push({ type: 'notice', text: `older history is beyond the server's retention (${dropped} earlier ${dropped === 1 ? 'entry is' : 'entries are'} no longer kept)` });
      }
      events.push({ type: 'no-older', why: this.end });
    }
    return events;
  }
}

/** An entry of a page as the front ends see history (`history` true, in room 0). */
function olderEntry(e: Entry, ownNick: string): OlderEntry {
  if (e.kind === 'msg') return { type: 'message', seq: e.seq, time: e.time, nick: e.nick, text: e.text, own: e.nick === ownNick, history: true };
  const base = { type: 'presence' as const, seq: e.seq, time: e.time, nick: e.nick, action: e.kind, history: true };
  return e.kind === 'leave' ? { ...base, reason: e.reason } : base;
}

