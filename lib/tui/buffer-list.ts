/**
 * How the buffers look: the buffer list (one row each: number, name, unread count; the shown one
 * inverted, highlighted ones in the mention colour) and the status line's activity
 * (`[2:#ops(3) 3:*bob*(1)]`). Text from the network is escaped here.
 */
import { escapeForTerminal } from '../client/presentation.js';
import type { BufferList, ChatBuffer } from './buffers.js';
import { clipSpans, type Row, type Span, type Style } from './styled-text.js';
import { truncate } from './text-width.js';

export const BUFFER_STYLE = {
  active: { fg: 15, bg: 24, bold: true },
  unread: { fg: 15, bold: true },
  highlight: { fg: 0, bg: 11, bold: true },
  quiet: { fg: 250 },
  count: { fg: 11 },
} as const satisfies Record<string, Style>;

/** A buffer's name as lists show it: `#ops`, or `*bob*` for a private conversation. */
export function bufferTitle(buffer: ChatBuffer): string {
  const name = escapeForTerminal(buffer.name);
  return buffer.kind === 'private' ? `*${name}*` : name;
}

function styleOf(buffer: ChatBuffer, active: boolean): Style {
  if (active) return BUFFER_STYLE.active;
  if (buffer.highlight) return BUFFER_STYLE.highlight;
  return buffer.unread > 0 ? BUFFER_STYLE.unread : BUFFER_STYLE.quiet;
}

/** The rows of the buffer list for a box `width` columns wide and `height` rows high. */
export function bufferRows(buffers: BufferList, width: number, height: number): Row[] {
  const all = buffers.all;
  const active = buffers.active;
  // When they do not all fit, the window keeps the shown buffer in view.
  const activeAt = all.indexOf(active);
  const first = Math.max(0, Math.min(activeAt - height + 1, all.length - height));
  const rows: Row[] = [];
  for (let i = Math.max(0, first); i < all.length && rows.length < height; i++) {
    const b = all[i] as ChatBuffer;
    const style = styleOf(b, b === active);
    const count = b.unread > 0 && b !== active ? ` ${b.unread}` : '';
    const number = `${i + 1}`.padStart(2);
    const title = truncate(bufferTitle(b), Math.max(1, width - number.length - 1 - count.length));
    const spans: Span[] = [{ text: `${number} ${title}`, style }];
    if (count !== '') spans.push({ text: count, style: b.highlight ? BUFFER_STYLE.highlight : BUFFER_STYLE.count });
    rows.push(clipSpans(spans, width));
  }
  return rows;
}

/**
 * The activity part of the status line: the other buffers with unread lines, numbered, with their
 * counts, highlighted ones first in the mention colour: `[Act: 3:*bob*(1) 2:#ops(4)]`. Empty when
 * none.
 */
export function activitySpans(buffers: BufferList, base: Style): Span[] {
  const active = buffers.activity();
  if (active.length === 0) return [];
  const ordered = [...active.filter((a) => a.buffer.highlight), ...active.filter((a) => !a.buffer.highlight)];
  const spans: Span[] = [{ text: '[Act:', style: base }];
  for (const { number, buffer } of ordered) {
    spans.push({ text: ' ', style: base });
    spans.push({
      text: `${number}:${bufferTitle(buffer)}(${buffer.unread})`,
      style: buffer.highlight ? { ...base, ...BUFFER_STYLE.highlight } : { ...base, bold: true },
    });
  }
  spans.push({ text: ']', style: base });
  return spans;
}
