/**
 * A blessed box whose border and label blessed draws, and whose inside we paint ourselves
 * (cells.ts): blessed never sees the text, so it parses no tags and measures no widths.
 */
import blessed from 'blessed';
import type { Region } from './cells.js';

interface Coords {
  xi: number;
  xl: number;
  yi: number;
  yl: number;
}

interface BoxInternals {
  ileft: number;
  itop: number;
  iwidth: number;
  iheight: number;
  render(): Coords | undefined;
}

export type PaintInside = (inside: Region) => void;

/** Creates a box (never given content) that calls `paint` with its inner region on each render. */
export function paintedBox(
  options: blessed.Widgets.BoxOptions,
  paint: PaintInside,
): blessed.Widgets.BoxElement {
  const box = blessed.box({ ...options, content: '', tags: false });
  const internals = box as unknown as BoxInternals;
  const baseRender = internals.render.bind(box);
  internals.render = (): Coords | undefined => {
    const coords = baseRender();
    if (coords === undefined || coords === null) return coords;
    const inside: Region = {
      x: coords.xi + internals.ileft,
      y: coords.yi + internals.itop,
      width: Math.max(0, coords.xl - coords.xi - internals.iwidth),
      height: Math.max(0, coords.yl - coords.yi - internals.iheight),
    };
    if (inside.width > 0 && inside.height > 0) paint(inside);
    return coords;
  };
  return box;
}
