/**
 * Session events as the user sees them: log lines (messages, presence, history markers, state
 * changes, refusals, notices), the bell on a mention; what changes the UI's mode (joined, a
 * refused join, the end of the session) goes to the host.
 */
import { OutageNotices } from '../client/outage-notices.js';
import { describeOwner } from '../client/whois-lookup.js';
import { summaryText } from '../client/presence-coalescer.js';
import type { ChatSession, ClientEvent } from '../client/session-types.js';
import { escapeForTerminal } from '../client/presentation.js';
import {
  HISTORY_END, HISTORY_START, STYLE, mentions, messageEntry, pendingEntry, plainEntry, presenceText, systemEntry,
} from './log-format.js';
import type { LogEntry } from './message-log.js';
import { truncate } from './text-width.js';

export interface FeedHost {
  add(entry: LogEntry): void;
  /** Takes a pending line out of the log. */
  remove(entry: LogEntry): void;
  bell(): void;
  joined(nick: string, rejoined: boolean): void;
  joinFailed(e: Extract<ClientEvent, { type: 'join-failed' }>): void;
  closed(reason: string): void;
}

export class SessionFeed {
  private lastWasHistory = false;
  /** One "reconnecting" line per outage (decided for both front ends in lib/client). */
  private readonly outages = new OutageNotices();
  /** Own messages queued but not yet seen in the room, oldest first, with their log lines. */
  private readonly pending: Array<{ text: string; entry: LogEntry }> = [];

  constructor(
    private readonly session: ChatSession,
    private readonly host: FeedHost,
    private readonly bell: boolean,
  ) {}

  /** After /clear: the next history entry gets its header again. */
  reset(): void {
    this.lastWasHistory = false;
  }

  handle(e: ClientEvent): void {
    const announce = this.outages.announce(e);
    switch (e.type) {
      case 'message':
        this.message(e);
        break;
      case 'presence':
        // Our own arrival is the "Joined as …" line already.
        if (e.action === 'join' && !e.history && e.nick === this.session.nick) break;
        this.historyMarker(e.history);
        this.host.add(systemEntry(presenceText(e.nick, e.action, e.reason), e.history ? STYLE.history : STYLE.system, e.time));
        break;
      case 'presence-summary':
        this.historyMarker(e.history);
        this.host.add(systemEntry(summaryText(e, escapeForTerminal), e.history ? STYLE.history : STYLE.system, e.time));
        break;
      case 'state':
        if (announce) this.system('Lost the server; reconnecting…', STYLE.warn);
        break;
      case 'sending': {
        const entry = pendingEntry(this.session.nick, e.text);
        this.pending.push({ text: e.text, entry });
        this.host.add(entry);
        break;
      }
      case 'refused':
        this.settle(e.text);
        this.system(`Not sent (${escapeForTerminal(e.reason)}): ${truncate(escapeForTerminal(e.text), 60)}`, STYLE.error);
        break;
      case 'notice':
        this.system(escapeForTerminal(e.text), STYLE.warn);
        break;
      case 'whois':
        this.system(describeOwner(e, escapeForTerminal(e.nick)), STYLE.system);
        break;
      case 'joined':
        this.host.joined(e.nick, e.rejoined);
        break;
      case 'join-failed':
        this.host.joinFailed(e);
        break;
      case 'closed':
        this.host.closed(e.reason);
        break;
      case 'roster':
      case 'delivered':
        break; // shown from the session's fields on the next render
    }
  }

  /** The server's copy of a pending message arrived (or it was refused): its line goes. */
  private settle(text: string): void {
    const i = this.pending.findIndex((p) => p.text === text);
    // Parts are delivered in the order they were queued: the oldest pending one is this one,
    // unless the server re-split it (a smaller maxText) and the texts no longer match.
    const at = i >= 0 ? i : 0;
    const done = this.pending.splice(at, 1)[0];
    if (done !== undefined) this.host.remove(done.entry);
  }

  private message(e: ClientEvent & { type: 'message' }): void {
    if (e.own && !e.history) this.settle(e.text);
    this.historyMarker(e.history);
    const mention = !e.own && !e.history && mentions(e.text, this.session.nick);
    this.host.add(messageEntry({ ...e, mention }));
    if (mention && this.bell) this.host.bell();
  }

  private historyMarker(history: boolean): void {
    if (history && !this.lastWasHistory) this.host.add(plainEntry(HISTORY_START, STYLE.history));
    if (!history && this.lastWasHistory) this.host.add(plainEntry(HISTORY_END, STYLE.history));
    this.lastWasHistory = history;
  }

  private system(text: string, style: (typeof STYLE)[keyof typeof STYLE]): void {
    this.host.add(systemEntry(text, style));
  }
}
