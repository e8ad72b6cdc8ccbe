/**
 * The pure codec: bytes ⇄ typed messages (docs/protocol.md §3–§4). No I/O, no clock.
 * `decode` returns a message or throws a {@link ProtocolError}; nothing else escapes.
 */
import {
  CHECKSUM_BYTES,
  CLIENT_ID_BYTES,
  COOKIE_BYTES,
  HEADER_BYTES,
  INSTANCE_BYTES,
  MAGIC_0,
  MAGIC_1,
  MAX_DATAGRAM,
  MAX_DETAIL_BYTES,
  MAX_ENTRIES,
  MAX_NICK_BYTES,
  TOKEN_BYTES,
  VERSION,
} from './constants.js';
import { WIRE_ERROR_CODES, wireErrorCodeOf } from './error-codes.js';
import { ProtocolError } from './protocol-error.js';
import { decodeEntry, encodeEntry, leaveReasonByte, leaveReasonOf } from './entry-codec.js';
import { discoverSize, offerSize, readDiscover, readOffer, writeDiscover, writeOffer } from './discovery-codec.js';
import type { ClientMessage, Message, MessageType } from './messages.js';
import { Reader, Writer, checksumOk, nickLength, readNick, utf8Length } from './wire.js';

/** Wire opcodes, the one place tags meet numbers (§3). */
export const OPCODES: Record<MessageType, number> = {
  join: 0x01,
  say: 0x02,
  ping: 0x03,
  nack: 0x04,
  who: 0x05,
  leave: 0x06,
  discover: 0x07,
  cookie: 0x81,
  welcome: 0x82,
  data: 0x83,
  ack: 0x84,
  sync: 0x85,
  pong: 0x86,
  roster: 0x87,
  bye: 0x88,
  error: 0x89,
  offer: 0x8a,
};

const TYPES = new Map<number, MessageType>(Object.entries(OPCODES).map(([t, op]) => [op, t as MessageType]));

/**
 * True for the types a client sends in a session (opcodes below 0x80, DISCOVER excepted: it is
 * answered outside sessions, §5.7); a server's session logic answers nothing else.
 */
export function isClientMessage(m: Message): m is ClientMessage {
  return OPCODES[m.type] < 0x80 && m.type !== 'discover';
}

/** Type of a datagram from its header alone, or undefined if it is not a udp-chat v1 datagram. */
export function peekType(buf: Uint8Array): MessageType | undefined {
  if (buf.length < HEADER_BYTES || buf[0] !== MAGIC_0 || buf[1] !== MAGIC_1 || buf[2] !== VERSION) return undefined;
  return TYPES.get(buf[3] as number);
}

/**
 * Writes the 4-byte header into a writer sized for the whole datagram: `size` bytes of header
 * and body, plus the checksum trailer that `seal()` appends.
 */
export function header(type: MessageType, size: number): Writer {
  const total = size + CHECKSUM_BYTES;
  if (total > MAX_DATAGRAM) throw new ProtocolError('UDPCHAT_ERR_OVERSIZE', `${type} would be ${total} bytes`);
  return new Writer(total).u8(MAGIC_0).u8(MAGIC_1).u8(VERSION).u8(OPCODES[type]);
}

function fixed(b: Buffer, n: number, name: string): Buffer {
  if (b.length !== n) throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', `${name} must be ${n} bytes`);
  return b;
}

function checkU32(v: number, min: number, name: string): number {
  if (!Number.isInteger(v) || v < min || v > 0xffff_ffff) throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', `${name} out of range`);
  return v;
}

// u8/u16 fields are checked too: Buffer.writeUInt16BE would throw a RangeError and a plain
// byte store would silently truncate, and encode promises ProtocolError only.
function checkU16(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', `${name} out of range`);
  return v;
}

function checkU8(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', `${name} out of range`);
  return v;
}

/**
 * Encodes a message. Throws UDPCHAT_ERR_OVERSIZE if it would exceed 1200 bytes and
 * UDPCHAT_ERR_BAD_FIELD / UDPCHAT_ERR_BAD_UTF8 for values the format cannot carry.
 */
export function encode(m: Message): Buffer {
  switch (m.type) {
    case 'join': {
      const n = nickLength(m.nick);
      return header('join', HEADER_BYTES + 16 + 16 + 8 + 4 + 2 + 1 + n)
        .bytes(fixed(m.cookie, COOKIE_BYTES, 'cookie'))
        .bytes(fixed(m.clientId, CLIENT_ID_BYTES, 'clientId'))
        .bytes(fixed(m.resumeInstance, INSTANCE_BYTES, 'resumeInstance'))
        .u32(checkU32(m.resumeSeq, 0, 'resumeSeq'))
        .u16(checkU16(m.caps, 'caps'))
        .u8(n)
        .text(m.nick, n)
        .seal();
    }
    case 'say': {
      const n = utf8Length(m.text);
      return header('say', HEADER_BYTES + 16 + 4 + 1 + 2 + n)
        .bytes(fixed(m.token, TOKEN_BYTES, 'token'))
        .u32(checkU32(m.cseq, 1, 'cseq'))
        .u8(checkU8(m.target, 'target'))
        .u16(n)
        .text(m.text, n)
        .seal();
    }
    case 'ping':
      return header('ping', HEADER_BYTES + 16 + 8)
        .bytes(fixed(m.token, TOKEN_BYTES, 'token'))
        .u32(checkU32(m.delivered, 0, 'delivered'))
        .u32(checkU32(m.echo, 0, 'echo'))
        .seal();
    case 'nack':
      if (m.to < m.from) throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', 'nack to < from');
      return header('nack', HEADER_BYTES + 16 + 8)
        .bytes(fixed(m.token, TOKEN_BYTES, 'token'))
        .u32(checkU32(m.from, 1, 'from'))
        .u32(checkU32(m.to, 1, 'to'))
        .seal();
    case 'who':
      return header('who', HEADER_BYTES + 16 + 2).bytes(fixed(m.token, TOKEN_BYTES, 'token')).u16(checkU16(m.page, 'page')).seal();
    case 'leave':
      return header('leave', HEADER_BYTES + 16).bytes(fixed(m.token, TOKEN_BYTES, 'token')).seal();
    case 'cookie':
      return header('cookie', HEADER_BYTES + 32)
        .bytes(fixed(m.clientId, CLIENT_ID_BYTES, 'clientId'))
        .bytes(fixed(m.cookie, COOKIE_BYTES, 'cookie'))
        .seal();
    case 'welcome': {
      const n = nickLength(m.nick);
      if (m.historyFrom > m.baseSeq + 1) throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', 'historyFrom must be ≤ baseSeq + 1');
      return header('welcome', HEADER_BYTES + 16 + 16 + 8 + 4 * 5 + 2 + 2 + 1 + n)
        .bytes(fixed(m.clientId, CLIENT_ID_BYTES, 'clientId'))
        .bytes(fixed(m.token, TOKEN_BYTES, 'token'))
        .bytes(fixed(m.instance, INSTANCE_BYTES, 'instance'))
        .u32(checkU32(m.historyFrom, 1, 'historyFrom'))
        .u32(checkU32(m.baseSeq, 0, 'baseSeq'))
        .u32(checkU32(m.ackedCseq, 0, 'ackedCseq'))
        .u32(checkU32(m.heartbeatMs, 1, 'heartbeatMs'))
        .u32(checkU32(m.idleTimeoutMs, 1, 'idleTimeoutMs'))
        .u16(checkU16(m.maxText, 'maxText'))
        .u16(checkU16(m.caps, 'caps'))
        .u8(n)
        .text(m.nick, n)
        .seal();
    }
    case 'data': {
      const first = m.entries[0];
      if (first === undefined || m.entries.length > MAX_ENTRIES) {
        throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', 'data carries 1–255 entries');
      }
      const parts = m.entries.map((e, i) => {
        if (e.seq !== first.seq + i) throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', 'entries must be consecutive');
        return encodeEntry(e);
      });
      return encodeData(first.seq, parts);
    }
    case 'ack':
      return header('ack', HEADER_BYTES + 16 + 4)
        .bytes(fixed(m.token, TOKEN_BYTES, 'token'))
        .u32(checkU32(m.cseq, 0, 'cseq'))
        .seal();
    case 'sync':
      return header('sync', HEADER_BYTES + 4).u32(checkU32(m.lastSeq, 0, 'lastSeq')).seal();
    case 'pong':
      return header('pong', HEADER_BYTES + 8)
        .u32(checkU32(m.lastSeq, 0, 'lastSeq'))
        .u32(checkU32(m.echo, 0, 'echo'))
        .seal();
    case 'roster': {
      checkU16(m.page, 'page');
      if (checkU16(m.pages, 'pages') < 1 || m.page >= m.pages || m.nicks.length > 255) {
        throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', 'roster page out of range');
      }
      const lens = m.nicks.map(nickLength);
      const w = header('roster', HEADER_BYTES + 4 + 2 + 2 + 1 + lens.reduce((a, n) => a + 1 + n, 0))
        .u32(checkU32(m.asOfSeq, 0, 'asOfSeq'))
        .u16(m.page)
        .u16(m.pages)
        .u8(m.nicks.length);
      m.nicks.forEach((nick, i) => w.u8(lens[i] as number).text(nick, lens[i] as number));
      return w.seal();
    }
    case 'bye':
      return header('bye', HEADER_BYTES + 16 + 1)
        .bytes(fixed(m.token, TOKEN_BYTES, 'token'))
        .u8(leaveReasonByte(m.reason))
        .seal();
    case 'discover':
      return writeDiscover(header('discover', discoverSize()), m).seal();
    case 'offer':
      return writeOffer(header('offer', offerSize(m)), m).seal();
    case 'error': {
      const n = utf8Length(m.detail);
      if (n > MAX_DETAIL_BYTES) throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', 'detail too long');
      // Local codes have no wire number; the type says so, but callers may hold a widened ErrorCode.
      const code: number | undefined = Object.hasOwn(WIRE_ERROR_CODES, m.code) ? WIRE_ERROR_CODES[m.code] : undefined;
      if (code === undefined) throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', 'not a wire error code');
      return header('error', HEADER_BYTES + 16 + 2 + 4 + 1 + n)
        .bytes(fixed(m.ref, TOKEN_BYTES, 'ref'))
        .u16(code)
        .u32(checkU32(m.arg, 0, 'arg'))
        .u8(n)
        .text(m.detail, n)
        .seal();
    }
  }
}

/** DATA from entries already encoded with {@link encodeEntry}: the server's fan-out path. */
export function encodeData(firstSeq: number, entries: readonly Buffer[]): Buffer {
  if (entries.length < 1 || entries.length > MAX_ENTRIES) {
    throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', 'data carries 1–255 entries');
  }
  checkU32(firstSeq, 1, 'firstSeq');
  if (firstSeq + entries.length - 1 > 0xffff_ffff) throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', 'data sequence numbers overflow');
  let size = HEADER_BYTES + 5;
  for (const e of entries) size += e.length;
  const w = header('data', size).u32(firstSeq).u8(entries.length);
  for (const e of entries) w.bytes(e);
  return w.seal();
}

/** Bytes a DATA datagram spends besides its entries (header, firstSeq, count, checksum). */
export const DATA_OVERHEAD = HEADER_BYTES + 5 + CHECKSUM_BYTES;

/**
 * Decodes one datagram. Throws {@link ProtocolError} (and nothing else) if it is not a
 * well-formed udp-chat v1 datagram; never allocates based on a claimed length before checking it.
 */
export function decode(input: Uint8Array): Message {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (buf.length > MAX_DATAGRAM) throw new ProtocolError('UDPCHAT_ERR_OVERSIZE');
  if (buf.length < HEADER_BYTES + CHECKSUM_BYTES) throw new ProtocolError('UDPCHAT_ERR_TRUNCATED');
  if (buf[0] !== MAGIC_0 || buf[1] !== MAGIC_1) throw new ProtocolError('UDPCHAT_ERR_BAD_MAGIC');
  if (buf[2] !== VERSION) throw new ProtocolError('UDPCHAT_ERR_BAD_VERSION');
  // A damaged datagram must never be shown or acted on: check it before reading any field.
  if (!checksumOk(buf)) throw new ProtocolError('UDPCHAT_ERR_BAD_CHECKSUM');
  const type = TYPES.get(buf[3] as number);
  if (type === undefined) throw new ProtocolError('UDPCHAT_ERR_UNKNOWN_TYPE');
  const r = new Reader(buf.subarray(0, buf.length - CHECKSUM_BYTES), HEADER_BYTES);
  const m = decodeBody(type, r);
  r.end();
  return m;
}

function field(ok: boolean, what: string): void {
  if (!ok) throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', what);
}

function decodeBody(type: MessageType, r: Reader): Message {
  switch (type) {
    case 'join': {
      const cookie = r.bytes(COOKIE_BYTES);
      const clientId = r.bytes(CLIENT_ID_BYTES);
      const resumeInstance = r.bytes(INSTANCE_BYTES);
      const resumeSeq = r.u32();
      const caps = r.u16();
      return { type, cookie, clientId, resumeInstance, resumeSeq, caps, nick: readNick(r) };
    }
    case 'say': {
      const token = r.bytes(TOKEN_BYTES);
      const cseq = r.u32();
      field(cseq >= 1, 'cseq must be ≥ 1');
      const target = r.u8();
      return { type, token, cseq, target, text: r.text(r.u16()) };
    }
    case 'ping':
      return { type, token: r.bytes(TOKEN_BYTES), delivered: r.u32(), echo: r.u32() };
    case 'nack': {
      const token = r.bytes(TOKEN_BYTES);
      const from = r.u32();
      field(from >= 1, 'nack from must be ≥ 1');
      const to = r.u32();
      field(to >= from, 'nack range must be from ≤ to');
      return { type, token, from, to };
    }
    case 'who':
      return { type, token: r.bytes(TOKEN_BYTES), page: r.u16() };
    case 'leave':
      return { type, token: r.bytes(TOKEN_BYTES) };
    case 'cookie':
      return { type, clientId: r.bytes(CLIENT_ID_BYTES), cookie: r.bytes(COOKIE_BYTES) };
    case 'welcome':
      return decodeWelcome(r);
    case 'data': {
      const firstSeq = r.u32();
      field(firstSeq >= 1, 'data firstSeq must be ≥ 1');
      const count = r.u8();
      field(count >= 1, 'data count must be ≥ 1');
      field(firstSeq + count - 1 <= 0xffff_ffff, 'data sequence numbers overflow');
      const entries = [];
      for (let i = 0; i < count; i++) entries.push(decodeEntry(r, firstSeq + i));
      return { type, entries };
    }
    case 'ack':
      return { type, token: r.bytes(TOKEN_BYTES), cseq: r.u32() };
    case 'sync':
      return { type, lastSeq: r.u32() };
    case 'pong':
      return { type, lastSeq: r.u32(), echo: r.u32() };
    case 'roster': {
      const asOfSeq = r.u32();
      const page = r.u16();
      const pages = r.u16();
      field(page < pages, 'roster page must be < pages');
      const count = r.u8();
      const nicks = [];
      for (let i = 0; i < count; i++) nicks.push(readNick(r));
      return { type, asOfSeq, page, pages, nicks };
    }
    case 'bye':
      return { type, token: r.bytes(TOKEN_BYTES), reason: leaveReasonOf(r.u8()) };
    case 'discover':
      return readDiscover(r);
    case 'offer':
      return readOffer(r);
    case 'error': {
      const ref = r.bytes(TOKEN_BYTES);
      const code = wireErrorCodeOf(r.u16());
      field(code !== undefined, 'unknown error code');
      const arg = r.u32();
      const n = r.u8();
      field(n <= MAX_DETAIL_BYTES, 'detail too long');
      return { type, ref, code: code as NonNullable<typeof code>, arg, detail: r.text(n) };
    }
  }
}

function decodeWelcome(r: Reader): Message {
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
  return {
    type: 'welcome',
    clientId,
    token,
    instance,
    historyFrom,
    baseSeq,
    ackedCseq,
    heartbeatMs,
    idleTimeoutMs,
    maxText,
    caps,
    nick,
  };
}
