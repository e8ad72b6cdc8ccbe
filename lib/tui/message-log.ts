/**
 * The message log as a model: entries (already styled spans), wrapped to the current width on
 * demand, a scroll position counted in rows from the bottom, and a count of entries that arrived
 * while the user was scrolled up. Rendering is elsewhere (chat-screen.ts).
 *
 * Cost and memory are bounded by what is shown, not by what arrived: adding is O(1) (old entries
 * are dropped in batches past the limit), only entries on screen are wrapped, and wrapped rows are
 * kept for at most WRAP_CACHE entries (the most recently shown).
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

/** Entries whose wrapped rows are kept (a few screens' worth). */
const WRAP_CACHE = 1000;

export class MessageLog {
  private entries: LogEntry[] = [];
  /** Wrapped rows by entry, least recently used first (a Map keeps insertion order). */
  private wrapped = new Map<LogEntry, Wrapped>();
  /** Rows scrolled up from the bottom; 0 follows new messages. */
  private offset = 0;
  private unseenCount = 0;
  /** Entries ever added (never decreases; dropped and removed ones included). */
  private addedCount = 0;

  constructor(private readonly limit = 5000) {}

  get size(): number {
    return this.entries.length;
  }

  /** How many entries were ever added: the difference between two readings is what arrived between them. */
  get added(): number {
    return this.addedCount;
  }

  /** Entries that arrived while scrolled up. */
  get unseen(): number {
    return this.unseenCount;
  }

  get scrolledUp(): boolean {
    return this.offset > 0;
  }

  /** Rows scrolled up from the bottom (0: following new messages). */
  get rowsFromBottom(): number {
    return this.offset;
  }

  /**
   * Adds an entry. When scrolled up, the view stays on what the user is reading: the offset grows
   * by the rows the entry takes at `width`.
   */
  add(entry: LogEntry, width: number): void {
    this.entries.push(entry);
    this.addedCount++;
    if (this.offset > 0) {
      this.offset += this.rowsOf(entry, width).length;
      if (entry.counts) this.unseenCount++;
    }
    // Dropped in batches, so that a busy room does not shift the whole array on every message.
    if (this.entries.length > this.limit + Math.ceil(this.limit / 8)) {
      const drop = this.entries.length - this.limit;
      for (const old of this.entries.slice(0, drop)) this.wrapped.delete(old);
      this.entries.splice(0, drop);
      this.offset = Math.min(this.offset, this.maxOffset(width, 1));
    }
  }

  /** Takes an entry out (a pending line replaced by the server's copy). False if not there. */
  remove(entry: LogEntry, width: number): boolean {
    const i = this.entries.lastIndexOf(entry);
    if (i < 0) return false;
    if (this.offset > 0) this.offset = Math.max(0, this.offset - this.rowsOf(entry, width).length);
    this.entries.splice(i, 1);
    this.wrapped.delete(entry);
    return true;
  }

  /**
   * Puts entries before the oldest one (older history arriving). The view stays on the rows it
   * shows (the offset counts from the bottom). Returns the rows they take at `width`.
   */
  prepend(entries: readonly LogEntry[], width: number): number {
    this.entries.unshift(...entries);
    return entries.reduce((n, e) => n + this.rowsOf(e, width).length, 0);
  }

  /** Takes out the oldest entry if it is `entry` (a line shown above everything); the view stays. */
  dropFirst(entry: LogEntry): boolean {
    if (this.entries[0] !== entry) return false;
    this.entries.shift();
    this.wrapped.delete(entry);
    return true;
  }

  /** The view shows the oldest line (scrolled all the way up, or everything fits). */
  atTop(width: number, height: number): boolean {
    return this.offset >= this.maxOffset(width, height);
  }

  clear(): void {
    this.entries = [];
    this.wrapped.clear();
    this.offset = 0;
    this.unseenCount = 0;
  }

  /** The rows to show in a window of `height` rows, oldest first (fewer at the start). */
  visible(width: number, height: number): Row[] {
    if (height <= 0) return [];
    // At the bottom (the usual case) there is nothing to clamp: only the rows shown are wrapped.
    if (this.offset > 0) this.offset = Math.min(this.offset, this.maxOffset(width, height));
    if (this.offset === 0) this.unseenCount = 0;
    const want = this.offset + height;
    const rows: Row[] = [];
    for (let i = this.entries.length - 1; i >= 0 && rows.length < want; i--) {
      const r = this.rowsOf(this.entries[i]!, width);
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

  /** Entries with wrapped rows kept in memory (for specs: bounded by WRAP_CACHE). */
  get cachedEntries(): number {
    return this.wrapped.size;
  }

  private rowsOf(entry: LogEntry, width: number): Row[] {
    const cached = this.wrapped.get(entry);
    if (cached !== undefined && cached.width === width) {
      // Most recently used goes last.
      this.wrapped.delete(entry);
      this.wrapped.set(entry, cached);
      return cached.rows;
    }
    const rows = wrapSpans(entry.spans, width, entry.indent);
    this.wrapped.delete(entry);
    this.wrapped.set(entry, { width, rows });
    if (this.wrapped.size > WRAP_CACHE) this.wrapped.delete(this.wrapped.keys().next().value as LogEntry);
    return rows;
  }

  /** The largest offset that still fills a window of `height` rows (stops counting past it). */
  private maxOffset(width: number, height: number): number {
    let total = 0;
    const cap = this.offset + height + 1;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      total += this.rowsOf(this.entries[i]!, width).length;
      if (total > cap + height) break;
    }
    return Math.max(0, total - height);
  }
}
