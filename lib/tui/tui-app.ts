/**
 * The full-screen client's behaviour: keys (via InputController) into the input line, submitted
 * lines into messages or local commands, session events (via SessionFeed) into the log, the mode
 * (chatting, or choosing another nickname after a refused one) and leaving. It holds no protocol
 * logic: everything goes through the ChatSession.
 */
import type { SessionOutcome } from '../client/session-outcome.js';
import type { ClientEvent } from '../client/session-types.js';
import { escapeForTerminal } from '../client/presentation.js';
import { parseCommand } from '../client/commands.js';
import { LOBBY_ID, LOBBY_NAME, type RoomEvent, type RoomsSession } from '../client/rooms-api.js';
import { sameRoom } from '../protocol/nick.js';
import { BufferList, ChatBuffer } from './buffers.js';
import { bufferTitle } from './buffer-list.js';
import { ChatScreen, type ViewModel } from './chat-screen.js';
import { KEY_HELP, helpIndent } from './commands.js';
import { InputController, type InputHost } from './input-controller.js';
import { JoinFlow } from './join-flow.js';
import type { KeyInfo } from './keys.js';
import { STYLE, plainEntry, systemEntry } from './log-format.js';
import type { LogEntry, MessageLog } from './message-log.js';
import { OlderHistory } from './older-history.js';
import { PasteInput } from './paste-input.js';
import { QuitGuard } from './quit-guard.js';
import { SessionFeed } from './session-feed.js';
import { SliceSender } from './slice-sender.js';
import { fitting, statusView } from './status.js';
import { StreamFeed } from './stream-feed.js';
import { TuiCommands } from './tui-commands.js';
import type { Style } from './styled-text.js';

export interface TuiAppOptions {
  bell: boolean;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  terminal: string;
  mouse: boolean;
  /** Bound on waiting for session.leave() before restoring the terminal anyway. */
  leaveTimeoutMs: number;
  /** Rooms named by `join --room`: the first (other than #lobby) is shown when it opens. */
  rooms?: readonly string[];
}

export class TuiApp {
  /** One buffer per room and private conversation; #lobby first. */
  private readonly buffers = new BufferList(new ChatBuffer(LOBBY_ID, 'room', LOBBY_NAME));
  private readonly commands: TuiCommands;
  private readonly streams: StreamFeed;
  private readonly input: InputController;
  private readonly model: ViewModel;
  private readonly view: ChatScreen;
  private readonly feed: SessionFeed;
  /** PageUp at the oldest line of #lobby loads older history (older-history.ts). */
  private readonly olderHistory: OlderHistory;
  private readonly joins: JoinFlow;
  private readonly paste: PasteInput;
  private readonly quitGuard: QuitGuard;
  private readonly sender: SliceSender;
  /** Redraws countdowns (joining, retrying) once a second while not online. */
  private readonly ticker: NodeJS.Timeout;
  private quitting = false;
  private finished = false;
  private resolveDone!: (outcome: SessionOutcome) => void;
  /** Resolves with how the session ended, once the terminal is restored. */
  readonly done: Promise<SessionOutcome>;
  private readonly onEvent = (e: ClientEvent): void => this.sessionOnEvent(e);
  private readonly onRoom = (e: RoomEvent): void => this.sessionOnRoom(e);

  constructor(private readonly session: RoomsSession, private readonly options: TuiAppOptions) {
    this.done = new Promise((resolve) => { this.resolveDone = resolve; });
    this.input = new InputController(this.inputHost());
    this.sender = new SliceSender((part) => this.sayPart(part), () => this.quitGuard.check());
    this.quitGuard = new QuitGuard({
      unsent: () => this.session.pending + this.sender.queued,
      proceed: () => void this.quit(),
      changed: () => this.refresh(),
      expired: (n) => this.system(`${n} message${n === 1 ? '' : 's'} still not delivered. /q or Ctrl-C again quits and discards ${n === 1 ? 'it' : 'them'}.`, STYLE.warn),
    });
    this.joins = new JoinFlow(session, {
      quitting: () => this.quitting,
      system: (text, style) => this.system(text, style),
      chatMode: () => this.input.setMode('chat'),
      nickMode: (nick) => this.input.setMode('nick', nick),
      refresh: () => this.refresh(),
    });
    this.model = { log: this.buffers.active.log, input: this.input.line, prompt: this.input.prompt, peers: session.peers, status: this.status() };
    this.paste = new PasteInput(options.input as ConstructorParameters<typeof PasteInput>[0], (text, truncated) => this.screenOnPaste(text, truncated));
    const keyInput = this.paste.keys as unknown as NodeJS.ReadableStream;
    const screenOptions = { input: keyInput, output: options.output, terminal: options.terminal, beforeFrame: () => this.updateModel() };
    this.view = new ChatScreen(this.model, options.mouse
      ? { ...screenOptions, onWheel: (rows: number) => this.scroll(rows) }
      : screenOptions);
    this.olderHistory = new OlderHistory(session, {
      lobbyLog: () => (this.buffers.get(LOBBY_ID) ?? this.buffers.active).log,
      notice: (text) => this.system(text, STYLE.warn),
      // Older lines are shown by scrolling up: one row is the "scrolled up" hint then.
      page: () => ({ width: this.view.logPage.width, height: this.view.logPage.height - 1 }),
    });
    this.feed = new SessionFeed(session, this.feedHost(), options.bell);
    this.commands = new TuiCommands(session, {
      buffers: this.buffers,
      system: (text, style) => this.system(text, style),
      help: (line) => this.add({ ...plainEntry(line, STYLE.system), indent: helpIndent(line, this.view.logPage.width) }),
      sayInLobby: (text) => this.say(text),
      requestQuit: () => this.requestQuit(),
      clear: () => {
        this.buffers.active.clear();
        this.feed.reset(this.buffers.active.id);
      },
      keyHelp: KEY_HELP,
    });
    const first = (options.rooms ?? []).find((r) => !sameRoom(r, LOBBY_NAME));
    if (first !== undefined) this.commands.expect(first);
    this.streams = new StreamFeed({
      buffers: this.buffers,
      width: () => this.view.logPage.width,
      system: (text, style) => this.system(text, style),
      renamed: (from, to) => this.commands.renamed(from, to),
      wanted: (stream) => this.commands.wanted(stream),
    });
    this.view.screen.on('keypress', (ch: string | undefined, key: KeyInfo | undefined) => this.screenOnKeypress(ch, key ?? {}));
    session.on('event', this.onEvent);
    session.on('room', this.onRoom);
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
    this.joins.stop();
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
    this.session.off('room', this.onRoom);
    clearInterval(this.ticker);
    this.joins.stop();
    this.quitGuard.stop();
    this.sender.stop();
    this.view.destroy();
    this.paste.detach();
    const unsent = this.session.pending + this.sender.queued;
    this.resolveDone(this.joins.refusedReason !== undefined ? 'refused' : this.joins.closedReason !== undefined ? 'cut-off' : unsent > 0 ? 'undelivered' : 'left');
  }

  private inputHost(): InputHost {
    const session = this.session;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the getters below read the buffer shown
    const app = this;
    return {
      requestQuit: () => this.requestQuit(),
      submitChat: (line) => this.submit(line),
      switchBuffer: (to) => this.switchBuffer(to),
      submitNick: (nick) => this.submitNick(nick),
      scroll: (rows) => this.scroll(rows),
      pageRows: () => Math.max(1, this.view.logPage.height - 2),
      // While scrolled up the last row of the log is the "scrolled up" hint (chat-screen.ts).
      olderWanted: () => this.olderHistory.wants(this.log) && this.log.atTop(this.view.logPage.width, this.view.logPage.height - (this.log.scrolledUp ? 1 : 0)),
      loadOlder: () => this.olderHistory.request(),
      redraw: () => this.view.redraw(),
      system: (text, style) => this.system(text, style),
      get peers() { return app.peers(); },
      get nick() { return session.nick; },
    };
  }

  private sessionOnRoom(e: RoomEvent): void {
    if (this.finished) return;
    try {
      this.streams.handle(e);
    } catch (err) {
      this.system(`Internal error: ${escapeForTerminal(String(err))}`, STYLE.error);
    }
    this.refresh();
  }

  /** Alt-1…9 (a number), Alt-←/→ and Ctrl-PgUp/PgDn ('prev'/'next'). */
  private switchBuffer(to: number | 'next' | 'prev'): void {
    if (typeof to === 'number') this.buffers.select(to);
    else this.buffers.cycle(to === 'next' ? 1 : -1);
    this.refresh(true);
  }

  /** The members of the buffer shown (#lobby on a server without rooms: the session's peers). */
  private peers(): readonly string[] {
    const active = this.buffers.active;
    return active.id === LOBBY_ID && active.members.length === 0 ? this.session.peers : active.nicks;
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

  /** A whole paste (bracketed): one insert, one redraw. */
  private screenOnPaste(text: string, truncated: boolean): void {
    if (this.finished || this.quitting) return;
    this.input.pasted(text, truncated);
    this.refresh(true);
  }

  private screenOnKeypress(ch: string | undefined, key: KeyInfo): void {
    if (this.finished) return;
    try {
      if (!this.quitting) this.input.key(ch, key);
      else if ((key.full ?? key.name) === 'C-c') this.finish();
    } catch (err) {
      this.system(`Internal error: ${escapeForTerminal(String(err))}`, STYLE.error);
    }
    this.refresh(true);
  }

  private feedHost(): ConstructorParameters<typeof SessionFeed>[1] {
    return {
      add: (entry, roomId, highlight) => this.add(entry, roomId, highlight),
      remove: (entry) => {
        for (const b of this.buffers.all) if (b.log.remove(entry, this.view.logPage.width)) return;
      },
      ignores: (nick) => this.commands.ignores(nick),
      privateFrom: (nick, roomId) => this.commands.privateFrom(nick, roomId),
      bell: () => this.view.bell(),
      joined: (nick, rejoined) => this.joins.joined(nick, rejoined),
      joinFailed: (e) => this.joins.joinFailed(e),
      closed: (reason) => this.joins.closed(reason),
      older: (entries) => this.olderHistory.older(entries),
      noOlder: (why) => this.olderHistory.noOlder(why),
    };
  }

  private scroll(rows: number): void {
    const page = this.view.logPage;
    // Scrolled up, the log's last row is the "scrolled up" hint: the top row is reached with one row less.
    if (rows < 0) this.log.scrollUp(-rows, page.width, page.height - 1);
    else this.log.scrollDown(rows);
    this.refresh();
  }

  /** A submitted chat line: a message, or a command. False: keep it as the draft (refused). */
  private submit(line: string): boolean {
    const kept = !this.commands.run(parseCommand(line));
    this.log.scrollToBottom();
    return !kept;
  }

  private say(text: string): void {
    if (this.joins.closedReason !== undefined || this.session.state === 'closed') {
      this.system('Not sent: the session is closed. Type /quit to exit.', STYLE.error);
      return;
    }
    if (this.joins.refusedReason !== undefined) {
      this.system('Not sent: the server refused the join. Type /quit to exit.', STYLE.error);
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
    if (parseCommand(nick).kind === 'quit') {
      this.requestQuit();
      return;
    }
    if (nick === '') {
      this.system('Type a nickname and press Enter (or /quit).', STYLE.warn);
      return;
    }
    this.input.setMode('chat');
    this.system(`Joining as ${escapeForTerminal(nick)}…`);
    this.session.join(nick);
  }

  /** The log of the buffer shown. */
  private get log(): MessageLog {
    return this.buffers.active.log;
  }

  /** A line for stream `roomId`'s buffer (the buffer shown when undefined or not open). */
  private add(entry: LogEntry, roomId?: number, highlight = false): void {
    const buffer = (roomId === undefined ? undefined : this.buffers.get(roomId)) ?? this.buffers.active;
    this.buffers.add(buffer, entry, this.view.logPage.width, highlight);
  }

  private system(text: string, style: Style = STYLE.system): void {
    this.add(systemEntry(text, style));
  }

  private status(): ViewModel['status'] {
    const now = Date.now();
    const prompt = this.quitGuard.prompt(now) ?? this.input.pastePrompt();
    return statusView({
      session: this.session, state: this.session.state, quitting: this.quitting,
      choosingNick: this.input.mode === 'nick', everOnline: this.joins.everOnline,
      retryAt: this.joins.retryAt, joinDeadline: this.session.joinDeadline, now,
      queued: this.sender.queued, prompt: prompt === undefined ? undefined : fitting(prompt, this.view.screen.cols),
    });
  }

  /**
   * Queues a frame (on the next tick when `urgent`: a key press). The view model is brought up to
   * date once per frame (updateModel), not once per event: a busy room brings thousands a second.
   */
  private refresh(urgent = false): void {
    if (this.finished) return;
    this.view.render(urgent);
  }

  /** The view model from the app's state, just before a frame is drawn. */
  private updateModel(): void {
    this.model.input = this.input.line;
    this.model.prompt = this.input.prompt;
    const active = this.buffers.active;
    this.model.log = active.log;
    this.model.peers = this.peers();
    this.model.away = new Set(active.members.filter((m) => m.away).map((m) => m.nick));
    this.model.buffers = this.buffers;
    this.model.title = this.buffers.all.length > 1 || active.topic !== ''
      ? ` ${this.buffers.numberOf(active)} ${bufferTitle(active)}${active.topic === '' ? '' : `: ${escapeForTerminal(active.topic)}`}${active.away === undefined ? '' : ` (away${active.away === '' ? '' : `: ${escapeForTerminal(active.away)}`})`}`
      : undefined;
    this.model.status = this.status();
  }
}
