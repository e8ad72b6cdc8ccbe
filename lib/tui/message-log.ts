/**
 * The message log as a model: entries (already styled spans), wrapped to the current width on
 * demand (cached), a scroll position counted in rows from the bottom, and a count of entries that
 * arrived while the user was scrolled up. Rendering is elsewhere (chat-screen.ts).
 */
import { wrapSpans, type Row, type Span } from './styled-text.js';

export interface LogEntry {
  readonly spans: readonly Span[];
  /** Continuation rows are indented by this many columns (to line up under the text). */
  readonly indent: number;
  /** Counted in the "new messages" hint when it arrives while scrolled up. */
  readonly counts: boolean;
}

interface Wrapped {
  width: number;
  rows: Row[];
}

export class MessageLog {
  private entries: LogEntry[] = [];
  private wrapped: Array<Wrapped | undefined> = [];
  /** Rows scrolled up from the bottom; 0 follows new messages. */
  private offset = 0;
  private unseenCount = 0;

  constructor(private readonly limit = 5000) {}

  get size(): number {
    return this.entries.length;
  }

  /** Entries that arrived while scrolled up. */
  get unseen(): number {
    return this.unseenCount;
  }

  get scrolledUp(): boolean {
    return this.offset > 0;
  }

  /**
   * Adds an entry. When scrolled up, the view stays on what the user is reading: the offset grows
   * by the rows the entry takes at `width`.
   */
  add(entry: LogEntry, width: number): void {
    this.entries.push(entry);
    this.wrapped.push(undefined);
    if (this.offset > 0) {
      this.offset += this.rowsOf(this.entries.length - 1, width).length;
      if (entry.counts) this.unseenCount++;
    }
    if (this.entries.length > this.limit) {
      const drop = this.entries.length - this.limit;
      this.entries.splice(0, drop);
      this.wrapped.splice(0, drop);
      this.offset = Math.min(this.offset, this.maxOffset(width, 1));
    }
  }

  clear(): void {
    this.entries = [];
    this.wrapped = [];
    this.offset = 0;
    this.unseenCount = 0;
  }

  /** The rows to show in a window of `height` rows, oldest first (fewer at the start). */
  visible(width: number, height: number): Row[] {
    if (height <= 0) return [];
    this.offset = Math.min(this.offset, this.maxOffset(width, height));
    if (this.offset === 0) this.unseenCount = 0;
    const want = this.offset + height;
    const rows: Row[] = [];
    for (let i = this.entries.length - 1; i >= 0 && rows.length < want; i--) {
      const r = this.rowsOf(i, width);
      for (let k = r.length - 1; k >= 0 && rows.length < want; k--) rows.push(r[k]!);
    }
    rows.reverse();
    return rows.slice(0, Math.max(0, rows.length - this.offset)).slice(-height);
  }

  /** Scrolls up by `rows` (a page is height - 1). */
  scrollUp(rows: number, width: number, height: number): void {
    this.offset = Math.min(this.offset + rows, this.maxOffset(width, height));
  }

  /** Scrolls down by `rows`; at the bottom the unseen count resets. */
  scrollDown(rows: number): void {
    this.offset = Math.max(0, this.offset - rows);
    if (this.offset === 0) this.unseenCount = 0;
  }

  scrollToBottom(): void {
    this.offset = 0;
    this.unseenCount = 0;
  }

  private rowsOf(i: number, width: number): Row[] {
    const cached = this.wrapped[i];
    if (cached !== undefined && cached.width === width) return cached.rows;
    const entry = this.entries[i]!;
    const rows = wrapSpans(entry.spans, width, entry.indent);
    this.wrapped[i] = { width, rows };
    return rows;
  }

  /** The largest offset that still fills a window of `height` rows (stops counting past it). */
  private maxOffset(width: number, height: number): number {
    let total = 0;
    const cap = this.offset + height + 1;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      total += this.rowsOf(i, width).length;
      if (total > cap + height) break;
    }
    return Math.max(0, total - height);
  }
}
