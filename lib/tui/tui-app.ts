/**
 * The full-screen client's behaviour: session events into the log, peer list and status line;
 * keys into the input line; submitted lines into messages or local commands. It holds no
 * protocol logic: everything goes through the ChatSession.
 */
import type { ChatSession, ClientEvent, ConnectionState } from '../client/session-types.js';
import type { ErrorCode } from '../protocol/error-codes.js';
import { escapeForTerminal } from '../client/display-text.js';
import { ChatScreen, type StatusView, type ViewModel } from './chat-screen.js';
import { HELP_LINES, parseInput, unknownCommandHint } from './commands.js';
import { complete, type CompletionState } from './completion.js';
import { InputLine } from './input-line.js';
import { applyEditKey, TextAssembler, type KeyInfo } from './keys.js';
import {
  HISTORY_END, HISTORY_START, STYLE, mentions, messageEntry, plainEntry, presenceText, systemEntry,
} from './log-format.js';
import { MessageLog, type LogEntry } from './message-log.js';
import { CHOOSE_NICK, LEAVING, RETRYING, joinFailure, stateLabel } from './status.js';
import { truncate } from './text-width.js';
import type { Style } from './styled-text.js';

export interface TuiAppOptions {
  bell: boolean;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  terminal: string;
  mouse: boolean;
  /** Bound on waiting for session.leave() before restoring the terminal anyway. */
  leaveTimeoutMs: number;
}

const CHAT_PROMPT = '> ';
const NICK_PROMPT = 'nick> ';
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 15000;

export class TuiApp {
  private readonly log = new MessageLog();
  private readonly chatLine = new InputLine();
  private readonly nickLine = new InputLine();
  private readonly model: ViewModel;
  private readonly view: ChatScreen;
  private readonly text = new TextAssembler();
  private mode: 'chat' | 'nick' = 'chat';
  private completion: CompletionState | undefined;
  private lastWasHistory = false;
  private lastState: ConnectionState;
  private closedReason: string | undefined;
  private quitting = false;
  private finished = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay = RETRY_MIN_MS;
  private retrying = false;
  private resolveDone!: (code: number) => void;
  readonly done: Promise<number>;
  private readonly onEvent = (e: ClientEvent): void => this.handleEvent(e);

  constructor(private readonly session: ChatSession, private readonly options: TuiAppOptions) {
    this.done = new Promise((resolve) => { this.resolveDone = resolve; });
    this.lastState = session.state;
    this.model = {
      log: this.log,
      input: this.chatLine,
      prompt: CHAT_PROMPT,
      peers: session.peers,
      status: this.status(),
    };
    const screenOptions = { input: options.input, output: options.output, terminal: options.terminal };
    this.view = new ChatScreen(this.model, options.mouse
      ? { ...screenOptions, onWheel: (rows: number) => this.scroll(rows) }
      : screenOptions);
    this.view.screen.on('keypress', (ch: string | undefined, key: KeyInfo | undefined) => {
      try {
        this.handleKey(ch, key ?? {});
      } catch (err) {
        this.system(`Internal error: ${escapeForTerminal(String(err))}`, STYLE.error);
      }
      this.refresh();
    });
    session.on('event', this.onEvent);
    const what = session.state === 'online' ? 'Connected to' : 'Connecting to';
    this.system(`${what} ${escapeForTerminal(session.server)} as ${escapeForTerminal(session.nick)}. Type /help for help.`);
    this.refresh();
  }

  /** Leaves politely (bounded), restores the terminal and resolves `done`. */
  async quit(): Promise<void> {
    if (this.quitting) return;
    this.quitting = true;
    this.refresh();
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => { timer = setTimeout(resolve, this.options.leaveTimeoutMs); });
    try {
      await Promise.race([this.session.leave(), bound]);
    } catch {
      // Nothing to do: we are leaving anyway.
    } finally {
      clearTimeout(timer);
    }
    this.finish();
  }

  /** Restores the terminal now, without waiting for the session (second Ctrl-C). */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.quitting = true;
    this.session.off('event', this.onEvent);
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.view.destroy();
    this.resolveDone(this.closedReason === undefined ? 0 : 1);
  }

  // ---- session events ----

  private handleEvent(e: ClientEvent): void {
    if (this.finished) return;
    switch (e.type) {
      case 'joined':
        this.stopRetrying();
        this.setMode('chat');
        this.system(e.rejoined ? `Reconnected as ${escapeForTerminal(e.nick)}.` : `Joined as ${escapeForTerminal(e.nick)}.`, STYLE.good);
        break;
      case 'message': {
        this.historyMarker(e.history);
        const mention = !e.own && !e.history && mentions(e.text, this.session.nick);
        this.add(messageEntry({ ...e, mention }));
        if (mention && this.options.bell) this.view.bell();
        break;
      }
      case 'presence':
        this.historyMarker(e.history);
        this.add(systemEntry(presenceText(e.nick, e.action, e.reason), e.history ? STYLE.history : STYLE.system, e.time));
        break;
      case 'roster':
        break;
      case 'state':
        if (e.state === 'reconnecting' && this.lastState !== 'reconnecting') {
          this.system('Lost the server; reconnecting…', STYLE.warn);
        }
        this.lastState = e.state;
        break;
      case 'delivered':
        break;
      case 'refused':
        this.system(`Not sent (${escapeForTerminal(e.reason)}): ${truncate(escapeForTerminal(e.text), 60)}`, STYLE.error);
        break;
      case 'notice':
        this.system(escapeForTerminal(e.text), STYLE.warn);
        break;
      case 'join-failed':
        this.joinFailed(e.code, e.reason);
        break;
      case 'closed':
        if (!this.quitting) {
          this.closedReason = e.reason;
          this.stopRetrying();
          this.system(`Disconnected: ${escapeForTerminal(e.reason)}. Type /quit to exit.`, STYLE.error);
        }
        break;
    }
    this.refresh();
  }

  private joinFailed(code: ErrorCode, reason: string): void {
    const failure = joinFailure(code);
    if (failure === 'nick') {
      this.stopRetrying();
      this.system(`Cannot join as ${escapeForTerminal(this.session.nick)}: ${escapeForTerminal(reason)}.`, STYLE.error);
      this.system('Type another nickname and press Enter (or /quit).', STYLE.warn);
      this.setMode('nick');
      return;
    }
    const delay = this.retryDelay;
    this.retryDelay = Math.min(RETRY_MAX_MS, this.retryDelay * 2);
    this.retrying = true;
    this.system(`Cannot join: ${escapeForTerminal(reason)}. Retrying in ${Math.round(delay / 1000)} s…`, STYLE.warn);
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.finished || this.quitting) return;
      this.session.join();
      this.refresh();
    }, delay);
  }

  private stopRetrying(): void {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.retrying = false;
    this.retryDelay = RETRY_MIN_MS;
  }

  private historyMarker(history: boolean): void {
    if (history && !this.lastWasHistory) this.add(plainEntry(HISTORY_START, STYLE.history));
    if (!history && this.lastWasHistory) this.add(plainEntry(HISTORY_END, STYLE.history));
    this.lastWasHistory = history;
  }

  // ---- keys ----

  private handleKey(ch: string | undefined, key: KeyInfo): void {
    const name = key.full ?? key.name ?? '';
    if (this.quitting) {
      if (name === 'C-c') this.finish();
      return;
    }
    const line = this.mode === 'nick' ? this.nickLine : this.chatLine;
    if (name !== 'tab' && name !== 'S-tab') this.completion = undefined;
    switch (name) {
      case 'C-c':
        void this.quit();
        return;
      case 'C-d':
        if (line.text === '') void this.quit();
        else line.deleteForward();
        return;
      case 'enter':
      case 'linefeed':
        this.submit();
        return;
      case 'return':
        return; // blessed follows every "return" with an "enter"
      case 'up':
      case 'C-p':
        line.historyUp();
        return;
      case 'down':
      case 'C-n':
        line.historyDown();
        return;
      case 'tab':
      case 'S-tab':
        this.completeNick(line, name === 'S-tab');
        return;
      case 'pageup':
        this.scroll(-Math.max(1, this.view.logPage.height - 2));
        return;
      case 'pagedown':
        this.scroll(Math.max(1, this.view.logPage.height - 2));
        return;
      case 'C-l':
        this.view.redraw();
        return;
      case 'escape':
        return;
    }
    if (applyEditKey(line, key)) return;
    const text = this.text.push(ch, key);
    if (text !== '') line.insert(text);
  }

  private completeNick(line: InputLine, backwards: boolean): void {
    if (this.mode !== 'chat') return;
    const result = complete(line.text, line.cursor, this.session.peers, {
      ownNick: this.session.nick,
      previous: this.completion,
      backwards,
    });
    if (result === undefined) return;
    line.set(result.text, result.cursor);
    this.completion = result.state;
  }

  private scroll(rows: number): void {
    const page = this.view.logPage;
    if (rows < 0) this.log.scrollUp(-rows, page.width, page.height);
    else this.log.scrollDown(rows);
    this.refresh();
  }

  private submit(): void {
    if (this.mode === 'nick') {
      this.submitNick(this.nickLine.submit().trim());
      return;
    }
    const action = parseInput(this.chatLine.submit());
    switch (action.kind) {
      case 'none':
        return;
      case 'quit':
        void this.quit();
        return;
      case 'help':
        for (const l of HELP_LINES) this.add(plainEntry(l, STYLE.system));
        this.log.scrollToBottom();
        return;
      case 'clear':
        this.log.clear();
        this.lastWasHistory = false;
        return;
      case 'unknown':
        this.system(unknownCommandHint(action.command), STYLE.warn);
        return;
      case 'say':
        this.say(action.text);
        return;
    }
  }

  private say(text: string): void {
    if (this.closedReason !== undefined || this.session.state === 'closed') {
      this.system('Not sent: the session is closed. Type /quit to exit.', STYLE.error);
      return;
    }
    try {
      this.session.say(text);
      this.log.scrollToBottom();
    } catch (err) {
      this.system(`Not sent: ${escapeForTerminal(err instanceof Error ? err.message : String(err))}`, STYLE.error);
    }
  }

  private submitNick(nick: string): void {
    if (nick === '') {
      this.system('Type a nickname and press Enter (or /quit).', STYLE.warn);
      return;
    }
    const action = parseInput(nick);
    if (action.kind === 'quit') {
      void this.quit();
      return;
    }
    this.setMode('chat');
    this.system(`Joining as ${escapeForTerminal(nick)}…`);
    this.session.join(nick);
  }

  // ---- helpers ----

  private setMode(mode: 'chat' | 'nick'): void {
    this.mode = mode;
    this.model.prompt = mode === 'nick' ? NICK_PROMPT : CHAT_PROMPT;
    this.model.input = mode === 'nick' ? this.nickLine : this.chatLine;
  }

  private add(entry: LogEntry): void {
    this.log.add(entry, this.view.logPage.width);
  }

  private system(text: string, style: Style = STYLE.system): void {
    this.add(systemEntry(text, style));
  }

  private status(): StatusView {
    const s = this.session;
    const label = this.quitting ? LEAVING
      : this.mode === 'nick' ? CHOOSE_NICK
      : this.retrying ? RETRYING
      : stateLabel(s.state);
    return { server: s.server, state: label.text, stateStyle: label.style, rttMs: s.rttMs, nick: s.nick, pending: s.pending };
  }

  private refresh(): void {
    if (this.finished) return;
    this.model.peers = this.session.peers;
    this.model.status = this.status();
    this.view.render();
  }
}
