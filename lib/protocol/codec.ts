/**
 * The pure codec: bytes ⇄ typed messages (docs/protocol.md §3–§4). No I/O, no clock. Each type's
 * size, write and read live together in the codec table (codec-table.ts); this file frames and
 * dispatches. `decode` throws {@link ProtocolError} and nothing else (the peer's bytes are wrong);
 * `encode` throws {@link LocalError} (we asked for something the format cannot carry).
 */
import { CHECKSUM_BYTES, HEADER_BYTES, MAGIC_0, MAGIC_1, MAX_DATAGRAM, TOKEN_BYTES, VERSION } from './constants.js';
import { FRAME_BYTES, fixed, u32In } from './codec-fields.js';
import { PAGE_OVERHEAD, checkPage } from './history-codec.js';
import { OPCODES, TYPE_OF_OPCODE, codecOf } from './codec-table.js';
import { LocalError } from './local-error.js';
import type { ClientMessage, Message, MessageType, SayMessage } from './messages.js';
import { ProtocolError } from './protocol-error.js';
import { DATA_HEAD, checkDataRange } from './server-codecs.js';
import { RDATA_HEAD } from './rooms-codec.js';
import { Reader, Writer, checksumOk, utf8OrUndefined } from './wire.js';

export { OPCODES } from './codec-table.js';

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
  return TYPE_OF_OPCODE.get(buf[3] as number);
}

/**
 * A writer for a whole datagram of `total` bytes (header, body and the trailer `seal()` appends),
 * with the header written. Throws LocalError UDPCHAT_ERR_OVERSIZE past 1200 bytes.
 */
function framed(type: MessageType, total: number): Writer {
  if (total > MAX_DATAGRAM) throw new LocalError('UDPCHAT_ERR_OVERSIZE', `${type} would be ${total} bytes`);
  return new Writer(total).u8(MAGIC_0).u8(MAGIC_1).u8(VERSION).u8(OPCODES[type]);
}

/**
 * Encodes a message. Throws {@link LocalError}: UDPCHAT_ERR_OVERSIZE if it would exceed 1200
 * bytes, UDPCHAT_ERR_BAD_FIELD / UDPCHAT_ERR_BAD_UTF8 for values the format cannot carry.
 */
export function encode(m: Message): Buffer {
  const codec = codecOf(m.type);
  const w = framed(m.type, codec.size(m));
  codec.write(w, m);
  return w.seal();
}

/** DATA from entries already encoded with {@link encodeEntry}: the server's fan-out path. */
export function encodeData(firstSeq: number, entries: readonly Buffer[]): Buffer {
  checkDataRange(firstSeq, entries.length);
  let size = FRAME_BYTES + DATA_HEAD;
  for (const e of entries) size += e.length;
  const w = framed('data', size).u32(firstSeq).u8(entries.length);
  for (const e of entries) w.bytes(e);
  return w.seal();
}

/** ACK's size (§4.2.10): token and cseq. */
const ACK_BYTES = FRAME_BYTES + TOKEN_BYTES + 4;

/**
 * ACK(token, cseq) framed directly, without a message object or the codec table: the server sends
 * one per accepted message. The same bytes, and the same LocalError, as encode() of that ACK.
 */
export function encodeAck(token: Buffer, cseq: number): Buffer {
  return framed('ack', ACK_BYTES).bytes(fixed(token, TOKEN_BYTES, 'token')).u32(u32In(cseq, 0, 'cseq')).seal();
}

/**
 * PAGE from entries already encoded with {@link encodeEntry} (the server's paging path): the
 * entries before..., oldest first, ending at seq before − 1 (§4.2.19).
 */
export function encodePage(token: Buffer, before: number, flags: number, entries: readonly Buffer[]): Buffer {
  checkPage(before, flags, entries.length);
  let size = PAGE_OVERHEAD;
  for (const e of entries) size += e.length;
  const w = framed('page', size).bytes(fixed(token, TOKEN_BYTES, 'token')).u32(before).u8(flags).u8(entries.length);
  for (const e of entries) w.bytes(e);
  return w.seal();
}

/** Bytes a DATA datagram spends besides its entries (header, firstSeq, count, checksum). */
export const DATA_OVERHEAD = FRAME_BYTES + DATA_HEAD;

/** RDATA of one stream from entries already encoded (§4.2.26): the server's fan-out path for rooms. */
export function encodeRData(roomId: number, firstSeq: number, entries: readonly Buffer[]): Buffer {
  checkDataRange(firstSeq, entries.length);
  let size = RDATA_OVERHEAD;
  for (const e of entries) size += e.length;
  const w = framed('rdata', size).u32(roomId).u32(firstSeq).u8(entries.length);
  for (const e of entries) w.bytes(e);
  return w.seal();
}

/** Bytes an RDATA datagram spends besides its entries. */
export const RDATA_OVERHEAD = FRAME_BYTES + RDATA_HEAD;

/**
 * Decodes one datagram. Throws {@link ProtocolError} (and nothing else) if it is not a
 * well-formed udp-chat v1 datagram, checking in the order of §4.7; never allocates based on a
 * claimed length before checking it.
 */
export function decode(input: Uint8Array): Message {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const fault = framingFault(buf);
  if (fault !== undefined) throw new ProtocolError(fault.code);
  return decodeBody(buf);
}

/**
 * The refusals of §4.7 steps 1–6 (size, magic, version, checksum, type), made once: a flood of
 * garbage is refused by {@link tryDecode} without allocating anything (an Error captures a stack).
 */
const FRAMING_FAULTS = new Map(
  (['UDPCHAT_ERR_OVERSIZE', 'UDPCHAT_ERR_TRUNCATED', 'UDPCHAT_ERR_BAD_MAGIC', 'UDPCHAT_ERR_BAD_VERSION', 'UDPCHAT_ERR_BAD_CHECKSUM', 'UDPCHAT_ERR_UNKNOWN_TYPE'] as const).map(
    (code) => [code, new ProtocolError(code)],
  ),
);

function fault(code: Parameters<typeof FRAMING_FAULTS.get>[0]): ProtocolError {
  return FRAMING_FAULTS.get(code) as ProtocolError;
}

/** The first framing check a datagram fails (a shared ProtocolError), or undefined: decode its body. */
function framingFault(buf: Buffer): ProtocolError | undefined {
  if (buf.length > MAX_DATAGRAM) return fault('UDPCHAT_ERR_OVERSIZE');
  if (buf.length < HEADER_BYTES + CHECKSUM_BYTES) return fault('UDPCHAT_ERR_TRUNCATED');
  if (buf[0] !== MAGIC_0 || buf[1] !== MAGIC_1) return fault('UDPCHAT_ERR_BAD_MAGIC');
  if (buf[2] !== VERSION) return fault('UDPCHAT_ERR_BAD_VERSION');
  // A damaged datagram must never be shown or acted on: check it before reading any field.
  if (!checksumOk(buf)) return fault('UDPCHAT_ERR_BAD_CHECKSUM');
  if (!TYPE_OF_OPCODE.has(buf[3] as number)) return fault('UDPCHAT_ERR_UNKNOWN_TYPE');
  return undefined;
}

/** SAY's opcode, its fixed fields (token, cseq, target, text length) and where its text starts (§4.2.2). */
const SAY_OPCODE = OPCODES.say;
const SAY_FIXED = TOKEN_BYTES + 4 + 1 + 2;
const SAY_TEXT_AT = HEADER_BYTES + SAY_FIXED;

/**
 * SAY, what a server receives most, read straight from a datagram whose framing is sound (§4.7
 * steps 1–6 passed) when it is well formed: the same message the codec table's reader makes, or
 * undefined whenever that reader would refuse it (wrong length, cseq 0, bad UTF-8), so that the
 * table reads it again and names the refusal. Exported for its differential spec.
 */
export function readWellFormedSay(buf: Buffer): SayMessage | undefined {
  if (buf[3] !== SAY_OPCODE || buf.length < FRAME_BYTES + SAY_FIXED) return undefined;
  const n = buf.readUInt16BE(SAY_TEXT_AT - 2);
  if (buf.length !== FRAME_BYTES + SAY_FIXED + n) return undefined;
  const cseq = buf.readUInt32BE(HEADER_BYTES + TOKEN_BYTES);
  if (cseq < 1) return undefined;
  const text = utf8OrUndefined(buf.subarray(SAY_TEXT_AT, SAY_TEXT_AT + n));
  if (text === undefined) return undefined;
  // A copy, as Reader.bytes makes: a message never aliases the receive buffer.
  const token = Buffer.allocUnsafe(TOKEN_BYTES);
  buf.copy(token, 0, HEADER_BYTES, HEADER_BYTES + TOKEN_BYTES);
  return { type: 'say', token, cseq, target: buf[HEADER_BYTES + TOKEN_BYTES + 4] as number, text };
}

/** The body of a datagram whose framing is sound. */
function decodeBody(buf: Buffer): Message {
  const say = readWellFormedSay(buf);
  if (say !== undefined) return say;
  const type = TYPE_OF_OPCODE.get(buf[3] as number) as MessageType;
  const r = new Reader(buf.subarray(0, buf.length - CHECKSUM_BYTES), HEADER_BYTES);
  const m = codecOf(type).read(r);
  r.end();
  return m;
}

/**
 * As {@link decode}, for receivers that drop what does not decode: the message, or the
 * {@link ProtocolError} that says why not (anything else still throws: a bug, not the peer). The
 * framing refusals are shared instances (read their `code`, never their stack), so refusing
 * garbage costs no allocation.
 */
export function tryDecode(input: Uint8Array): Message | ProtocolError {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const early = framingFault(buf);
  if (early !== undefined) return early;
  try {
    return decodeBody(buf);
  } catch (err) {
    if (err instanceof ProtocolError) return err;
    throw err;
  }
}
