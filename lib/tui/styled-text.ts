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

/** The glyphs of spans, with their style, dropping zero-width clusters (nothing to show). */
export function styledGlyphs(spans: readonly Span[]): StyledGlyph[] {
  const out: StyledGlyph[] = [];
  for (const span of spans) {
    for (const glyph of glyphs(span.text)) {
      if (glyph.width > 0) out.push({ glyph, style: span.style });
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
 * fit and inside the word when it is longer than a row. Continuation rows start with `indent`
 * spaces (less than width). An empty input gives one empty row.
 */
export function wrapSpans(spans: readonly Span[], width: number, indent = 0): Row[] {
  const all = styledGlyphs(spans);
  const w = Math.max(1, width);
  const ind = indent < w - 1 ? indent : 0;
  const pad: StyledGlyph[] = styledGlyphs([{ text: ' '.repeat(ind) }]);
  const rows: Row[] = [];
  let i = 0;
  let first = true;
  while (i < all.length || first) {
    const row: StyledGlyph[] = first ? [] : [...pad];
    let used = first ? 0 : ind;
    if (!first) while (i < all.length && isSpace(all[i]!)) i++;
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
    first = false;
    if (i >= all.length) break;
  }
  return rows;
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
