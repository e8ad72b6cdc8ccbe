/**
 * Codec table entries of the server → client datagrams (docs/protocol.md §4.2.7–§4.2.15):
 * COOKIE, WELCOME, DATA, ACK, SYNC, PONG, ROSTER, BYE, ERROR. See {@link TypeCodec} for what
 * size, write and read check.
 */
import { CLIENT_ID_BYTES, COOKIE_BYTES, INSTANCE_BYTES, MAX_DETAIL_BYTES, MAX_ENTRIES, TOKEN_BYTES } from './constants.js';
import { FRAME_BYTES, type TypeCodec, consistent, field, fixed, u16In, u32In } from './codec-fields.js';
import { byeReasonByte, byeReasonOf, decodeEntry, entrySize, isV1Entry, writeEntry } from './entry-codec.js';
import { WIRE_ERROR_CODES, wireErrorCodeOf } from './error-codes.js';
import type {
  AckMessage,
  ByeMessage,
  CookieMessage,
  DataMessage,
  Entry,
  ErrorMessage,
  PongMessage,
  RosterMessage,
  SyncMessage,
  WelcomeMessage,
} from './messages.js';
import { nickLength, readNick, utf8Length } from './wire.js';

const cookie: TypeCodec<CookieMessage> = {
  size: () => FRAME_BYTES + CLIENT_ID_BYTES + COOKIE_BYTES,
  write(w, m) {
    w.bytes(fixed(m.clientId, CLIENT_ID_BYTES, 'clientId')).bytes(fixed(m.cookie, COOKIE_BYTES, 'cookie'));
  },
  read: (r) => ({ type: 'cookie', clientId: r.bytes(CLIENT_ID_BYTES), cookie: r.bytes(COOKIE_BYTES) }),
};

const welcome: TypeCodec<WelcomeMessage> = {
  size: (m) => FRAME_BYTES + CLIENT_ID_BYTES + TOKEN_BYTES + INSTANCE_BYTES + 4 * 5 + 2 + 2 + 1 + nickLength(m.nick),
  write(w, m) {
    consistent(!(m.historyFrom > m.baseSeq + 1), 'historyFrom must be ≤ baseSeq + 1');
    const n = Buffer.byteLength(m.nick, 'utf8');
    w.bytes(fixed(m.clientId, CLIENT_ID_BYTES, 'clientId'))
      .bytes(fixed(m.token, TOKEN_BYTES, 'token'))
      .bytes(fixed(m.instance, INSTANCE_BYTES, 'instance'))
      .u32(u32In(m.historyFrom, 1, 'historyFrom'))
      .u32(u32In(m.baseSeq, 0, 'baseSeq'))
      .u32(u32In(m.ackedCseq, 0, 'ackedCseq'))
      .u32(u32In(m.heartbeatMs, 1, 'heartbeatMs'))
      .u32(u32In(m.idleTimeoutMs, 1, 'idleTimeoutMs'))
      .u16(u16In(m.maxText, 'maxText'))
      .u16(u16In(m.caps, 'caps'))
      .u8(n)
      .text(m.nick, n);
  },
  read(r) {
    const clientId = r.bytes(CLIENT_ID_BYTES);
    const token = r.bytes(TOKEN_BYTES);
    const instance = r.bytes(INSTANCE_BYTES);
    const historyFrom = r.u32();
    field(historyFrom >= 1, 'historyFrom must be ≥ 1');
    const baseSeq = r.u32();
    field(historyFrom <= baseSeq + 1, 'historyFrom must be ≤ baseSeq + 1');
    const ackedCseq = r.u32();
    const heartbeatMs = r.u32();
    field(heartbeatMs >= 1, 'heartbeatMs must be ≥ 1');
    const idleTimeoutMs = r.u32();
    field(idleTimeoutMs >= 1, 'idleTimeoutMs must be ≥ 1');
    const maxText = r.u16();
    const caps = r.u16();
    const nick = readNick(r);
    return { type: 'welcome', clientId, token, instance, historyFrom, baseSeq, ackedCseq, heartbeatMs, idleTimeoutMs, maxText, caps, nick };
  },
};

/** DATA's own bytes besides its entries: firstSeq (4) and count (1). */
export const DATA_HEAD = 4 + 1;

/** Refuses a first sequence number and count that DATA cannot carry (LocalError UDPCHAT_ERR_BAD_FIELD). */
export function checkDataRange(firstSeq: number, count: number): void {
  consistent(count >= 1 && count <= MAX_ENTRIES, 'data carries 1–255 entries');
  u32In(firstSeq, 1, 'firstSeq');
  consistent(firstSeq + count - 1 <= 0xffff_ffff, 'data sequence numbers overflow');
}

const data: TypeCodec<DataMessage> = {
  size(m) {
    const first = m.entries[0];
    consistent(first !== undefined && m.entries.length <= MAX_ENTRIES, 'data carries 1–255 entries');
    const firstSeq = (first as Entry).seq;
    let size = FRAME_BYTES + DATA_HEAD;
    m.entries.forEach((e, i) => {
      consistent(e.seq === firstSeq + i, 'entries must be consecutive');
      // Kinds 4–8 exist only in RDATA: a revision-1 receiver would refuse the whole DATA.
      consistent(isV1Entry(e), 'data carries entry kinds 1–3 only');
      size += entrySize(e);
    });
    checkDataRange(firstSeq, m.entries.length);
    return size;
  },
  write(w, m) {
    w.u32((m.entries[0] as Entry).seq).u8(m.entries.length);
    for (const e of m.entries) writeEntry(w, e);
  },
  read(r) {
    const firstSeq = r.u32();
    field(firstSeq >= 1, 'data firstSeq must be ≥ 1');
    const count = r.u8();
    field(count >= 1, 'data count must be ≥ 1');
    field(firstSeq + count - 1 <= 0xffff_ffff, 'data sequence numbers overflow');
    const entries = [];
    for (let i = 0; i < count; i++) entries.push(decodeEntry(r, firstSeq + i));
    return { type: 'data', entries };
  },
};

const ack: TypeCodec<AckMessage> = {
  size: () => FRAME_BYTES + TOKEN_BYTES + 4,
  write(w, m) {
    w.bytes(fixed(m.token, TOKEN_BYTES, 'token')).u32(u32In(m.cseq, 0, 'cseq'));
  },
  read: (r) => ({ type: 'ack', token: r.bytes(TOKEN_BYTES), cseq: r.u32() }),
};

const sync: TypeCodec<SyncMessage> = {
  size: () => FRAME_BYTES + 4,
  write(w, m) {
    w.u32(u32In(m.lastSeq, 0, 'lastSeq'));
  },
  read: (r) => ({ type: 'sync', lastSeq: r.u32() }),
};

const pong: TypeCodec<PongMessage> = {
  size: () => FRAME_BYTES + 4 + 4,
  write(w, m) {
    w.u32(u32In(m.lastSeq, 0, 'lastSeq')).u32(u32In(m.echo, 0, 'echo'));
  },
  read: (r) => ({ type: 'pong', lastSeq: r.u32(), echo: r.u32() }),
};

const roster: TypeCodec<RosterMessage> = {
  size(m) {
    u16In(m.page, 'page');
    consistent(u16In(m.pages, 'pages') >= 1 && m.page < m.pages && m.nicks.length <= 255, 'roster page out of range');
    return m.nicks.reduce((size, nick) => size + 1 + nickLength(nick), FRAME_BYTES + 4 + 2 + 2 + 1);
  },
  write(w, m) {
    w.u32(u32In(m.asOfSeq, 0, 'asOfSeq')).u16(m.page).u16(m.pages).u8(m.nicks.length);
    for (const nick of m.nicks) {
      const n = Buffer.byteLength(nick, 'utf8');
      w.u8(n).text(nick, n);
    }
  },
  read(r) {
    const asOfSeq = r.u32();
    const page = r.u16();
    const pages = r.u16();
    field(page < pages, 'roster page must be < pages');
    const count = r.u8();
    const nicks = [];
    for (let i = 0; i < count; i++) nicks.push(readNick(r));
    return { type: 'roster', asOfSeq, page, pages, nicks };
  },
};

const bye: TypeCodec<ByeMessage> = {
  size: () => FRAME_BYTES + TOKEN_BYTES + 1,
  write(w, m) {
    w.bytes(fixed(m.token, TOKEN_BYTES, 'token')).u8(byeReasonByte(m.reason));
  },
  read: (r) => ({ type: 'bye', token: r.bytes(TOKEN_BYTES), reason: byeReasonOf(r.u8()) }),
};

/** The wire number of a code; callers may hold a widened ErrorCode, which the type does not show. */
function wireNumber(code: string): number | undefined {
  return Object.hasOwn(WIRE_ERROR_CODES, code) ? WIRE_ERROR_CODES[code as keyof typeof WIRE_ERROR_CODES] : undefined;
}

const error: TypeCodec<ErrorMessage> = {
  size(m) {
    const n = utf8Length(m.detail);
    consistent(n <= MAX_DETAIL_BYTES, 'detail too long');
    consistent(wireNumber(m.code) !== undefined, 'not a wire error code');
    return FRAME_BYTES + TOKEN_BYTES + 2 + 4 + 1 + n;
  },
  write(w, m) {
    const n = Buffer.byteLength(m.detail, 'utf8');
    w.bytes(fixed(m.ref, TOKEN_BYTES, 'ref'))
      .u16(wireNumber(m.code) as number)
      .u32(u32In(m.arg, 0, 'arg'))
      .u8(n)
      .text(m.detail, n);
  },
  read(r) {
    const ref = r.bytes(TOKEN_BYTES);
    const code = wireErrorCodeOf(r.u16());
    field(code !== undefined, 'unknown error code');
    const arg = r.u32();
    const n = r.u8();
    field(n <= MAX_DETAIL_BYTES, 'detail too long');
    return { type: 'error', ref, code: code as NonNullable<typeof code>, arg, detail: r.text(n) };
  },
};

/** The server → client entries of the codec table. */
export const SERVER_CODECS = { cookie, welcome, data, ack, sync, pong, roster, bye, error } as const;
