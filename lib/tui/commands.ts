/**
 * The full-screen client's keys, as /help lists them after the commands (which both front ends
 * share: lib/client/commands.ts).
 */
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
