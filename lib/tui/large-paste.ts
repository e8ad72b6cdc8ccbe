/**
 * A large paste waits for a decision before it can be sent by accident (as WeeChat does): the
 * text is in the input line at once; Enter sends it as one message, Ctrl-C or Escape puts the
 * draft back as it was before the paste, any other key just edits.
 */
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
      this.pending = { ...before, lines, chars: clean.length };
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

  /** The question for the status line while a large paste waits, or undefined. */
  prompt(): string | undefined {
    const paste = this.pending;
    if (paste === undefined) return undefined;
    return `Paste of ${paste.lines} line${paste.lines === 1 ? '' : 's'}, ${paste.chars} characters: Enter sends it as one message, Ctrl-C cancels the paste`;
  }
}
