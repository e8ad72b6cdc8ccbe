/**
 * The full-screen client's buffers: one per room and one per private conversation, each with its
 * own message log, member list, topic, unread count and highlight, and an "unread" marker line
 * where the user left it. A model only: painting is in buffer-list.ts and chat-screen.ts.
 *
 * Cost is per event, not per buffer: a line for a buffer in the background is one add to its log
 * (nothing is wrapped until the buffer is shown) and two counters.
 */
import { MessageLog, type LogEntry } from './message-log.js';
import type { Style } from './styled-text.js';

export type BufferKind = 'room' | 'private';

export interface BufferMember {
  readonly nick: string;
  readonly away: boolean;
}

/** The marker line's look (a rule across, as in WeeChat). */
export const UNREAD_STYLE: Style = { fg: 9 };
export const UNREAD_TEXT = '-------- unread --------';

export class ChatBuffer {
  readonly log: MessageLog;
  topic = '';
  members: readonly BufferMember[] = [];
  /** Messages that arrived since the user last looked at this buffer. */
  unread = 0;
  /** One of them mentions the user, or is a private message. */
  highlight = false;
  /** The other person is away (private conversations): '' without a reason, undefined when not away. */
  away: string | undefined;
  private marker: LogEntry | undefined;
  /** The marker is where it belongs for the current absence (placed at its first new message). */
  private markerPlaced = false;

  constructor(public id: number, readonly kind: BufferKind, public name: string, logLimit?: number) {
    this.log = new MessageLog(logLimit);
  }

  /** The member nicks, as the member list shows them. */
  get nicks(): readonly string[] {
    return this.members.map((m) => m.nick);
  }

  /**
   * Adds a line. In the background, a counted line (a message) raises the unread count, places the
   * unread marker above it (the first time since the user left), and `highlight` flags the buffer.
   */
  add(entry: LogEntry, width: number, background: boolean, highlight = false): void {
    if (background && entry.counts) {
      if (!this.markerPlaced) {
        if (this.marker !== undefined) this.log.remove(this.marker, width);
        this.marker = markerEntry();
        this.log.add(this.marker, width);
        this.markerPlaced = true;
      }
      this.unread++;
      if (highlight) this.highlight = true;
    }
    this.log.add(entry, width);
  }

  /** The user is looking at it now: counts reset; the marker stays until new lines arrive after leaving again. */
  seen(): void {
    this.unread = 0;
    this.highlight = false;
    this.markerPlaced = false;
  }

  /** /clear: an empty log (and no marker). */
  clear(): void {
    this.log.clear();
    this.marker = undefined;
    this.markerPlaced = false;
  }

  /** Whether the marker line is in the log (for specs). */
  get hasMarker(): boolean {
    return this.marker !== undefined;
  }
}

function markerEntry(): LogEntry {
  return { spans: [{ text: UNREAD_TEXT, style: UNREAD_STYLE }], indent: 0, counts: false };
}

/**
 * The buffers in the order they were opened (the first is the room every session is in), and
 * which one is shown. Buffers are numbered from 1 (Alt-1 … Alt-9).
 */
export class BufferList {
  private readonly list: ChatBuffer[] = [];
  private activeIndex = 0;
  /** Ids of buffers without a stream (negative, never a stream's): a /query before its conversation, a stream the server lost. */
  private nextDetachedId = -1;

  constructor(first: ChatBuffer) {
    this.list.push(first);
  }

  get all(): readonly ChatBuffer[] {
    return this.list;
  }

  get active(): ChatBuffer {
    return this.list[this.activeIndex] as ChatBuffer;
  }

  /** The number shown for a buffer (1-based). */
  numberOf(buffer: ChatBuffer): number {
    return this.list.indexOf(buffer) + 1;
  }

  get(id: number): ChatBuffer | undefined {
    return this.list.find((b) => b.id === id);
  }

  /** A private conversation's buffer by the other person's nick (as keyed by `key`). */
  findPrivate(nick: string, key: (nick: string) => string): ChatBuffer | undefined {
    const k = key(nick);
    return this.list.find((b) => b.kind === 'private' && key(b.name) === k);
  }

  /** The buffer for a stream, opened at the end of the list if there is none yet. */
  open(id: number, kind: BufferKind, name: string): ChatBuffer {
    const existing = this.get(id);
    if (existing !== undefined) {
      existing.name = name;
      return existing;
    }
    const buffer = new ChatBuffer(id, kind, name);
    this.list.push(buffer);
    return buffer;
  }

  /** A fresh id for a buffer that has no stream (yet, or any more). */
  detachedId(): number {
    return this.nextDetachedId--;
  }

  /**
   * The buffer of a stream the server no longer has keeps its lines but no longer names the stream
   * (a detached id, no members): a stream of the same kind and name opening later takes it over.
   */
  detach(id: number): ChatBuffer | undefined {
    const buffer = this.get(id);
    if (buffer === undefined || id === this.list[0]?.id) return undefined;
    buffer.id = this.detachedId();
    buffer.members = [];
    return buffer;
  }

  /** Takes a buffer out (never the first); the one shown moves to its left neighbour if it was it. */
  close(id: number): boolean {
    const i = this.list.findIndex((b) => b.id === id);
    if (i <= 0) return false;
    const wasActive = i === this.activeIndex;
    this.list.splice(i, 1);
    if (i < this.activeIndex || (wasActive && this.activeIndex > 0)) this.activeIndex--;
    if (wasActive) this.active.seen();
    return true;
  }

  /** Shows the buffer numbered `n` (1-based); false if there is none. */
  select(n: number): boolean {
    if (n < 1 || n > this.list.length) return false;
    this.activeIndex = n - 1;
    this.active.seen();
    return true;
  }

  selectBuffer(buffer: ChatBuffer): boolean {
    const i = this.list.indexOf(buffer);
    return i >= 0 && this.select(i + 1);
  }

  /** The next (`step` 1) or previous (-1) buffer, wrapping around. */
  cycle(step: 1 | -1): void {
    const n = this.list.length;
    this.select(((this.activeIndex + step + n) % n) + 1);
  }

  /** Adds a line to a buffer, counting it as unread unless that buffer is shown. */
  add(buffer: ChatBuffer, entry: LogEntry, width: number, highlight = false): void {
    buffer.add(entry, width, buffer !== this.active, highlight);
  }

  /** Buffers other than the shown one with unread lines, in list order (the status line's activity). */
  activity(): Array<{ number: number; buffer: ChatBuffer }> {
    const out: Array<{ number: number; buffer: ChatBuffer }> = [];
    this.list.forEach((buffer, i) => {
      if (i !== this.activeIndex && buffer.unread > 0) out.push({ number: i + 1, buffer });
    });
    return out;
  }
}
