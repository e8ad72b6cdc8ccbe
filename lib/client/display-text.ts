/**
 * Makes text that came from the network safe to print on a terminal (TESTING.md, hostile input:
 * "text with terminal control sequences … shown escaped; never interpreted").
 */

/*
 * What a terminal might act on instead of printing: C0 controls (ESC starts CSI/OSC sequences,
 * e.g. OSC 52 writes the clipboard; CR and LF rewrite or forge lines; TAB moves the cursor), DEL,
 * C1 controls (U+009B is a one-character CSI, U+009D an OSC), bidi controls that reorder what
 * follows (U+202E makes "gpj.exe" read "exe.jpg"), the Unicode line and paragraph separators, and
 * lone surrogates (not valid UTF-8; encoders turn them into U+FFFD silently).
 * With the u flag a surrogate class only matches surrogates that are not part of a pair.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]/u;
// Separate global copy: a global regex keeps lastIndex between test() calls.
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'gu');

/**
 * Returns `text` with every unsafe code point replaced by a visible escape: `\xHH` below U+0100
 * (ESC → `\x1b`, DEL → `\x7f`, CSI → `\x9b`), `\uHHHH` above (`\u202e`, `\u2028`, a lone `\ud800`).
 * Unsafe: C0 controls U+0000–U+001F (including TAB, CR and LF), DEL, C1 controls U+0080–U+009F,
 * bidi controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), U+2028, U+2029 and lone
 * surrogates. Everything else is kept as it is: letters of any script, combining marks, emoji with
 * ZWJ, skin tones, flags and variation selectors.
 *
 * A backslash in the input is not escaped, so a peer can type the six characters `\x1b` and they
 * look like an escaped ESC; that is harmless (it is only text) and keeps ordinary backslashes
 * readable. The output is for display only and is not meant to be unescaped.
 *
 * Returns the input itself when nothing needs escaping (one regex test). Never throws.
 */
export function escapeForTerminal(text: string): string {
  if (!UNSAFE.test(text)) return text;
  return text.replace(UNSAFE_ALL, escapeCodeUnit);
}

function escapeCodeUnit(ch: string): string {
  // Every match is a single UTF-16 code unit (all ranges are in the BMP).
  const code = ch.charCodeAt(0);
  return code < 0x100 ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** Spaces a tab is shown as. */
export const TAB_SPACES = '    ';

/**
 * Text from the network as lines to show: split at each line feed (CR LF counts as one), each tab
 * shown as TAB_SPACES, and everything else that is unsafe escaped as by {@link escapeForTerminal}
 * (a lone CR included). Text without line feeds or tabs gives `[escapeForTerminal(text)]`.
 */
export function displayLines(text: string): string[] {
  return text.split(/\r?\n/u).map((line) => escapeForTerminal(line.includes('\t') ? line.replace(/\t/gu, TAB_SPACES) : line));
}
