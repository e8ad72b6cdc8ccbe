/**
 * Session events as the user sees them: log lines (messages, presence, history markers, state
 * changes, refusals, notices), the bell on a mention; what changes the UI's mode (joined, a
 * refused join, the end of the session) goes to the host.
 */
import { OutageNotices } from '../client/outage-notices.js';
import { describeOwner } from '../client/whois-lookup.js';
import { summaryText } from '../client/presence-coalescer.js';
import type { ChatSession, ClientEvent } from '../client/session-types.js';
import { LogSections, type Section, escapeForTerminal, sectionOf } from '../client/presentation.js';
import {
  STYLE, actionEntry, markerEntry, mentions, messageEntry, pendingEntry, presenceText, systemEntry,
} from './log-format.js';
import type { LogEntry } from './message-log.js';
import { truncate } from './text-width.js';

export interface FeedHost {
  /**
   * Adds a line: to the buffer of stream `roomId` when given (room 0 is #lobby), else to the buffer
   * shown. `highlight`: it mentions the user or is a private message (the buffer list says so).
   */
  add(entry: LogEntry, roomId?: number, highlight?: boolean): void;
  /** Takes a pending line out of the log (whichever buffer it is in). */
  remove(entry: LogEntry): void;
  /** Messages from this nick are hidden (/ignore). */
  ignores(nick: string): boolean;
  /** A private message from someone else arrived (for /reply and the highlight). */
  privateFrom(nick: string, roomId: number): boolean;
  bell(): void;
  joined(nick: string, rejoined: boolean): void;
  joinFailed(e: Extract<ClientEvent, { type: 'join-failed' }>): void;
  closed(reason: string): void;
  /** A page of older history arrived (asked for by PageUp, older-history.ts). */
  older(entries: Extract<ClientEvent, { type: 'older' }>['entries']): void;
  /** Nothing older to load, and why. */
  noOlder(why: Extract<ClientEvent, { type: 'no-older' }>['why']): void;
}

export class SessionFeed {
  /** Replayed history and entries caught up on after a rejoin sit between markers, per stream. */
  private readonly sections = new LogSections();
  /** One "reconnecting" line per outage (decided for both front ends in lib/client). */
  private readonly outages = new OutageNotices();
  /** Own messages queued but not yet seen in the room, oldest first, with their log lines. */
  private readonly pending: Array<{ text: string; entry: LogEntry }> = [];

  constructor(
    private readonly session: ChatSession,
    private readonly host: FeedHost,
    private readonly bell: boolean,
  ) {}

  /** After /clear of a stream's buffer: its next history entry gets its header again. */
  reset(roomId = 0): void {
    this.sections.forget(roomId);
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
        this.section(sectionOf(e), e.roomId);
        this.host.add(systemEntry(presenceText(e.nick, e.action, e.reason), e.history ? STYLE.history : STYLE.system, e.time), e.roomId ?? 0);
        break;
      case 'presence-summary':
        this.section(sectionOf(e), 0);
        this.host.add(systemEntry(summaryText(e, escapeForTerminal), e.history ? STYLE.history : STYLE.system, e.time), 0);
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
      // Answers to loadOlder() (PageUp at the oldest line).
      case 'older':
        this.host.older(e.entries);
        break;
      case 'no-older':
        this.host.noOlder(e.why);
        break;
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
    if (!e.own && this.host.ignores(e.nick)) return;
    const roomId = e.roomId ?? 0;
    this.section(sectionOf(e), roomId);
    const live = !e.own && !e.history;
    const mention = live && mentions(e.text, this.session.nick);
    const personal = live && this.host.privateFrom(e.nick, roomId);
    const entry = e.action === true ? actionEntry(e) : messageEntry({ ...e, mention });
    this.host.add(entry, roomId, mention || personal);
    if ((mention || personal) && this.bell) this.host.bell();
  }

  /** Replayed history and what was missed while away sit between markers, per stream. */
  private section(section: Section, roomId = 0): void {
    for (const m of this.sections.enter(roomId, section)) this.host.add(markerEntry(m), roomId);
  }

  private system(text: string, style: (typeof STYLE)[keyof typeof STYLE]): void {
    this.host.add(systemEntry(text, style));
  }
}
