/**
 * Keys as blessed names them (`key.full`: "left", "C-w", "M-b", "S-tab" …) mapped onto the input
 * line, and the assembly of typed characters (blessed hands over an emoji as two UTF-16 halves).
 */
import type { InputLine } from './input-line.js';

/** The subset of blessed's key object the UI reads. */
export interface KeyInfo {
  readonly full?: string;
  readonly name?: string;
  readonly ctrl?: boolean;
  readonly meta?: boolean;
}

const EDIT_KEYS: Record<string, (line: InputLine) => void> = {
  left: (l) => l.left(),
  'C-b': (l) => l.left(),
  right: (l) => l.right(),
  'C-f': (l) => l.right(),
  home: (l) => l.home(),
  'C-a': (l) => l.home(),
  end: (l) => l.end(),
  'C-e': (l) => l.end(),
  backspace: (l) => l.backspace(),
  'C-h': (l) => l.backspace(),
  delete: (l) => l.deleteForward(),
  'C-w': (l) => l.killWordBack(),
  'M-backspace': (l) => l.killWordBack(),
  'C-backspace': (l) => l.killWordBack(),
  'M-d': (l) => l.killWordForward(),
  'C-u': (l) => l.killToStart(),
  'C-k': (l) => l.killToEnd(),
  'M-b': (l) => l.wordLeft(),
  'C-left': (l) => l.wordLeft(),
  'M-left': (l) => l.wordLeft(),
  'M-f': (l) => l.wordRight(),
  'C-right': (l) => l.wordRight(),
  'M-right': (l) => l.wordRight(),
};

/** Applies an editing key to the line; false when the key is not an editing key. */
export function applyEditKey(line: InputLine, key: KeyInfo): boolean {
  const action = key.full === undefined ? undefined : EDIT_KEYS[key.full];
  if (action === undefined) return false;
  action(line);
  return true;
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/**
 * Turns keypress characters into text to insert: holds a high surrogate until its low half
 * arrives, drops lone halves and control characters, ignores keys with Ctrl or Alt.
 */
export class TextAssembler {
  private high = '';

  /** The text to insert for this keypress ('' for none). */
  push(ch: string | undefined, key: KeyInfo): string {
    if (ch === undefined || ch === '' || key.ctrl === true || key.meta === true) {
      this.high = '';
      return '';
    }
    const code = ch.charCodeAt(0);
    if (ch.length === 1 && code >= 0xd800 && code <= 0xdbff) {
      this.high = ch;
      return '';
    }
    if (ch.length === 1 && code >= 0xdc00 && code <= 0xdfff) {
      const pair = this.high === '' ? '' : this.high + ch;
      this.high = '';
      return pair;
    }
    this.high = '';
    return CONTROL.test(ch) ? '' : ch;
  }
}
