/**
 * The join as the full-screen client follows it: "Joined"/"Reconnected" lines, a refused nickname
 * (ask for another), a join that failed for a reason that may pass (say why, try again on a
 * backoff timer), the session cut off by the other side. Remembers whether the session was ever
 * online (the status says "reconnecting" only then) and why it was closed.
 */
import type { ChatSession, ClientEvent } from '../client/session-types.js';
import { escapeForTerminal } from '../client/presentation.js';
import { joinFailureKind } from '../client/join-failure.js';
import { JoinRetry } from './join-retry.js';
import { STYLE } from './log-format.js';
import type { Style } from './styled-text.js';

export interface JoinFlowHost {
  /** The user is leaving: no more retries or notices. */
  quitting(): boolean;
  system(text: string, style: Style): void;
  /** Back to chatting (the join went through). */
  chatMode(): void;
  /** Ask for another nickname, starting from the refused one. */
  nickMode(nick: string): void;
  refresh(): void;
}

export class JoinFlow {
  private online: boolean;
  private reason: string | undefined;
  private refusal: string | undefined;
  private readonly retry: JoinRetry;

  constructor(private readonly session: ChatSession, private readonly host: JoinFlowHost) {
    this.online = session.state === 'online';
    this.retry = new JoinRetry(() => {
      if (this.host.quitting()) return;
      this.session.join();
      this.host.refresh();
    });
  }

  /** Joined at least once. */
  get everOnline(): boolean {
    return this.online;
  }

  /** Why the other side closed the session (undefined while it has not). */
  get closedReason(): string | undefined {
    return this.reason;
  }

  /** Why the join was refused for good (another server key, a wrong passphrase); undefined while it was not. */
  get refusedReason(): string | undefined {
    return this.refusal;
  }

  /** When the next attempt to join starts (undefined when none is scheduled). */
  get retryAt(): number | undefined {
    return this.retry.nextAt;
  }

  joined(nick: string, rejoined: boolean): void {
    this.online = true;
    this.retry.stop();
    this.host.chatMode();
    this.host.system(`${rejoined ? 'Reconnected' : 'Joined'} as ${escapeForTerminal(nick)}.`, STYLE.good);
  }

  joinFailed(e: Extract<ClientEvent, { type: 'join-failed' }>): void {
    const reason = e.reason;
    if (joinFailureKind(e.code) === 'nick') {
      this.retry.stop();
      this.host.system(`Cannot join as ${escapeForTerminal(this.session.nick)}: ${escapeForTerminal(reason)}.`, STYLE.error);
      this.host.system('Type another nickname and press Enter (or /quit).', STYLE.warn);
      this.host.nickMode(this.session.nick);
      return;
    }
    if (this.host.quitting()) return;
    if (joinFailureKind(e.code) === 'final') {
      // Trying again cannot help (another server key, a wrong passphrase): say so once and stop.
      this.retry.stop();
      this.refusal = reason;
      this.host.system(`Cannot join: ${escapeForTerminal(reason)}.`, STYLE.error);
      this.host.system('Type /quit to exit (and join again with the right key or passphrase).', STYLE.warn);
      return;
    }
    const delay = this.retry.schedule();
    const why = e.portUnreachable === true
      ? `nothing is listening at ${escapeForTerminal(this.session.server)} (is udp-chat serve running there?)`
      : escapeForTerminal(reason);
    this.host.system(`Cannot join: ${why}. Retrying in ${Math.round(delay / 1000)} s…`, STYLE.warn);
  }

  closed(reason: string): void {
    if (this.host.quitting()) return;
    this.reason = reason;
    this.retry.stop();
    this.host.system(`Disconnected: ${escapeForTerminal(reason)}. Type /quit to exit.`, STYLE.error);
  }

  /** No more retries (leaving). */
  stop(): void {
    this.retry.stop();
  }
}
