/**
 * Session events as the user sees them: log lines (messages, presence, history markers, state
 * changes, refusals, notices), the bell on a mention; what changes the UI's mode (joined, a
 * refused join, the end of the session) goes to the host.
 */
import type { ChatSession, ClientEvent, ConnectionState } from '../client/session-types.js';
import type { ErrorCode } from '../protocol/error-codes.js';
import { escapeForTerminal } from '../client/display-text.js';
import {
  HISTORY_END, HISTORY_START, STYLE, mentions, messageEntry, plainEntry, presenceText, systemEntry,
} from './log-format.js';
import type { LogEntry } from './message-log.js';
import { truncate } from './text-width.js';

export interface FeedHost {
  add(entry: LogEntry): void;
  bell(): void;
  joined(nick: string, rejoined: boolean): void;
  joinFailed(code: ErrorCode, reason: string): void;
  closed(reason: string): void;
}

export class SessionFeed {
  private lastWasHistory = false;
  private lastState: ConnectionState;
  /** Type of the previous event: a notice right before "reconnecting" already explained it. */
  private previous: ClientEvent['type'] | undefined;

  constructor(
    private readonly session: ChatSession,
    private readonly host: FeedHost,
    private readonly bell: boolean,
  ) {
    this.lastState = session.state;
  }

  /** After /clear: the next history entry gets its header again. */
  reset(): void {
    this.lastWasHistory = false;
  }

  handle(e: ClientEvent): void {
    const previous = this.previous;
    this.previous = e.type;
    switch (e.type) {
      case 'message':
        this.message(e);
        break;
      case 'presence':
        this.historyMarker(e.history);
        this.host.add(systemEntry(presenceText(e.nick, e.action, e.reason), e.history ? STYLE.history : STYLE.system, e.time));
        break;
      case 'state':
        if (e.state === 'reconnecting' && this.lastState !== 'reconnecting' && previous !== 'notice') {
          this.system('Lost the server; reconnecting…', STYLE.warn);
        }
        this.lastState = e.state;
        break;
      case 'refused':
        this.system(`Not sent (${escapeForTerminal(e.reason)}): ${truncate(escapeForTerminal(e.text), 60)}`, STYLE.error);
        break;
      case 'notice':
        this.system(escapeForTerminal(e.text), STYLE.warn);
        break;
      case 'joined':
        this.host.joined(e.nick, e.rejoined);
        break;
      case 'join-failed':
        this.host.joinFailed(e.code, e.reason);
        break;
      case 'closed':
        this.host.closed(e.reason);
        break;
      case 'roster':
      case 'delivered':
        break; // shown from the session's fields on the next render
    }
  }

  private message(e: ClientEvent & { type: 'message' }): void {
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
