/**
 * The input line as a pure editing model: draft, cursor, history, shell-like editing. The cursor
 * is a UTF-16 offset that always sits on a grapheme boundary, so every move and deletion handles
 * a whole character as the user sees it (é typed as e + U+0301, 👩🏽‍💻, 🇫🇷). No blessed here.
 *
 * Cost: every operation segments only a window around the cursor (grapheme-walk.ts), and view()
 * looks at no more than the columns it shows, so a keystroke costs the same in a 100,000-character
 * draft as in an empty one (apart from copying the string). A paste is one insert().
 *
 * The draft may hold line breaks (LF) and tabs, from a paste: a message can have several lines.
 * Other control characters never reach it.
 */
import { clustersAfter, clustersBefore, nextBoundary, prevBoundary, snapForward } from './grapheme-walk.js';
import { glyphOf, type Glyph } from './text-width.js';

const CONTROL_BUT_LF_TAB = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/gu;
const SPACE = /\s/u;

/** How a line break in the draft is shown (the screen may style it apart). */
export const LINE_BREAK_GLYPH: Glyph = { text: '↵', width: 1, spill: 1, complex: false };
const TAB_GLYPH: Glyph = { text: ' ', width: 1, spill: 1, complex: false };

export interface InputView {
  /** Glyphs shown, left to right (a line break is LINE_BREAK_GLYPH, a tab one space). */
  readonly glyphs: readonly Glyph[];
  /** Column of the cursor within the view (0 … width - 1). */
  readonly cursorCol: number;
  /** Whether text is hidden to the left / right of the view. */
  readonly clippedLeft: boolean;
  readonly clippedRight: boolean;
}

/** Text as the draft keeps it: CR LF and lone CR become LF; controls other than LF and TAB go. */
export function cleanDraftText(text: string): string {
  return text.replace(/\r\n?/gu, '\n').replace(CONTROL_BUT_LF_TAB, '');
}

function inputGlyph(cluster: string): Glyph {
  if (cluster === '\n') return LINE_BREAK_GLYPH;
  if (cluster === '\t') return TAB_GLYPH;
  return glyphOf(cluster);
}

export class InputLine {
  private draft = '';
  private pos = 0;
  private readonly history: string[] = [];
  /** Index into history while browsing it; history.length when editing a new line. */
  private browse = 0;
  /** The new line being typed, saved while browsing history. */
  private saved = '';
  /** First UTF-16 offset shown, kept between views so the line does not jump. */
  private scroll = 0;

  constructor(private readonly historyLimit = 500) {}

  get text(): string {
    return this.draft;
  }

  get cursor(): number {
    return this.pos;
  }

  /** Replaces the draft (cursor clamped to a boundary, at the end by default). */
  set(text: string, cursor: number = text.length): void {
    this.draft = cleanDraftText(text);
    this.pos = snapForward(this.draft, Math.max(0, Math.min(cursor, this.draft.length)));
  }

  /** Inserts typed or pasted text at the cursor (see cleanDraftText). */
  insert(text: string): void {
    const clean = cleanDraftText(text);
    if (clean === '') return;
    this.draft = this.draft.slice(0, this.pos) + clean + this.draft.slice(this.pos);
    this.pos = snapForward(this.draft, this.pos + clean.length);
  }

  left(): void {
    this.pos = prevBoundary(this.draft, this.pos);
  }

  right(): void {
    this.pos = nextBoundary(this.draft, this.pos);
  }

  home(): void {
    this.pos = 0;
  }

  end(): void {
    this.pos = this.draft.length;
  }

  /** Deletes the character before the cursor. */
  backspace(): void {
    this.cut(prevBoundary(this.draft, this.pos), this.pos);
  }

  /** Deletes the character under the cursor. */
  deleteForward(): void {
    this.cut(this.pos, nextBoundary(this.draft, this.pos));
  }

  /** Ctrl-W: deletes the word before the cursor (and the blanks between it and the cursor). */
  killWordBack(): void {
    this.cut(this.wordStartBefore(this.pos), this.pos);
  }

  /** Alt-D: deletes from the cursor to the end of the next word. */
  killWordForward(): void {
    this.cut(this.pos, this.wordEndAfter(this.pos));
  }

  /** Ctrl-U: deletes everything before the cursor. */
  killToStart(): void {
    this.cut(0, this.pos);
  }

  /** Ctrl-K: deletes everything from the cursor on. */
  killToEnd(): void {
    this.cut(this.pos, this.draft.length);
  }

  wordLeft(): void {
    this.pos = this.wordStartBefore(this.pos);
  }

  wordRight(): void {
    this.pos = this.wordEndAfter(this.pos);
  }

  /** Up: the previous history entry (the draft is kept and comes back with Down). */
  historyUp(): boolean {
    if (this.browse === 0) return false;
    if (this.browse === this.history.length) this.saved = this.draft;
    this.browse--;
    this.set(this.history[this.browse] ?? '');
    return true;
  }

  /** Down: the next history entry, or back to the draft after the newest one. */
  historyDown(): boolean {
    if (this.browse >= this.history.length) return false;
    this.browse++;
    this.set(this.browse === this.history.length ? this.saved : this.history[this.browse] ?? '');
    return true;
  }

  /** Enter: returns the line, remembers it in history (not blanks, not a repeat) and clears. */
  submit(): string {
    const line = this.draft;
    if (line.trim() !== '' && this.history[this.history.length - 1] !== line) {
      this.history.push(line);
      if (this.history.length > this.historyLimit) this.history.shift();
    }
    this.browse = this.history.length;
    this.saved = '';
    this.draft = '';
    this.pos = 0;
    this.scroll = 0;
    return line;
  }

  get historyEntries(): readonly string[] {
    return this.history;
  }

  /**
   * What to show in `width` columns: scrolls horizontally so the cursor stays visible (with one
   * column for the cursor at the end), moving as little as possible from the last view. Looks at
   * no more of the draft than about `width` columns on either side of the cursor.
   */
  view(width: number): InputView {
    const w = Math.max(1, width);
    const text = this.draft;
    const cursor = this.pos;
    const cursorWidth = Math.max(1, cursor < text.length ? this.glyphAt(cursor, nextBoundary(text, cursor)).width : 1);
    // The leftmost start that still shows the cursor and the character under it.
    let minStart = cursor;
    let before = 0;
    for (const [s, e] of clustersBefore(text, cursor)) {
      const gw = this.glyphAt(s, e).width;
      if (before + gw + cursorWidth > w) break;
      before += gw;
      minStart = s;
    }
    let start = Math.min(cursor, snapForward(text, Math.min(this.scroll, text.length)));
    if (start < minStart) start = minStart;
    start = this.scrollLeftWhileRoom(start, w);
    this.scroll = start;
    return this.layout(start, cursor, w);
  }

  // ---- internals ----

  private glyphAt(start: number, end: number): Glyph {
    return inputGlyph(this.draft.slice(start, end));
  }

  /** Moves the start left while all from there to the end (and the cursor column) still fits. */
  private scrollLeftWhileRoom(start: number, w: number): number {
    let tail = 0;
    for (const [s, e] of clustersAfter(this.draft, start)) {
      tail += this.glyphAt(s, e).width;
      if (tail + 1 > w) return start;
    }
    let from = start;
    for (const [s, e] of clustersBefore(this.draft, start)) {
      const gw = this.glyphAt(s, e).width;
      if (tail + gw + 1 > w) break;
      tail += gw;
      from = s;
    }
    return from;
  }

  private layout(start: number, cursor: number, w: number): InputView {
    const shown: Glyph[] = [];
    let used = 0;
    let cursorCol = 0;
    let clippedRight = false;
    for (const [s, e] of clustersAfter(this.draft, start)) {
      const g = this.glyphAt(s, e);
      if (used + g.width > w) {
        clippedRight = true;
        break;
      }
      if (e <= cursor) cursorCol = used + g.width;
      shown.push(g);
      used += g.width;
    }
    return { glyphs: shown, cursorCol: Math.min(w - 1, cursorCol), clippedLeft: start > 0, clippedRight };
  }

  private cut(from: number, to: number): void {
    if (to <= from) return;
    this.draft = this.draft.slice(0, from) + this.draft.slice(to);
    this.pos = snapForward(this.draft, from);
  }

  private isSpace(start: number, end: number): boolean {
    return SPACE.test(this.draft.slice(start, end));
  }

  private wordStartBefore(offset: number): number {
    let inWord = false;
    let result = 0;
    for (const [s, e] of clustersBefore(this.draft, offset)) {
      const space = this.isSpace(s, e);
      if (inWord && space) return result;
      if (!space) inWord = true;
      result = s;
    }
    return 0;
  }

  private wordEndAfter(offset: number): number {
    let inWord = false;
    let result = offset;
    for (const [s, e] of clustersAfter(this.draft, offset)) {
      const space = this.isSpace(s, e);
      if (inWord && space) return s;
      if (!space) inWord = true;
      result = e;
    }
    return result;
  }
}
