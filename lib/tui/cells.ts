/**
 * Paints rows of glyphs straight into blessed's cell buffer, bypassing blessed's content parser
 * (no tags, no escape sequences, no blessed width table).
 *
 * How a cell reaches the terminal: blessed's `Screen.draw` writes each cell's string; a cell whose
 * width blessed thinks is 2 is followed by a cell it skips. We register the width of every cell we
 * paint, and blessed asks `unicode.charWidth(cell)` through our hook, so emoji count as 2.
 *
 * Clusters where terminals disagree (ZWJ sequences, skin tones, VS16, some Indic clusters) are
 * written as: blanks over the cell's columns, cursor back, the cluster, cursor to the column where
 * the next cell starts (CSI n G). A terminal that draws the cluster wider or narrower than we
 * reckon then still puts every following character in its column, and borders stay put. Cells to
 * the right of such a cluster are redrawn on every render, since the cluster may have spilled
 * over them; and a cluster whose worst-case extent would pass the screen's right edge (and wrap)
 * is replaced by its first code point.
 */
import blessed from 'blessed';
import type { Row, Style } from './styled-text.js';
import { glyphOf, type Glyph } from './text-width.js';

/** The parts of blessed's screen internals the painter uses (untyped in @types/blessed). */
interface ScreenInternals {
  lines: Array<Array<[number, string]> & { dirty?: boolean }>;
  olines: Array<Array<[number, string]>>;
  cols: number;
  dattr: number;
}

type CharWidth = (str: string | number, i?: number) => number;
interface BlessedUnicode { charWidth: CharWidth }

/** Widths of the multi-column and complex cells painted in the current frame. */
const cellWidths = new Map<string, number>();
let hooked = false;

/** Routes blessed's width lookups for whole cells through the widths we painted. Idempotent. */
export function installWidthHook(): void {
  if (hooked) return;
  hooked = true;
  const unicode = (blessed as unknown as { unicode: BlessedUnicode }).unicode;
  const original = unicode.charWidth;
  unicode.charWidth = function charWidth(str: string | number, i?: number): number {
    if (typeof str === 'string' && i === undefined) {
      const w = cellWidths.get(str);
      if (w !== undefined) return w;
    }
    return original(str, i);
  };
}

/**
 * Call before each render: keeps the registry bounded. Clearing it is safe then, because every
 * cell painted in a frame registers itself again before blessed draws.
 */
export function boundCellWidths(): void {
  if (cellWidths.size > 2048) cellWidths.clear();
}

const FLAG_BOLD = 1;
const FLAG_UNDERLINE = 2;
const FLAG_INVERSE = 8;
const DEFAULT_COLOUR = 0x1ff;

/** blessed's attribute integer for a style: flags << 18 | fg << 9 | bg. */
export function attrOf(style: Style | undefined): number {
  const s = style ?? {};
  let flags = 0;
  if (s.bold === true) flags |= FLAG_BOLD;
  if (s.underline === true) flags |= FLAG_UNDERLINE;
  if (s.inverse === true) flags |= FLAG_INVERSE;
  const fg = s.fg ?? DEFAULT_COLOUR;
  const bg = s.bg ?? DEFAULT_COLOUR;
  return (flags << 18) | (fg << 9) | bg;
}

function cha(col0: number): string {
  return `\x1b[${col0 + 1}G`;
}

export interface Region {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export class Painter {
  private readonly s: ScreenInternals;

  constructor(screen: blessed.Widgets.Screen) {
    this.s = screen as unknown as ScreenInternals;
  }

  /** Paints rows top-down into the region; unused cells become blanks with `fill`. */
  paint(region: Region, rows: readonly Row[], fill?: Style): void {
    for (let r = 0; r < region.height; r++) {
      this.paintRow(region.x, region.y + r, region.width, rows[r] ?? [], fill);
    }
  }

  /** Paints one row at (x, y), `width` columns; glyphs that do not fit are dropped. */
  paintRow(x: number, y: number, width: number, row: Row, fill?: Style): void {
    const line = this.s.lines[y];
    if (line === undefined || width <= 0) return;
    const screenCols = this.s.cols;
    const end = Math.min(x + width, line.length);
    let col = x;
    let firstComplex = -1;
    for (const { glyph: g0, style } of row) {
      let glyph: Glyph = g0;
      if (glyph.complex && col + glyph.spill > screenCols) glyph = fallback(glyph);
      if (glyph.width <= 0) continue;
      if (col + glyph.width > end) break;
      const attr = attrOf(style);
      let text = glyph.text;
      if (glyph.complex) {
        if (firstComplex < 0) firstComplex = col;
        const after = glyph.width === 2 ? col + 2 : col + 1;
        text = `${' '.repeat(glyph.width)}${cha(col)}${glyph.text}${cha(after)}`;
      }
      // Cells blessed should treat as double width; wider complex cells report 1 and their
      // other columns are fillers that move the cursor on by one.
      if (glyph.width === 2) cellWidths.set(text, 2);
      else if (glyph.complex) cellWidths.set(text, 1);
      setCell(line, col, attr, text);
      for (let k = 1; k < glyph.width; k++) {
        const filler = glyph.width === 2 ? '' : cha(col + k + 1);
        setCell(line, col + k, attr, filler);
      }
      col += glyph.width;
    }
    const blank = attrOf(fill);
    for (; col < end; col++) setCell(line, col, blank, ' ');
    if (firstComplex >= 0) {
      // The cluster may have been drawn wider than we reckon: redraw everything after it.
      const old = this.s.olines[y];
      if (old !== undefined) {
        for (let c = firstComplex; c < old.length; c++) {
          const cell = old[c];
          if (cell !== undefined) cell[0] = -1;
        }
      }
      line.dirty = true;
    }
  }
}

function setCell(line: Array<[number, string]> & { dirty?: boolean }, x: number, attr: number, ch: string): void {
  const cell = line[x];
  if (cell === undefined) return;
  if (cell[0] !== attr || cell[1] !== ch) {
    cell[0] = attr;
    cell[1] = ch;
    line.dirty = true;
  }
}

/**
 * A complex glyph near the right edge, where a terminal drawing it wider would wrap: its first
 * code point when that has the same width, otherwise replacement characters of the same width.
 */
function fallback(g: Glyph): Glyph {
  const first = glyphOf(String.fromCodePoint(g.text.codePointAt(0) ?? 0xfffd));
  if (first.width === g.width && !first.complex) return first;
  return { text: '\ufffd'.repeat(g.width), width: g.width, spill: g.width, complex: g.width > 2 };
}
