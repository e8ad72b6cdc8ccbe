/**
 * A large paste waits for a decision before it can be sent by accident (as WeeChat does): the
 * text is in the input line at once; Enter sends it as one message, Ctrl-C or Escape puts the
 * draft back as it was before the paste, any other key just edits.
 */
import { MAX_TEXT_BYTES } from '../protocol/constants.js';
import type { InputLine } from './input-line.js';

/** A paste above either bound asks first. */
export const PASTE_CONFIRM_LINES = 10;
export const PASTE_CONFIRM_CHARS = 4096;

/** A large paste just inserted, and the draft as it was before it (to cancel). */
interface PendingPaste {
  readonly before: string;
  readonly cursor: number;
  readonly lines: number;
  readonly chars: number;
  /** The draft with the paste is longer than one message: Enter sends it as several (split-text.ts). */
  readonly several: boolean;
}

/** Combining diacritical marks, joiners and variation selectors: part of the character before them. */
function attached(c: number): boolean {
  return (c >= 0x300 && c <= 0x36f) || (c >= 0x1ab0 && c <= 0x1aff) || (c >= 0x1dc0 && c <= 0x1dff)
    || (c >= 0x20d0 && c <= 0x20ff) || c === 0x200c || c === 0x200d || (c >= 0xfe00 && c <= 0xfe0f) || (c >= 0xfe20 && c <= 0xfe2f);
}

/**
 * Characters as a person counts them, near enough and cheaply (a paste may be a megabyte; exact
 * grapheme clusters took 0.2 s for 160k): code points, less combining marks, joiners, variation
 * selectors and skin tones. An emoji or an accented letter is one; a flag or a ZWJ sequence
 * counts its parts.
 */
export function characters(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) continue; // the second half of a code point
    // U+1F3FB–1F3FF (skin tones) are D83C DFFB–DFFF.
    if (c === 0xd83c) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdffb && d <= 0xdfff) continue;
    }
    if (!attached(c)) n++;
  }
  return n;
}

export class LargePaste {
  private pending: PendingPaste | undefined;

  /**
   * Inserts `clean` into `line`; when the paste is large, remembers the draft before it (a small
   * paste while a large one waits leaves the wait as it is).
   */
  insert(line: InputLine, clean: string): void {
    const before = { before: line.text, cursor: line.cursor };
    line.insert(clean);
    let lines = 1;
    for (let i = clean.indexOf('\n'); i >= 0; i = clean.indexOf('\n', i + 1)) lines++;
    if (lines > PASTE_CONFIRM_LINES || clean.length > PASTE_CONFIRM_CHARS) {
      this.pending = { ...before, lines, chars: characters(clean), several: Buffer.byteLength(line.text, 'utf8') > MAX_TEXT_BYTES };
    }
  }

  /**
   * A key while a large paste waits: true when it cancelled the paste (the draft is restored);
   * any key ends the wait.
   */
  key(name: string, line: InputLine): boolean {
    const paste = this.pending;
    if (paste === undefined) return false;
    this.pending = undefined;
    if (name !== 'C-c' && name !== 'escape') return false;
    line.set(paste.before, paste.cursor);
    return true;
  }

  /** The question for the status line while a large paste waits (longest wording first: status.ts fitting), or undefined. */
  prompt(): readonly string[] | undefined {
    const paste = this.pending;
    if (paste === undefined) return undefined;
    const lines = `${paste.lines} line${paste.lines === 1 ? '' : 's'}`;
    const size = `${lines}, ${paste.chars} characters`;
    const as = paste.several ? 'as several messages' : 'as one message';
    return [
      `Paste of ${size}: Enter sends it ${as}, Ctrl-C cancels the paste`,
      `Paste of ${size}: Enter sends it ${as}, Ctrl-C cancels`,
      `Paste of ${lines}: Enter sends it ${as}, Ctrl-C cancels`,
      `Paste of ${lines}: Enter sends, Ctrl-C cancels`,
      'Paste: Enter sends, Ctrl-C cancels',
    ];
  }
}
