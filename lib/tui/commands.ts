/**
 * The full-screen client's keys, as /help lists them after the commands (which both front ends
 * share: lib/client/commands.ts), and how a help line wraps.
 */
import { displayWidth } from './text-width.js';

export const KEY_HELP: readonly string[] = [
  'Keys:',
  '  Alt-1…9, Alt-Left/Right, Ctrl-PgUp/PgDn   show buffer n, the previous / next one',
  '  Left/Right, Home/End, Ctrl-A/Ctrl-E   move in the input line (Alt-B/Alt-F, Ctrl-Left/Right: by word)',
  '  Backspace/Delete, Ctrl-W, Ctrl-U, Ctrl-K   delete a character, a word, to start, to end',
  '  Up/Down          earlier inputs',
  '  Tab              complete a nick (again: next one; at line start adds ": ")',
  '  PageUp/PageDown  scroll the log (also the mouse wheel; Shift+drag selects text); PageUp at the top loads older messages',
  '  Ctrl-L           redraw the screen',
];

/** Fewest columns a help line's description keeps beside its key before its rows hang at NARROW_INDENT instead. */
const MIN_DESCRIPTION = 20;
const NARROW_INDENT = 4;

/**
 * The indent of a /help line's continuation rows in a log `width` columns wide: under its
 * description ("  /msg nick text    a private message…": under "a"), or 4 columns when that would
 * leave the description fewer than 20; 0 for a heading ("Commands:").
 */
export function helpIndent(line: string, width: number): number {
  const m = /^( +\S+(?: \S+)*)( {2,})\S/u.exec(line);
  if (m === null) return 0;
  const column = displayWidth(m[1] as string) + (m[2] as string).length;
  return width - column >= MIN_DESCRIPTION ? column : Math.min(NARROW_INDENT, column);
}
