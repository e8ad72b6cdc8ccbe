/**
 * What the keyboard does: key bindings, the two input lines (the chat draft, and the nickname asked
 * for after a refused one) and which is active, nick completion, pastes (a large one asks before it
 * can be sent). Submitted lines and the keys that act beyond the input (quit, scroll, redraw) go to
 * the host; this module sends nothing itself.
 */
import { complete, type CompletionState } from './completion.js';
import { InputLine, cleanDraftText } from './input-line.js';
import { applyEditKey, TextAssembler, type KeyInfo } from './keys.js';
import { LargePaste } from './large-paste.js';
import { STYLE } from './log-format.js';
import type { Style } from './styled-text.js';

export type InputMode = 'chat' | 'nick';

export interface InputHost {
  /** /q, Ctrl-C, Ctrl-D on an empty line. */
  requestQuit(): void;
  /** Enter in the chat line: the line as typed (commands not yet interpreted); false keeps it as the draft. */
  submitChat(line: string): boolean;
  /** Shows buffer number n (1-based), or the next / previous one. */
  switchBuffer(to: number | 'next' | 'prev'): void;
  /** Enter while choosing a nickname: the nickname, trimmed. */
  submitNick(nick: string): void;
  /** Scrolls the log by rows (negative: up). */
  scroll(rows: number): void;
  /** Rows one PageUp/PageDown moves. */
  pageRows(): number;
  /** The log shown is at its oldest line and older history can be asked for there. */
  olderWanted(): boolean;
  /** Asks for the page of history before the oldest line (shown as loading until it comes). */
  loadOlder(): void;
  redraw(): void;
  system(text: string, style?: Style): void;
  /** For completion: the members online and our own nick. */
  readonly peers: readonly string[];
  readonly nick: string;
}

const CHAT_PROMPT = '> ';
const NICK_PROMPT = 'nick> ';

export class InputController {
  readonly chatLine = new InputLine();
  readonly nickLine = new InputLine();
  private readonly text = new TextAssembler();
  private readonly paste = new LargePaste();
  private completion: CompletionState | undefined;
  private currentMode: InputMode = 'chat';

  /** Keys handled here beyond editing (the rest edit the input line or insert text). */
  private readonly keys: Record<string, () => void> = {
    'C-c': () => this.host.requestQuit(),
    'C-d': () => (this.line.text === '' ? this.host.requestQuit() : this.line.deleteForward()),
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
    // At the oldest loaded line, PageUp loads the page before it.
    pageup: () => (this.host.olderWanted() ? this.host.loadOlder() : this.host.scroll(-this.host.pageRows())),
    pagedown: () => this.host.scroll(this.host.pageRows()),
    'C-l': () => this.host.redraw(),
    // Buffers (WeeChat/irssi): Alt-1…9, Alt-←/→, Ctrl-PgUp/PgDn.
    ...Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => [`M-${n}`, () => this.host.switchBuffer(n)])),
    'M-left': () => this.host.switchBuffer('prev'),
    'M-right': () => this.host.switchBuffer('next'),
    'C-pageup': () => this.host.switchBuffer('prev'),
    'C-pagedown': () => this.host.switchBuffer('next'),
  };

  constructor(private readonly host: InputHost) {}

  get mode(): InputMode {
    return this.currentMode;
  }

  /** The active input line. */
  get line(): InputLine {
    return this.currentMode === 'nick' ? this.nickLine : this.chatLine;
  }

  /** The prompt before the active input line. */
  get prompt(): string {
    return this.currentMode === 'nick' ? NICK_PROMPT : CHAT_PROMPT;
  }

  /** Switches lines; asking for a nickname starts from `nick`. */
  setMode(mode: InputMode, nick?: string): void {
    this.currentMode = mode;
    if (nick !== undefined) this.nickLine.set(nick);
  }

  /** The status line's question while a large paste waits (longest wording first), or undefined. */
  pastePrompt(): readonly string[] | undefined {
    return this.paste.prompt();
  }

  /** One key press (blessed's names: key.full). */
  key(ch: string | undefined, key: KeyInfo): void {
    const name = key.full ?? key.name ?? '';
    if (name !== 'return' && this.paste.key(name, this.chatLine)) {
      this.host.system('Paste cancelled.');
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

  /** A whole paste (bracketed): one insert; a large one asks before it is sent. */
  pasted(text: string, truncated: boolean): void {
    const clean = cleanDraftText(text);
    if (this.currentMode === 'nick') {
      this.nickLine.insert(clean.replace(/[\n\t]/gu, ' '));
      return;
    }
    this.completion = undefined;
    this.paste.insert(this.chatLine, clean);
    if (truncated) this.host.system(`The paste was cut to its first ${clean.length} characters.`, STYLE.warn);
  }

  private submit(): void {
    if (this.currentMode === 'nick') this.host.submitNick(this.nickLine.submit().trim());
    else {
      const line = this.chatLine.submit();
      // Refused (unknown command, bad arguments): the draft stays, to be fixed rather than retyped.
      if (!this.host.submitChat(line)) this.chatLine.set(line);
    }
  }

  private completeNick(backwards: boolean): void {
    if (this.currentMode !== 'chat') return;
    const line = this.chatLine;
    const result = complete(line.text, line.cursor, this.host.peers, {
      ownNick: this.host.nick,
      previous: this.completion,
      backwards,
    });
    if (result === undefined) return;
    line.set(result.text, result.cursor);
    this.completion = result.state;
  }
}
