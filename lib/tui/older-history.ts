/**
 * Older history in the full-screen client (README, "Full-screen client"): PageUp at the oldest
 * loaded line of #lobby asks the session for the previous page and shows "loading older messages…"
 * above everything until it arrives; the page is then inserted there, oldest first, and the view
 * moves up onto it as far as a PageUp would have gone (nothing skipped). Where nothing older can be had, one line at the top says why.
 * Front-end logic only: it calls session.loadOlder() and shows the `older` / `no-older` events.
 */
import type { ChatSession, ClientEvent } from '../client/session-types.js';
import { STYLE, actionEntry, messageEntry, presenceText, systemEntry } from './log-format.js';
import type { LogEntry, MessageLog } from './message-log.js';

export interface OlderHost {
  /** The log of #lobby, where older pages go (room 0 is the only one with paged history). */
  lobbyLog(): MessageLog;
  /** A line at the bottom of the buffer shown (PageUp while not connected). */
  notice(text: string): void;
  /** Width and height of the log on screen while scrolled up (its last row is the hint then). */
  page(): { width: number; height: number };
}

type Why = Extract<ClientEvent, { type: 'no-older' }>['why'];

const END_LINES: Record<Exclude<Why, 'not-joined'>, string> = {
  start: 'This is the beginning of the history.',
  gone: 'Older messages are no longer kept by the server.',
  unsupported: 'This server cannot load older messages (an older udp-chat).',
};

export class OlderHistory {
  /** The "loading older messages…" line while a page is on its way. */
  private loadingLine: LogEntry | undefined;
  /** Nothing older can be had (the line saying so is shown). */
  private ended = false;
  /** Where the view goes when the page comes: as far up as a PageUp would have gone (rows from the bottom). */
  private target = 0;

  constructor(
    private readonly session: ChatSession,
    private readonly host: OlderHost,
  ) {}

  /** A page is on its way. */
  get loading(): boolean {
    return this.loadingLine !== undefined;
  }

  /** Whether PageUp at the top of `log` asks for more (#lobby, not loading, not at the end). */
  wants(log: MessageLog): boolean {
    return log === this.host.lobbyLog() && !this.ended && this.loadingLine === undefined;
  }

  /** PageUp at the oldest loaded line: shows the loading line and asks the session. */
  request(): void {
    if (this.ended || this.loadingLine !== undefined) return;
    const line = systemEntry('loading older messages…', STYLE.system);
    this.loadingLine = line;
    const { width, height } = this.host.page();
    const log = this.host.lobbyLog();
    // Scrolled up to the top: the page will end one row above the view's bottom row, which shows
    // the line that is at the top now (as PageUp moves, nothing skipped). All on screen: the
    // bottom stays where it is.
    const before = log.rowsFromBottom;
    this.target = before > 0 ? before + height - 1 : 0;
    // Onto the line, so it is seen (the view is at the top already).
    log.scrollUp(log.prepend([line], width), width, height);
    // Last: the session may answer at once (no-older).
    this.session.loadOlder();
  }

  /** A page arrived: it takes the loading line's place, and the view moves up onto it. */
  older(entries: Extract<ClientEvent, { type: 'older' }>['entries']): void {
    const log = this.host.lobbyLog();
    this.unmark(log);
    const { width, height } = this.host.page();
    log.prepend(entries.map(entryOf), width);
    const move = this.target - log.rowsFromBottom;
    if (move > 0) log.scrollUp(move, width, height);
    else log.scrollDown(-move);
  }

  /** Nothing older: one line at the top says why (not joined: nothing shown, PageUp may ask again later). */
  noOlder(why: Why): void {
    const log = this.host.lobbyLog();
    this.unmark(log);
    if (this.ended) return;
    if (why === 'not-joined') {
      this.host.notice('Older messages can be loaded once connected.');
      return;
    }
    this.ended = true;
    log.prepend([systemEntry(END_LINES[why], why === 'start' ? STYLE.system : STYLE.warn)], this.host.page().width);
  }

  private unmark(log: MessageLog): void {
    if (this.loadingLine !== undefined) log.dropFirst(this.loadingLine);
    this.loadingLine = undefined;
  }
}

/** A line of an older page, styled as history. */
function entryOf(e: Extract<ClientEvent, { type: 'older' }>['entries'][number]): LogEntry {
  if (e.type === 'message') return e.action === true ? actionEntry(e) : messageEntry({ ...e, mention: false });
  return systemEntry(presenceText(e.nick, e.action, e.reason), STYLE.history, e.time);
}
