/**
 * The full-screen client's behaviour: keys into the input line, submitted lines into messages or
 * local commands, session events (via SessionFeed) into the log; the mode (chatting, or choosing
 * another nickname after a refused one) and leaving. It holds no protocol logic: everything goes
 * through the ChatSession.
 */
import type { SessionOutcome } from '../client/session-outcome.js';
import type { ChatSession, ClientEvent } from '../client/session-types.js';
import { escapeForTerminal } from '../client/presentation.js';
import { ChatScreen, type StatusView, type ViewModel } from './chat-screen.js';
import { HELP_LINES, parseInput, unknownCommandHint } from './commands.js';
import { complete, type CompletionState } from './completion.js';
import { InputLine, cleanDraftText } from './input-line.js';
import { JoinRetry } from './join-retry.js';
import { applyEditKey, TextAssembler, type KeyInfo } from './keys.js';
import { STYLE, plainEntry, systemEntry } from './log-format.js';
import { MessageLog, type LogEntry } from './message-log.js';
import { PasteInput } from './paste-input.js';
import { QuitGuard } from './quit-guard.js';
import { SessionFeed } from './session-feed.js';
import { SliceSender } from './slice-sender.js';
import { statusLabel } from './status.js';
import { joinFailureKind } from '../client/join-failure.js';
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
/** A paste above either bound asks before it can be sent by accident (as WeeChat does). */
const PASTE_CONFIRM_LINES = 10;
const PASTE_CONFIRM_CHARS = 4096;

/** A large paste just inserted, and the draft as it was before it (to cancel). */
interface PendingPaste {
  readonly before: string;
  readonly cursor: number;
  readonly lines: number;
  readonly chars: number;
}

export class TuiApp {
  private readonly log = new MessageLog();
  private readonly chatLine = new InputLine();
  private readonly nickLine = new InputLine();
  private readonly model: ViewModel;
  private readonly view: ChatScreen;
  private readonly text = new TextAssembler();
  private readonly feed: SessionFeed;
  private readonly retry: JoinRetry;
  private readonly paste: PasteInput;
  private readonly quitGuard: QuitGuard;
  private readonly sender: SliceSender;
  private pendingPaste: PendingPaste | undefined;
  private mode: 'chat' | 'nick' = 'chat';
  /** Joined at least once (the status says "reconnecting" only then). */
  private everOnline = false;
  /** Redraws countdowns (joining, retrying) once a second while not online. */
  private readonly ticker: NodeJS.Timeout;
  private completion: CompletionState | undefined;
  private closedReason: string | undefined;
  private quitting = false;
  private finished = false;
  private resolveDone!: (outcome: SessionOutcome) => void;
  /** Resolves with how the session ended, once the terminal is restored. */
  readonly done: Promise<SessionOutcome>;
  private readonly onEvent = (e: ClientEvent): void => this.sessionOnEvent(e);

  /** Keys the app handles itself (the rest edit the input line or insert text). */
  private readonly keys: Record<string, () => void> = {
    'C-c': () => this.requestQuit(),
    'C-d': () => (this.line.text === '' ? this.requestQuit() : this.line.deleteForward()),
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
    this.paste = new PasteInput(options.input as ConstructorParameters<typeof PasteInput>[0], (text, truncated) => this.screenOnPaste(text, truncated));
    const keyInput = this.paste.keys as unknown as NodeJS.ReadableStream;
    const screenOptions = { input: keyInput, output: options.output, terminal: options.terminal };
    this.view = new ChatScreen(this.model, options.mouse
      ? { ...screenOptions, onWheel: (rows: number) => this.scroll(rows) }
      : screenOptions);
    this.feed = new SessionFeed(session, this.feedHost(), options.bell);
    this.sender = new SliceSender((part) => this.sayPart(part), () => this.quitGuard.check());
    this.quitGuard = new QuitGuard({
      unsent: () => this.session.pending + this.sender.queued,
      proceed: () => void this.quit(),
      changed: () => this.refresh(),
      expired: (n) => this.system(`${n} message${n === 1 ? '' : 's'} still not delivered. /q or Ctrl-C again quits and discards ${n === 1 ? 'it' : 'them'}.`, STYLE.warn),
    });
    this.retry = new JoinRetry(() => {
      if (this.quitting) return;
      this.session.join();
      this.refresh();
    });
    this.view.screen.on('keypress', (ch: string | undefined, key: KeyInfo | undefined) => this.screenOnKeypress(ch, key ?? {}));
    session.on('event', this.onEvent);
    this.everOnline = session.state === 'online';
    this.ticker = setInterval(() => {
      if (this.session.state !== 'online') this.refresh();
    }, 1000);
    const what = session.state === 'online' ? 'Connected to' : 'Connecting to';
    this.system(`${what} ${escapeForTerminal(session.server)} as ${escapeForTerminal(session.nick)}. Type /help for help.`);
    this.refresh();
  }

  /**
   * /q, Ctrl-C, Ctrl-D: quits, unless messages are still undelivered; then it asks first (a second
   * request quits and discards them) and waits for them, quitting once they are delivered.
   */
  requestQuit(): void {
    if (this.quitting) return;
    if (this.quitGuard.request(Date.now())) void this.quit();
    else this.system(this.quitGuard.notice(), STYLE.warn);
  }

  /** Leaves politely (bounded), restores the terminal and resolves `done`. Asks nothing. */
  async quit(): Promise<void> {
    if (this.quitting) return;
    this.quitting = true;
    this.quitGuard.stop();
    this.sender.stop();
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
    clearInterval(this.ticker);
    this.retry.stop();
    this.quitGuard.stop();
    this.sender.stop();
    this.view.destroy();
    this.paste.detach();
    const unsent = this.session.pending + this.sender.queued;
    this.resolveDone(this.closedReason !== undefined ? 'cut-off' : unsent > 0 ? 'undelivered' : 'left');
  }

  private get line(): InputLine {
    return this.mode === 'nick' ? this.nickLine : this.chatLine;
  }

  private sessionOnEvent(e: ClientEvent): void {
    if (this.finished) return;
    try {
      this.feed.handle(e);
      if (e.type === 'delivered' || e.type === 'refused') this.quitGuard.check();
    } catch (err) {
      this.system(`Internal error: ${escapeForTerminal(String(err))}`, STYLE.error);
    }
    this.refresh();
  }

  /** A whole paste (bracketed): one insert, one redraw; a large one asks before it is sent. */
  private screenOnPaste(text: string, truncated: boolean): void {
    if (this.finished || this.quitting) return;
    const clean = cleanDraftText(text);
    if (this.mode === 'nick') {
      this.nickLine.insert(clean.replace(/[\n\t]/gu, ' '));
      this.refresh(true);
      return;
    }
    this.completion = undefined;
    const before = { before: this.chatLine.text, cursor: this.chatLine.cursor };
    this.chatLine.insert(clean);
    let lines = 1;
    for (let i = clean.indexOf('\n'); i >= 0; i = clean.indexOf('\n', i + 1)) lines++;
    if (lines > PASTE_CONFIRM_LINES || clean.length > PASTE_CONFIRM_CHARS) {
      this.pendingPaste = { ...before, lines, chars: clean.length };
    }
    if (truncated) this.system(`The paste was cut to its first ${clean.length} characters.`, STYLE.warn);
    this.refresh(true);
  }

  /** Keys while a large paste waits: Enter sends, Ctrl-C or Escape cancels, others edit. */
  private pasteKey(name: string): boolean {
    const paste = this.pendingPaste;
    if (paste === undefined) return false;
    this.pendingPaste = undefined;
    if (name === 'C-c' || name === 'escape') {
      this.chatLine.set(paste.before, paste.cursor);
      this.system('Paste cancelled.');
      return true;
    }
    return false;
  }

  private screenOnKeypress(ch: string | undefined, key: KeyInfo): void {
    if (this.finished) return;
    try {
      this.handleKey(ch, key);
    } catch (err) {
      this.system(`Internal error: ${escapeForTerminal(String(err))}`, STYLE.error);
    }
    this.refresh(true);
  }

  private feedHost(): ConstructorParameters<typeof SessionFeed>[1] {
    return {
      add: (entry) => this.add(entry),
      remove: (entry) => this.log.remove(entry, this.view.logPage.width),
      bell: () => this.view.bell(),
      joined: (nick, rejoined) => {
        this.everOnline = true;
        this.retry.stop();
        this.setMode('chat');
        this.system(`${rejoined ? 'Reconnected' : 'Joined'} as ${escapeForTerminal(nick)}.`, STYLE.good);
      },
      joinFailed: (e) => this.joinFailed(e),
      closed: (reason) => {
        if (this.quitting) return;
        this.closedReason = reason;
        this.retry.stop();
        this.system(`Disconnected: ${escapeForTerminal(reason)}. Type /quit to exit.`, STYLE.error);
      },
    };
  }

  private joinFailed(e: Extract<ClientEvent, { type: 'join-failed' }>): void {
    const reason = e.reason;
    if (joinFailureKind(e.code) === 'nick') {
      this.retry.stop();
      this.system(`Cannot join as ${escapeForTerminal(this.session.nick)}: ${escapeForTerminal(reason)}.`, STYLE.error);
      this.system('Type another nickname and press Enter (or /quit).', STYLE.warn);
      this.setMode('nick');
      this.nickLine.set(this.session.nick);
      return;
    }
    if (this.quitting) return;
    const delay = this.retry.schedule();
    const why = e.portUnreachable === true
      ? `nothing is listening at ${escapeForTerminal(this.session.server)} (is udp-chat serve running there?)`
      : escapeForTerminal(reason);
    this.system(`Cannot join: ${why}. Retrying in ${Math.round(delay / 1000)} s…`, STYLE.warn);
  }

  private handleKey(ch: string | undefined, key: KeyInfo): void {
    const name = key.full ?? key.name ?? '';
    if (this.quitting) {
      if (name === 'C-c') this.finish();
      return;
    }
    if (name !== 'return' && this.pasteKey(name)) return;
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
        this.requestQuit();
        return;
      case 'help':
        for (const l of HELP_LINES) this.add(plainEntry(l, STYLE.system));
        this.log.scrollToBottom();
        return;
      case 'clear':
        this.log.clear();
        this.feed.reset();
        return;
      case 'whois':
        this.session.whois(action.nick);
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
    this.log.scrollToBottom();
    this.sender.send(text);
  }

  /** One part of what was said (the sender splits long text over several turns of the loop). */
  private sayPart(text: string): boolean {
    try {
      this.session.say(text);
      return true;
    } catch (err) {
      this.system(`Not sent: ${escapeForTerminal(err instanceof Error ? err.message : String(err))}`, STYLE.error);
      return false;
    }
  }

  private submitNick(nick: string): void {
    if (parseInput(nick).kind === 'quit') {
      this.requestQuit();
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
    const now = Date.now();
    const label = statusLabel({
      state: s.state, quitting: this.quitting, choosingNick: this.mode === 'nick', everOnline: this.everOnline,
      retryAt: this.retry?.nextAt, joinDeadline: s.joinDeadline, now,
    });
    const paste = this.pendingPaste;
    const prompt = this.quitGuard?.prompt(now) ?? (paste === undefined ? undefined
      : `Paste of ${paste.lines} line${paste.lines === 1 ? '' : 's'}, ${paste.chars} characters: Enter sends it as one message, Ctrl-C cancels the paste`);
    return {
      server: s.server, state: label.text, stateStyle: label.style, rttMs: s.rttMs, nick: s.nick,
      pending: s.pending + (this.sender?.queued ?? 0), prompt, offline: s.state !== 'online',
    };
  }

  /** Updates the view model and queues a frame (on the next tick when `urgent`: a key press). */
  private refresh(urgent = false): void {
    if (this.finished) return;
    this.model.peers = this.session.peers;
    this.model.status = this.status();
    this.view.render(urgent);
  }
}
