/**
 * Records of a segment file (docs/storage.md): `u32 length, u32 CRC-32 of the body, body`.
 * Body kinds:
 * - 1 entry: `u32 seq`, then the entry bytes exactly as DATA carries them (§4.3 of the protocol);
 * - 2 message entry with its sender: `u32 seq, 16 clientId, u32 cseq`, then the entry bytes;
 * - 3 cseq mark: `16 clientId, u32 cseq` — a cseq the server accepted without an entry (a refused
 *   message), or, at the head of each segment, what every known client had acknowledged.
 */
import { crc32 } from 'node:zlib';
import { CLIENT_ID_BYTES } from '../../protocol/constants.js';

export type StoreRecord =
  | { kind: 'entry'; seq: number; bytes: Buffer; sender?: { clientId: Buffer; cseq: number } | undefined }
  | { kind: 'cseq'; clientId: Buffer; cseq: number };

export const RECORD_HEADER = 8;
/** Largest body a valid record has; a length field above it is damage. */
export const MAX_RECORD_BODY = 4096;

const KIND_ENTRY = 1;
const KIND_MSG = 2;
const KIND_CSEQ = 3;

/** The encoded record, header included. */
export function encodeRecord(r: StoreRecord): Buffer {
  const bodyLength =
    r.kind === 'cseq' ? 1 + CLIENT_ID_BYTES + 4 : 1 + 4 + (r.sender !== undefined ? CLIENT_ID_BYTES + 4 : 0) + r.bytes.length;
  const buf = Buffer.allocUnsafe(RECORD_HEADER + bodyLength);
  let o = buf.writeUInt32BE(bodyLength, 0) + 4;
  if (r.kind === 'cseq') {
    o = buf.writeUInt8(KIND_CSEQ, o);
    o += r.clientId.copy(buf, o);
    buf.writeUInt32BE(r.cseq, o);
  } else {
    o = buf.writeUInt8(r.sender !== undefined ? KIND_MSG : KIND_ENTRY, o);
    o = buf.writeUInt32BE(r.seq, o);
    if (r.sender !== undefined) {
      o += r.sender.clientId.copy(buf, o);
      o = buf.writeUInt32BE(r.sender.cseq, o);
    }
    r.bytes.copy(buf, o);
  }
  buf.writeUInt32BE(crc32(buf.subarray(RECORD_HEADER)), 4);
  return buf;
}

/** What reading a record at an offset found. */
export type ReadResult =
  | { ok: true; record: StoreRecord; next: number }
  | { ok: false; why: 'short' | 'length' | 'checksum' | 'body' };

/**
 * Reads the record at `offset` of `buf`. The entry bytes of the result are a view into `buf`.
 * Never throws: damage is reported as `ok: false` with the reason.
 */
export function readRecord(buf: Buffer, offset: number): ReadResult {
  if (buf.length - offset < RECORD_HEADER) return { ok: false, why: 'short' };
  const length = buf.readUInt32BE(offset);
  if (length < 1 + 4 || length > MAX_RECORD_BODY) return { ok: false, why: 'length' };
  const start = offset + RECORD_HEADER;
  const end = start + length;
  if (end > buf.length) return { ok: false, why: 'short' };
  const body = buf.subarray(start, end);
  if (crc32(body) !== buf.readUInt32BE(offset + 4)) return { ok: false, why: 'checksum' };
  const record = decodeBody(body);
  return record === undefined ? { ok: false, why: 'body' } : { ok: true, record, next: end };
}

function decodeBody(body: Buffer): StoreRecord | undefined {
  const kind = body[0];
  if (kind === KIND_CSEQ) {
    if (body.length !== 1 + CLIENT_ID_BYTES + 4) return undefined;
    return { kind: 'cseq', clientId: body.subarray(1, 1 + CLIENT_ID_BYTES), cseq: body.readUInt32BE(1 + CLIENT_ID_BYTES) };
  }
  if (kind === KIND_ENTRY || kind === KIND_MSG) {
    const seq = body.readUInt32BE(1);
    const head = kind === KIND_MSG ? 5 + CLIENT_ID_BYTES + 4 : 5;
    // An entry is at least kind, time and a one-byte nick (§4.3).
    if (seq === 0 || body.length < head + 9) return undefined;
    const bytes = body.subarray(head);
    if (kind === KIND_ENTRY) return { kind: 'entry', seq, bytes };
    const sender = { clientId: body.subarray(5, 5 + CLIENT_ID_BYTES), cseq: body.readUInt32BE(5 + CLIENT_ID_BYTES) };
    return { kind: 'entry', seq, bytes, sender };
  }
  return undefined;
}

/** Whether encoded entry bytes are a chat message (entry kind 1, §4.3). */
export function isMessageEntry(bytes: Buffer): boolean {
  return bytes[0] === 1;
}

/** The time (ms since the epoch) of encoded entry bytes (§4.3: u48 after the kind byte). */
export function entryTime(bytes: Buffer): number {
  return bytes.readUIntBE(1, 6);
}
