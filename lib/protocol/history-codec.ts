/**
 * Codec table entries of history paging (docs/protocol.md §4.2.18 HISTORY and §4.2.19 PAGE,
 * capability bit 1): HISTORY asks for the entries just before a seq, PAGE answers with them,
 * packed as in DATA (§4.3). See {@link TypeCodec} for what size, write and read check.
 */
import { TOKEN_BYTES } from './constants.js';
import { FRAME_BYTES, type TypeCodec, consistent, field, fixed, u32In, u8In } from './codec-fields.js';
import { decodeEntry, entrySize, writeEntry } from './entry-codec.js';
import type { Entry, HistoryMessage, PageMessage } from './messages.js';

/** Capability bit of history paging in JOIN and WELCOME caps (§4.5): HISTORY and PAGE. */
export const CAP_HISTORY = 1 << 1;

/** PAGE flag bit 0: nothing older than this page can be had. */
export const PAGE_OLDEST = 1;
/** PAGE flag bit 1 (only with bit 0): older entries existed but are no longer kept. */
export const PAGE_GONE = 2;

/** PAGE's own bytes besides its entries: token, before, flags, count. */
export const PAGE_HEAD = TOKEN_BYTES + 4 + 1 + 1;
/** Bytes a PAGE spends besides its entries (header and trailer included): 30. */
export const PAGE_OVERHEAD = FRAME_BYTES + PAGE_HEAD;

/** Refuses a PAGE's before, flags and count that disagree (the rules of §4.7; LocalError BAD_FIELD). */
export function checkPage(before: number, flags: number, count: number): void {
  u32In(before, 1, 'before');
  u8In(count, 'count');
  consistent((flags & ~(PAGE_OLDEST | PAGE_GONE)) === 0 && ((flags & PAGE_GONE) === 0 || (flags & PAGE_OLDEST) !== 0), 'page flags: gone needs oldest');
  consistent(count <= before - 1, 'a page ends just before `before` (count ≤ before − 1)');
  consistent(count > 0 || (flags & PAGE_OLDEST) !== 0, 'an empty page is the oldest');
  consistent(before - count !== 1 || flags === PAGE_OLDEST, 'a page reaching seq 1 is the oldest and nothing is gone');
}

export function pageFlags(m: Pick<PageMessage, 'oldest' | 'gone'>): number {
  return (m.oldest ? PAGE_OLDEST : 0) | (m.gone ? PAGE_GONE : 0);
}

const history: TypeCodec<HistoryMessage> = {
  size: () => FRAME_BYTES + TOKEN_BYTES + 4 + 1,
  write(w, m) {
    u8In(m.count, 'count');
    consistent(m.count >= 1, 'count must be ≥ 1');
    w.bytes(fixed(m.token, TOKEN_BYTES, 'token')).u32(u32In(m.before, 1, 'before')).u8(m.count);
  },
  read(r) {
    const token = r.bytes(TOKEN_BYTES);
    const before = r.u32();
    field(before >= 1, 'history before must be ≥ 1');
    const count = r.u8();
    field(count >= 1, 'history count must be ≥ 1');
    return { type: 'history', token, before, count };
  },
};

const page: TypeCodec<PageMessage> = {
  size(m) {
    const n = m.entries.length;
    checkPage(m.before, pageFlags(m), n);
    let size = PAGE_OVERHEAD;
    m.entries.forEach((e, i) => {
      consistent(e.seq === m.before - n + i, 'page entries must be consecutive and end just before `before`');
      size += entrySize(e);
    });
    return size;
  },
  write(w, m) {
    w.bytes(fixed(m.token, TOKEN_BYTES, 'token')).u32(m.before).u8(pageFlags(m)).u8(m.entries.length);
    for (const e of m.entries) writeEntry(w, e);
  },
  read(r) {
    const token = r.bytes(TOKEN_BYTES);
    const before = r.u32();
    field(before >= 1, 'page before must be ≥ 1');
    const flags = r.u8();
    field((flags & ~(PAGE_OLDEST | PAGE_GONE)) === 0, 'page flags: only bits 0 and 1 are defined');
    field((flags & PAGE_GONE) === 0 || (flags & PAGE_OLDEST) !== 0, 'page flags: gone needs oldest');
    const count = r.u8();
    field(count <= before - 1, 'a page ends just before `before` (count ≤ before − 1)');
    field(count > 0 || (flags & PAGE_OLDEST) !== 0, 'an empty page is the oldest');
    field(before - count !== 1 || flags === PAGE_OLDEST, 'a page reaching seq 1 is the oldest and nothing is gone');
    const entries: Entry[] = [];
    for (let i = 0; i < count; i++) entries.push(decodeEntry(r, before - count + i));
    return { type: 'page', token, before, oldest: (flags & PAGE_OLDEST) !== 0, gone: (flags & PAGE_GONE) !== 0, entries };
  },
};

export const HISTORY_CODECS = { history, page } as const;
