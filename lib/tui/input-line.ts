/**
 * The input line as a pure editing model: draft, cursor, history, shell-like editing. The cursor
 * is a UTF-16 offset that always sits on a grapheme boundary, so every move and deletion handles
 * a whole character as the user sees it (é typed as e + U+0301, 👩🏽‍💻, 🇫🇷). No blessed here.
 */
import { graphemeBoundaries, glyphOf, graphemes, type Glyph } from './text-width.js';

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/gu;
const SPACE = /\s/u;

export interface InputView {
  /** Glyphs shown, left to right. */
  readonly glyphs: readonly Glyph[];
  /** Column of the cursor within the view (0 … width - 1). */
  readonly cursorCol: number;
  /** Whether text is hidden to the left / right of the view. */
  readonly clippedLeft: boolean;
  readonly clippedRight: boolean;
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
    this.draft = text.replace(CONTROL, '');
    this.pos = this.snap(Math.max(0, Math.min(cursor, this.draft.length)));
  }

  /** Inserts typed or pasted text at the cursor (control characters are dropped). */
  insert(text: string): void {
    const clean = text.replace(CONTROL, '');
    if (clean === '') return;
    this.draft = this.draft.slice(0, this.pos) + clean + this.draft.slice(this.pos);
    this.pos = this.snap(this.pos + clean.length);
  }

  left(): void {
    this.pos = this.prevBoundary(this.pos);
  }

  right(): void {
    this.pos = this.nextBoundary(this.pos);
  }

  home(): void {
    this.pos = 0;
  }

  end(): void {
    this.pos = this.draft.length;
  }

  /** Deletes the character before the cursor. */
  backspace(): void {
    const from = this.prevBoundary(this.pos);
    this.cut(from, this.pos);
  }

  /** Deletes the character under the cursor. */
  deleteForward(): void {
    this.cut(this.pos, this.nextBoundary(this.pos));
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
   * column for the cursor at the end), moving as little as possible from the last view.
   */
  view(width: number): InputView {
    const w = Math.max(1, width);
    const bounds = graphemeBoundaries(this.draft);
    const parts = graphemes(this.draft).map(glyphOf);
    const cursorIdx = bounds.indexOf(this.pos);
    let startIdx = Math.max(0, bounds.indexOf(this.snap(Math.min(this.scroll, this.draft.length))));
    if (startIdx > cursorIdx) startIdx = cursorIdx;
    const widthBetween = (a: number, b: number): number => {
      let s = 0;
      for (let i = a; i < b; i++) s += parts[i]?.width ?? 0;
      return s;
    };
    const cursorWidth = (): number => Math.max(1, parts[cursorIdx]?.width ?? 1);
    // Scroll right until the cursor (and the character under it) fits.
    while (startIdx < cursorIdx && widthBetween(startIdx, cursorIdx) + cursorWidth() > w) startIdx++;
    // Scroll left while there is room, so deleting does not leave the line shifted.
    while (startIdx > 0 && widthBetween(startIdx - 1, parts.length) + 1 <= w) startIdx--;
    this.scroll = bounds[startIdx] ?? 0;
    const shown: Glyph[] = [];
    let used = 0;
    let i = startIdx;
    for (; i < parts.length; i++) {
      const g = parts[i]!;
      if (used + g.width > w) break;
      shown.push(g);
      used += g.width;
    }
    return {
      glyphs: shown,
      cursorCol: Math.min(w - 1, widthBetween(startIdx, cursorIdx)),
      clippedLeft: startIdx > 0,
      clippedRight: i < parts.length,
    };
  }

  // ---- internals ----

  private cut(from: number, to: number): void {
    if (to <= from) return;
    this.draft = this.draft.slice(0, from) + this.draft.slice(to);
    this.pos = this.snap(from);
  }

  /** The nearest grapheme boundary at or after offset (text may have merged around it). */
  private snap(offset: number): number {
    for (const b of graphemeBoundaries(this.draft)) if (b >= offset) return b;
    return this.draft.length;
  }

  private prevBoundary(offset: number): number {
    let prev = 0;
    for (const b of graphemeBoundaries(this.draft)) {
      if (b >= offset) break;
      prev = b;
    }
    return prev;
  }

  private nextBoundary(offset: number): number {
    for (const b of graphemeBoundaries(this.draft)) if (b > offset) return b;
    return this.draft.length;
  }

  private wordStartBefore(offset: number): number {
    const bounds = graphemeBoundaries(this.draft).filter((b) => b < offset);
    let i = bounds.length - 1;
    const isSpaceAt = (k: number): boolean => SPACE.test(this.draft.slice(bounds[k]!, bounds[k + 1] ?? offset));
    while (i >= 0 && isSpaceAt(i)) i--;
    while (i >= 0 && !isSpaceAt(i)) i--;
    return i < 0 ? 0 : bounds[i + 1] ?? offset;
  }

  private wordEndAfter(offset: number): number {
    const bounds = graphemeBoundaries(this.draft).filter((b) => b >= offset);
    let i = 0;
    const isSpaceAt = (k: number): boolean => SPACE.test(this.draft.slice(bounds[k]!, bounds[k + 1] ?? this.draft.length));
    while (i < bounds.length - 1 && isSpaceAt(i)) i++;
    while (i < bounds.length - 1 && !isSpaceAt(i)) i++;
    return bounds[i] ?? this.draft.length;
  }
}
