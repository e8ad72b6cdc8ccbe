/**
 * Styled text for the UI: spans of plain text with a style, laid out into rows of glyphs.
 * Nothing here is ever parsed for markup: `{bold}` in a span is eight characters of text.
 */
import { glyphs, type Glyph } from './text-width.js';

/** Colours are xterm palette indices (0–255); undefined keeps the terminal's default. */
export interface Style {
  readonly fg?: number;
  readonly bg?: number;
  readonly bold?: boolean;
  readonly underline?: boolean;
  readonly inverse?: boolean;
}

export interface Span {
  readonly text: string;
  readonly style?: Style;
}

/** A glyph with its style, ready to paint. */
export interface StyledGlyph {
  readonly glyph: Glyph;
  readonly style: Style | undefined;
}

export type Row = readonly StyledGlyph[];

export const PLAIN: Style = {};

/**
 * Glyphs of shared styles (no style, and styles passed to shareGlyphs), one object per glyph and
 * style: the log's rows then hold shared objects instead of one new object per character shown,
 * which in a busy room was most of what the garbage collector had to do.
 */
const sharedGlyphs = new WeakMap<Style, Map<Glyph, StyledGlyph>>();
const unstyledGlyphs = new Map<Glyph, StyledGlyph>();
/** Glyphs kept per style (more distinct characters than this start the style's map over). */
const SHARED_LIMIT = 4096;

/** Lets lines in this style share their glyph objects (for styles used by many lines; returns the style). */
export function shareGlyphs<S extends Style>(style: S): S {
  if (!sharedGlyphs.has(style)) sharedGlyphs.set(style, new Map());
  return style;
}

/** The glyphs of spans, with their style, dropping zero-width clusters (nothing to show). */
export function styledGlyphs(spans: readonly Span[]): StyledGlyph[] {
  const out: StyledGlyph[] = [];
  for (const span of spans) {
    const style = span.style;
    const shared = style === undefined ? unstyledGlyphs : sharedGlyphs.get(style);
    for (const glyph of glyphs(span.text)) {
      if (glyph.width <= 0) continue;
      if (shared === undefined) {
        out.push({ glyph, style });
        continue;
      }
      let g = shared.get(glyph);
      if (g === undefined) {
        if (shared.size >= SHARED_LIMIT) shared.clear();
        g = { glyph, style };
        shared.set(glyph, g);
      }
      out.push(g);
    }
  }
  return out;
}

/** Width of a row in columns. */
export function rowWidth(row: Row): number {
  let w = 0;
  for (const g of row) w += g.glyph.width;
  return w;
}

function isSpace(g: StyledGlyph): boolean {
  return g.glyph.text === ' ';
}

/**
 * Wraps spans into rows of at most `width` columns, breaking after a space when a word would not
 * fit and inside the word when it is longer than a row. A line feed in a span's text starts a new
 * row (a message with several lines). Continuation rows, wrapped or after a line feed, start with
 * `indent` spaces (less than width). An empty input gives one empty row.
 */
export function wrapSpans(spans: readonly Span[], width: number, indent = 0): Row[] {
  const w = Math.max(1, width);
  const ind = indent < w - 1 ? indent : 0;
  const pad: StyledGlyph[] = styledGlyphs([{ text: ' '.repeat(ind) }]);
  const lines = splitLines(spans);
  const rows: Row[] = [];
  lines.forEach((line, n) => wrapLine(styledGlyphs(line), w, ind, pad, n === 0, rows));
  return rows;
}

/** Spans cut at line feeds (the line feeds dropped): one list of spans per line. */
function splitLines(spans: readonly Span[]): Span[][] {
  const lines: Span[][] = [[]];
  for (const span of spans) {
    const parts = span.text.split('\n');
    parts.forEach((text, i) => {
      if (i > 0) lines.push([]);
      if (text !== '') lines[lines.length - 1]!.push(span.style === undefined ? { text } : { text, style: span.style });
    });
  }
  return lines;
}

/** Wraps one line's glyphs into `rows`; its first row is unindented only when `first`. */
function wrapLine(all: readonly StyledGlyph[], w: number, ind: number, pad: readonly StyledGlyph[], first: boolean, rows: Row[]): void {
  let i = 0;
  let firstRow = true;
  while (i < all.length || firstRow) {
    const indented = !(first && firstRow);
    const row: StyledGlyph[] = indented ? [...pad] : [];
    let used = indented ? ind : 0;
    if (!firstRow) while (i < all.length && isSpace(all[i]!)) i++;
    let lastBreak = -1; // index in `all` just after the last space placed on this row
    let rowLenAtBreak = 0;
    const start = i;
    while (i < all.length) {
      const g = all[i]!;
      if (used + g.glyph.width > w) break;
      row.push(g);
      used += g.glyph.width;
      i++;
      if (isSpace(g)) {
        lastBreak = i;
        rowLenAtBreak = row.length;
      }
    }
    if (i < all.length && lastBreak > start && !isSpace(all[i]!)) {
      // Break after the last space rather than inside a word.
      row.length = rowLenAtBreak;
      i = lastBreak;
    }
    if (i === start && i < all.length) {
      // A glyph wider than the whole row: show it anyway rather than loop forever.
      row.push(all[i]!);
      i++;
    }
    rows.push(row);
    firstRow = false;
    if (i >= all.length) break;
  }
}

/** Lays spans out on one row, cut at `width` columns (no ellipsis). */
export function clipSpans(spans: readonly Span[], width: number): Row {
  const row: StyledGlyph[] = [];
  let used = 0;
  for (const g of styledGlyphs(spans)) {
    if (used + g.glyph.width > width) break;
    row.push(g);
    used += g.glyph.width;
  }
  return row;
}
