/**
 * The full-screen client's behaviour: keys into the input line, submitted lines into messages or
 * local commands, session events (via SessionFeed) into the log; the mode (chatting, or choosing
 * another nickname after a refused one) and leaving. It holds no protocol logic: everything goes
 * through the ChatSession.
 */
import type { ChatSession, ClientEvent } from '../client/session-types.js';
import type { ErrorCode } from '../protocol/error-codes.js';
import { escapeForTerminal } from '../client/display-text.js';
import { ChatScreen, type StatusView, type ViewModel } from './chat-screen.js';
import { HELP_LINES, parseInput, unknownCommandHint } from './commands.js';
import { complete, type CompletionState } from './completion.js';
import { InputLine } from './input-line.js';
import { JoinRetry } from './join-retry.js';
import { applyEditKey, TextAssembler, type KeyInfo } from './keys.js';
import { STYLE, plainEntry, systemEntry } from './log-format.js';
import { MessageLog, type LogEntry } from './message-log.js';
import { SessionFeed } from './session-feed.js';
import { CHOOSE_NICK, LEAVING, RETRYING, joinFailure, stateLabel } from './status.js';
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

export class TuiApp {
  private readonly log = new MessageLog();
  private readonly chatLine = new InputLine();
  private readonly nickLine = new InputLine();
  private readonly model: ViewModel;
  private readonly view: ChatScreen;
  private readonly text = new TextAssembler();
  private readonly feed: SessionFeed;
  private readonly retry: JoinRetry;
  private mode: 'chat' | 'nick' = 'chat';
  private completion: CompletionState | undefined;
  private closedReason: string | undefined;
  private quitting = false;
  private finished = false;
  private resolveDone!: (code: number) => void;
  /** Resolves with the exit code once the terminal is restored. */
  readonly done: Promise<number>;
  private readonly onEvent = (e: ClientEvent): void => this.sessionOnEvent(e);

  /** Keys the app handles itself (the rest edit the input line or insert text). */
  private readonly keys: Record<string, () => void> = {
    'C-c': () => void this.quit(),
    'C-d': () => (this.line.text === '' ? void this.quit() : this.line.deleteForward()),
    enter: () => this.submit(),
    linefeed: () => this.submit(),
    return: () => undefined, // blessed follows every "return" with an "enter"
    escape: () => undefined,
    up: () => this.line.historyUp(),
    'C-p': () => this.line.historyUp(),
    down: () => this.line.historyDown(),
    'C-n': () => this.line.historyDown(),
    tab: () => this.completeNick(false),
    'S-tab': () => this.completeNick(true),
    pageup: () => this.scroll(-this.pageRows()),
    pagedown: () => this.scroll(this.pageRows()),
    'C-l': () => this.view.redraw(),
  };

  constructor(private readonly session: ChatSession, private readonly options: TuiAppOptions) {
    this.done = new Promise((resolve) => { this.resolveDone = resolve; });
    this.model = { log: this.log, input: this.chatLine, prompt: CHAT_PROMPT, peers: session.peers, status: this.status() };
    const screenOptions = { input: options.input, output: options.output, terminal: options.terminal };
    this.view = new ChatScreen(this.model, options.mouse
      ? { ...screenOptions, onWheel: (rows: number) => this.scroll(rows) }
      : screenOptions);
    this.feed = new SessionFeed(session, this.feedHost(), options.bell);
    this.retry = new JoinRetry(() => {
      if (this.quitting) return;
      this.session.join();
      this.refresh();
    });
    this.view.screen.on('keypress', (ch: string | undefined, key: KeyInfo | undefined) => this.screenOnKeypress(ch, key ?? {}));
    session.on('event', this.onEvent);
    const what = session.state === 'online' ? 'Connected to' : 'Connecting to';
    this.system(`${what} ${escapeForTerminal(session.server)} as ${escapeForTerminal(session.nick)}. Type /help for help.`);
    this.refresh();
  }

  /** Leaves politely (bounded), restores the terminal and resolves `done`. */
  async quit(): Promise<void> {
    if (this.quitting) return;
    this.quitting = true;
    this.retry.stop();
    this.refresh();
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => { timer = setTimeout(resolve, this.options.leaveTimeoutMs); });
    try {
      await Promise.race([this.session.leave(), bound]);
    } catch {
      // We are leaving anyway; the terminal must be restored whatever leave() did.
    } finally {
      clearTimeout(timer);
    }
    this.finish();
  }

  /** Restores the terminal now, without waiting for the session (a second Ctrl-C). Idempotent. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.quitting = true;
    this.session.off('event', this.onEvent);
    this.retry.stop();
    this.view.destroy();
    this.resolveDone(this.closedReason === undefined ? 0 : 1);
  }

  private get line(): InputLine {
    return this.mode === 'nick' ? this.nickLine : this.chatLine;
  }

  private sessionOnEvent(e: ClientEvent): void {
    if (this.finished) return;
    try {
      this.feed.handle(e);
    } catch (err) {
      this.system(`Internal error: ${escapeForTerminal(String(err))}`, STYLE.error);
    }
    this.refresh();
  }

  private screenOnKeypress(ch: string | undefined, key: KeyInfo): void {
    if (this.finished) return;
    try {
      this.handleKey(ch, key);
    } catch (err) {
      this.system(`Internal error: ${escapeForTerminal(String(err))}`, STYLE.error);
    }
    this.refresh();
  }

  private feedHost(): ConstructorParameters<typeof SessionFeed>[1] {
    return {
      add: (entry) => this.add(entry),
      bell: () => this.view.bell(),
      joined: (nick, rejoined) => {
        this.retry.stop();
        this.setMode('chat');
        this.system(`${rejoined ? 'Reconnected' : 'Joined'} as ${escapeForTerminal(nick)}.`, STYLE.good);
      },
      joinFailed: (code, reason) => this.joinFailed(code, reason),
      closed: (reason) => {
        if (this.quitting) return;
        this.closedReason = reason;
        this.retry.stop();
        this.system(`Disconnected: ${escapeForTerminal(reason)}. Type /quit to exit.`, STYLE.error);
      },
    };
  }

  private joinFailed(code: ErrorCode, reason: string): void {
    if (joinFailure(code) === 'nick') {
      this.retry.stop();
      this.system(`Cannot join as ${escapeForTerminal(this.session.nick)}: ${escapeForTerminal(reason)}.`, STYLE.error);
      this.system('Type another nickname and press Enter (or /quit).', STYLE.warn);
      this.setMode('nick');
      this.nickLine.set(this.session.nick);
      return;
    }
    if (this.quitting) return;
    const delay = this.retry.schedule();
    this.system(`Cannot join: ${escapeForTerminal(reason)}. Retrying in ${Math.round(delay / 1000)} s…`, STYLE.warn);
  }

  private handleKey(ch: string | undefined, key: KeyInfo): void {
    const name = key.full ?? key.name ?? '';
    if (this.quitting) {
      if (name === 'C-c') this.finish();
      return;
    }
    if (name !== 'tab' && name !== 'S-tab') this.completion = undefined;
    const action = Object.hasOwn(this.keys, name) ? this.keys[name] : undefined;
    if (action !== undefined) {
      action();
      return;
    }
    if (applyEditKey(this.line, key)) return;
    const text = this.text.push(ch, key);
    if (text !== '') this.line.insert(text);
  }

  private completeNick(backwards: boolean): void {
    if (this.mode !== 'chat') return;
    const line = this.chatLine;
    const result = complete(line.text, line.cursor, this.session.peers, {
      ownNick: this.session.nick,
      previous: this.completion,
      backwards,
    });
    if (result === undefined) return;
    line.set(result.text, result.cursor);
    this.completion = result.state;
  }

  private pageRows(): number {
    return Math.max(1, this.view.logPage.height - 2);
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
        this.feed.reset();
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
    if (parseInput(nick).kind === 'quit') {
      void this.quit();
      return;
    }
    if (nick === '') {
      this.system('Type a nickname and press Enter (or /quit).', STYLE.warn);
      return;
    }
    this.setMode('chat');
    this.system(`Joining as ${escapeForTerminal(nick)}…`);
    this.session.join(nick);
  }

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
      : this.retry?.active === true && s.state !== 'online' ? RETRYING
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
