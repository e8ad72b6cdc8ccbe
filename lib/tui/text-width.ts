/**
 * Grapheme clusters and their display width, for everything the UI lays out (log, input line,
 * peer list). Widths come from string-width (grapheme-aware, Unicode emoji data), not from
 * blessed's own table, which counts emoji as one column.
 *
 * Terminals do not all agree with string-width: many still add up the widths of the code points
 * of a cluster (👨‍👩‍👧 takes 6 columns there instead of 2, 👍🏽 takes 4, ❤️ takes 1). Such clusters are
 * marked `complex` so that the painter can pin the cursor after them and no disagreement spreads
 * to the rest of the line (see cells.ts).
 */
import stringWidth from 'string-width';
import { clustersAfter, segmentAll } from './grapheme-walk.js';

/** One user-perceived character as laid out on the screen. */
export interface Glyph {
  /** The cluster (sanitised: no control characters, no lone surrogates). */
  readonly text: string;
  /** Columns it takes (0 for clusters that render as nothing). */
  readonly width: number;
  /** Columns a terminal that adds up code point widths would use (≥ width when they disagree). */
  readonly spill: number;
  /** The two width models disagree: the painter pins the cursor after this glyph. */
  readonly complex: boolean;
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
const LONE_SURROGATE = /[\ud800-\udfff]/u;
const REPLACEMENT: Glyph = { text: '\ufffd', width: 1, spill: 1, complex: false };

const cache = new Map<string, Glyph>();
const CACHE_LIMIT = 4096;

/** Splits text into grapheme clusters (in time linear in its length: see grapheme-walk.ts). */
export function graphemes(text: string): string[] {
  return segmentAll(text);
}

/** Offsets (UTF-16) of every grapheme boundary in text, from 0 to text.length inclusive. */
export function graphemeBoundaries(text: string): number[] {
  const out: number[] = [];
  for (const [start] of clustersAfter(text, 0)) out.push(start);
  out.push(text.length);
  return out;
}

/** Width of one code point on its own, as terminals with per-code-point tables see it. */
function codePointWidth(cp: string): number {
  return Math.min(2, stringWidth(cp));
}

/** Measures one grapheme cluster. Control characters and lone surrogates become U+FFFD. */
export function glyphOf(cluster: string): Glyph {
  const hit = cache.get(cluster);
  if (hit !== undefined) return hit;
  let glyph: Glyph;
  if (CONTROL.test(cluster) || LONE_SURROGATE.test(cluster)) {
    glyph = REPLACEMENT;
  } else {
    const width = stringWidth(cluster);
    let spill = 0;
    let codePoints = 0;
    for (const cp of cluster) {
      spill += codePointWidth(cp);
      codePoints++;
    }
    const complex = codePoints > 1 && (spill !== width || width > 2);
    glyph = { text: cluster, width, spill: Math.max(spill, width), complex };
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(cluster, glyph);
  return glyph;
}

/** The glyphs of a text, in order (zero-width ones included, with width 0). */
export function glyphs(text: string): Glyph[] {
  return graphemes(text).map(glyphOf);
}

/** Display width of a text, as the UI lays it out. */
export function displayWidth(text: string): number {
  let w = 0;
  for (const g of graphemes(text)) w += glyphOf(g).width;
  return w;
}

/** Cuts text to at most `width` columns, adding `…` when it had to cut. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (displayWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const g of graphemes(text)) {
    const w = glyphOf(g).width;
    if (used + w > width - 1) break;
    out += g;
    used += w;
  }
  return `${out}…`;
}
