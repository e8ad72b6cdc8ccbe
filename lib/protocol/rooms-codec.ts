/**
 * Codec table entries of rooms and private messages (docs/protocol.md §4.2.22–§4.2.30, capability
 * bit 0, rooms): RSAY, CMD, RNACK, RWHO from the client; RDATA, RSYNC, RSTATE, ROOMINFO, RROSTER
 * from the server. Sent only to and by sessions that enabled the capability. See {@link TypeCodec}
 * for what size, write and read check.
 */
import { MAX_ENTRIES, MAX_NICK_BYTES, TOKEN_BYTES } from './constants.js';
import { FRAME_BYTES, type TypeCodec, consistent, field, fixed, u16In, u32In } from './codec-fields.js';
import { decodeRoomEntry, entrySize, writeEntry } from './entry-codec.js';
import type {
  CmdMessage,
  CommandName,
  RDataMessage,
  RNackMessage,
  RRosterMessage,
  RSayMessage,
  RStateMessage,
  RSyncMessage,
  RWhoMessage,
  RoomEntry,
  RoomInfoKind,
  RoomInfoMessage,
} from './messages.js';
import { LocalError } from './local-error.js';
import { type Writer, nickLength, readNick, utf8Length } from './wire.js';

/** Capability bit of rooms in JOIN and WELCOME caps (§4.5). */
export const CAP_ROOMS = 1 << 0;

/** CMD op numbers (§4.2.23), in wire order from 1. */
export const COMMAND_OPS: readonly CommandName[] = ['join-room', 'part', 'topic', 'nick', 'away', 'back', 'msg', 'msg-action', 'rooms'];
const ROOMINFO_KINDS: readonly RoomInfoKind[] = ['room', 'private', 'listing', 'gone'];

/** Most (roomId, lastSeq) pairs in one RSTATE: what fits in 1200 bytes. */
export const MAX_RSTATE_STREAMS = 148;

const FLAG_ACTION = 1;
const FLAG_AWAY = 1;

function textBytes(s: string): number {
  const n = utf8Length(s);
  if (n > 0xffff) throw new LocalError('UDPCHAT_ERR_BAD_FIELD', 'text out of range');
  return n;
}

/** A u8-length name of 0–64 bytes (CMD); nicknames and room names. */
function nameBytes(s: string): number {
  const n = utf8Length(s);
  if (n > MAX_NICK_BYTES) throw new LocalError('UDPCHAT_ERR_BAD_FIELD', 'name must be 0–64 bytes');
  return n;
}

function writeText16(w: Writer, s: string): void {
  const n = Buffer.byteLength(s, 'utf8');
  w.u16(n).text(s, n);
}

const rsay: TypeCodec<RSayMessage> = {
  size: (m) => FRAME_BYTES + TOKEN_BYTES + 4 + 4 + 1 + 2 + textBytes(m.text),
  write(w, m) {
    w.bytes(fixed(m.token, TOKEN_BYTES, 'token'))
      .u32(u32In(m.cseq, 1, 'cseq'))
      .u32(u32In(m.roomId, 0, 'roomId'))
      .u8(m.action ? FLAG_ACTION : 0);
    writeText16(w, m.text);
  },
  read(r) {
    const token = r.bytes(TOKEN_BYTES);
    const cseq = r.u32();
    field(cseq >= 1, 'cseq must be ≥ 1');
    const roomId = r.u32();
    const flags = r.u8();
    field((flags & ~FLAG_ACTION) === 0, 'rsay flags: only bit 0 is defined');
    return { type: 'rsay', token, cseq, roomId, action: flags === FLAG_ACTION, text: r.text(r.u16()) };
  },
};

const cmd: TypeCodec<CmdMessage> = {
  size: (m) => FRAME_BYTES + TOKEN_BYTES + 4 + 1 + 4 + 1 + nameBytes(m.name) + 2 + textBytes(m.text),
  write(w, m) {
    const op = COMMAND_OPS.indexOf(m.op);
    consistent(op >= 0, 'unknown command');
    const n = Buffer.byteLength(m.name, 'utf8');
    w.bytes(fixed(m.token, TOKEN_BYTES, 'token'))
      .u32(u32In(m.cseq, 1, 'cseq'))
      .u8(op + 1)
      .u32(u32In(m.roomId, 0, 'roomId'))
      .u8(n)
      .text(m.name, n);
    writeText16(w, m.text);
  },
  read(r) {
    const token = r.bytes(TOKEN_BYTES);
    const cseq = r.u32();
    field(cseq >= 1, 'cseq must be ≥ 1');
    const op = COMMAND_OPS[r.u8() - 1];
    field(op !== undefined, 'unknown command');
    const roomId = r.u32();
    const n = r.u8();
    field(n <= MAX_NICK_BYTES, 'name must be 0–64 bytes');
    const name = r.text(n);
    return { type: 'cmd', token, cseq, op: op as CommandName, roomId, name, text: r.text(r.u16()) };
  },
};

const rnack: TypeCodec<RNackMessage> = {
  size: () => FRAME_BYTES + TOKEN_BYTES + 4 + 4 + 4,
  write(w, m) {
    consistent(!(m.to < m.from), 'rnack to < from');
    w.bytes(fixed(m.token, TOKEN_BYTES, 'token'))
      .u32(u32In(m.roomId, 0, 'roomId'))
      .u32(u32In(m.from, 1, 'from'))
      .u32(u32In(m.to, 1, 'to'));
  },
  read(r) {
    const token = r.bytes(TOKEN_BYTES);
    const roomId = r.u32();
    const from = r.u32();
    field(from >= 1, 'rnack from must be ≥ 1');
    const to = r.u32();
    field(to >= from, 'rnack range must be from ≤ to');
    return { type: 'rnack', token, roomId, from, to };
  },
};

const rwho: TypeCodec<RWhoMessage> = {
  size: () => FRAME_BYTES + TOKEN_BYTES + 4 + 2,
  write(w, m) {
    w.bytes(fixed(m.token, TOKEN_BYTES, 'token'))
      .u32(u32In(m.roomId, 0, 'roomId'))
      .u16(u16In(m.page, 'page'));
  },
  read: (r) => ({ type: 'rwho', token: r.bytes(TOKEN_BYTES), roomId: r.u32(), page: r.u16() }),
};

/** RDATA's own bytes besides its entries: roomId (4), firstSeq (4), count (1). */
export const RDATA_HEAD = 4 + 4 + 1;

const rdata: TypeCodec<RDataMessage> = {
  size(m) {
    const first = m.entries[0];
    consistent(first !== undefined && m.entries.length <= MAX_ENTRIES, 'rdata carries 1–255 entries');
    const firstSeq = (first as RoomEntry).seq;
    u32In(m.roomId, 0, 'roomId');
    u32In(firstSeq, 1, 'firstSeq');
    consistent(firstSeq + m.entries.length - 1 <= 0xffff_ffff, 'rdata sequence numbers overflow');
    let size = FRAME_BYTES + RDATA_HEAD;
    m.entries.forEach((e, i) => {
      consistent(e.seq === firstSeq + i, 'entries must be consecutive');
      size += entrySize(e);
    });
    return size;
  },
  write(w, m) {
    w.u32(m.roomId).u32((m.entries[0] as RoomEntry).seq).u8(m.entries.length);
    for (const e of m.entries) writeEntry(w, e);
  },
  read(r) {
    const roomId = r.u32();
    const firstSeq = r.u32();
    field(firstSeq >= 1, 'rdata firstSeq must be ≥ 1');
    const count = r.u8();
    field(count >= 1, 'rdata count must be ≥ 1');
    field(firstSeq + count - 1 <= 0xffff_ffff, 'rdata sequence numbers overflow');
    const entries: RoomEntry[] = [];
    for (let i = 0; i < count; i++) entries.push(decodeRoomEntry(r, firstSeq + i));
    return { type: 'rdata', roomId, entries };
  },
};

const rsync: TypeCodec<RSyncMessage> = {
  size: () => FRAME_BYTES + 4 + 4,
  write(w, m) {
    w.u32(u32In(m.roomId, 0, 'roomId')).u32(u32In(m.lastSeq, 0, 'lastSeq'));
  },
  read: (r) => ({ type: 'rsync', roomId: r.u32(), lastSeq: r.u32() }),
};

const rstate: TypeCodec<RStateMessage> = {
  size(m) {
    consistent(m.streams.length <= 255, 'rstate carries at most 255 streams');
    return FRAME_BYTES + 1 + 8 * m.streams.length;
  },
  write(w, m) {
    w.u8(m.streams.length);
    for (const s of m.streams) w.u32(u32In(s.roomId, 0, 'roomId')).u32(u32In(s.lastSeq, 0, 'lastSeq'));
  },
  read(r) {
    const count = r.u8();
    const streams = [];
    for (let i = 0; i < count; i++) streams.push({ roomId: r.u32(), lastSeq: r.u32() });
    return { type: 'rstate', streams };
  },
};

const roominfo: TypeCodec<RoomInfoMessage> = {
  size: (m) => FRAME_BYTES + TOKEN_BYTES + 4 + 1 + 2 + 4 + 4 + 2 + 2 + 1 + nickLength(m.name) + 2 + textBytes(m.topic),
  write(w, m) {
    const kind = ROOMINFO_KINDS.indexOf(m.kind);
    consistent(kind >= 0, 'unknown roominfo kind');
    consistent(!(m.historyFrom > m.lastSeq + 1), 'historyFrom must be ≤ lastSeq + 1');
    consistent(!(m.index >= m.total), 'index must be < total');
    const n = Buffer.byteLength(m.name, 'utf8');
    w.bytes(fixed(m.token, TOKEN_BYTES, 'token'))
      .u32(u32In(m.roomId, 0, 'roomId'))
      .u8(kind)
      .u16(u16In(m.members, 'members'))
      .u32(u32In(m.lastSeq, 0, 'lastSeq'))
      .u32(u32In(m.historyFrom, 1, 'historyFrom'))
      .u16(u16In(m.index, 'index'))
      .u16(u16In(m.total, 'total'))
      .u8(n)
      .text(m.name, n);
    writeText16(w, m.topic);
  },
  read(r) {
    const token = r.bytes(TOKEN_BYTES);
    const roomId = r.u32();
    const kind = ROOMINFO_KINDS[r.u8()];
    field(kind !== undefined, 'unknown roominfo kind');
    const members = r.u16();
    const lastSeq = r.u32();
    const historyFrom = r.u32();
    field(historyFrom >= 1 && historyFrom <= lastSeq + 1, 'historyFrom must be 1 to lastSeq + 1');
    const index = r.u16();
    const total = r.u16();
    field(index < total, 'index must be < total');
    const name = readNick(r);
    const topic = r.text(r.u16());
    return { type: 'roominfo', token, roomId, kind: kind as RoomInfoKind, members, lastSeq, historyFrom, index, total, name, topic };
  },
};

const rroster: TypeCodec<RRosterMessage> = {
  size(m) {
    u16In(m.page, 'page');
    consistent(u16In(m.pages, 'pages') >= 1 && m.page < m.pages && m.members.length <= 255, 'rroster page out of range');
    return m.members.reduce((size, x) => size + 2 + nickLength(x.nick), FRAME_BYTES + 4 + 4 + 2 + 2 + 1);
  },
  write(w, m) {
    w.u32(u32In(m.roomId, 0, 'roomId')).u32(u32In(m.asOfSeq, 0, 'asOfSeq')).u16(m.page).u16(m.pages).u8(m.members.length);
    for (const x of m.members) {
      const n = Buffer.byteLength(x.nick, 'utf8');
      w.u8(x.away ? FLAG_AWAY : 0).u8(n).text(x.nick, n);
    }
  },
  read(r) {
    const roomId = r.u32();
    const asOfSeq = r.u32();
    const page = r.u16();
    const pages = r.u16();
    field(page < pages, 'rroster page must be < pages');
    const count = r.u8();
    const members = [];
    for (let i = 0; i < count; i++) {
      const flags = r.u8();
      field((flags & ~FLAG_AWAY) === 0, 'member flags: only bit 0 is defined');
      members.push({ nick: readNick(r), away: flags === FLAG_AWAY });
    }
    return { type: 'rroster', roomId, asOfSeq, page, pages, members };
  },
};

export const ROOMS_CODECS = { rsay, cmd, rnack, rwho, rdata, rsync, rstate, roominfo, rroster } as const;

