/**
 * The SEALED envelope of docs/sealed-design.md §4 (a proposal, not yet in docs/protocol.md): type
 * 0x7F (client → server) or 0xFF (server → client) after the usual 4-byte header, then a kind and a
 * u32 index. The cleartext and handshake kinds end with the CRC-32 trailer of protocol.md §2;
 * SESSION and ROOM datagrams are sealed by session-channel.ts / room-channel.ts with the 9-byte
 * envelope header as their header, and carry no CRC (the tag covers every byte).
 *
 * Pure; decodeEnvelope never throws (network input) and allocates nothing by a claimed length.
 */
import { crc32 } from 'node:zlib';
import { MAX_DATAGRAM } from '../constants.js';
import { ROOM_SEAL_OVERHEAD } from './room-channel.js';
import { SEAL_OVERHEAD } from './session-channel.js';

export const MAGIC = [0x55, 0x43] as const;
export const VERSION = 0x01;
export const SEALED_TO_SERVER = 0x7f;
export const SEALED_TO_CLIENT = 0xff;
/** Header (4) + kind (1) + index (4): the header sealed datagrams authenticate. */
export const ENVELOPE_HEADER_BYTES = 9;
/** A HELLO is padded to this size, more than a COOKIE (77), so the server never amplifies. */
export const HELLO_BYTES = 80;
export const COOKIE_BYTES = 77;
const CRC_BYTES = 4;
const ID_BYTES = 16;
const KEY_BYTES = 32;
/** Bytes a SESSION envelope adds around its inner datagram: header, counter, tag (33). */
export const SESSION_ENVELOPE_OVERHEAD = ENVELOPE_HEADER_BYTES + SEAL_OVERHEAD;
/** Bytes a ROOM envelope adds around its inner datagram: header, counter, tag, signature (97). */
export const ROOM_ENVELOPE_OVERHEAD = ENVELOPE_HEADER_BYTES + ROOM_SEAL_OVERHEAD;
/** The largest SEALED datagram: the limit of every datagram (docs/protocol.md §2, §5.8 "Sizes"). */
export const MAX_SEALED_DATAGRAM = MAX_DATAGRAM;
/**
 * The largest inner datagram a sealed server packs (1103): what fits the larger envelope within
 * MAX_SEALED_DATAGRAM, so every envelope does, whichever channel carries it.
 */
export const MAX_SEALED_INNER = MAX_SEALED_DATAGRAM - Math.max(SESSION_ENVELOPE_OVERHEAD, ROOM_ENVELOPE_OVERHEAD);
const MAX_DETAIL_BYTES = 200;

export type Direction = 'toServer' | 'toClient';
export type EnvelopeKind = 'hello' | 'cookie' | 'handshake1' | 'handshake2' | 'session' | 'room' | 'refusal';

const KIND_CODE: Record<EnvelopeKind, number> = { hello: 1, cookie: 2, handshake1: 3, handshake2: 4, session: 5, room: 6, refusal: 7 };
const KIND_OF_CODE: ReadonlyMap<number, EnvelopeKind> = new Map(Object.entries(KIND_CODE).map(([k, v]) => [v, k as EnvelopeKind]));
/** Which direction each kind travels. */
const DIRECTIONS: Record<EnvelopeKind, readonly Direction[]> = {
  hello: ['toServer'],
  cookie: ['toClient'],
  handshake1: ['toServer'],
  handshake2: ['toClient'],
  session: ['toServer', 'toClient'],
  room: ['toClient'],
  refusal: ['toClient'],
};

/** A decoded envelope. SESSION and ROOM give the whole datagram to open with the channel. */
export type Envelope =
  | { readonly kind: 'hello'; readonly clientId: Buffer }
  | { readonly kind: 'cookie'; readonly clientId: Buffer; readonly cookie: Buffer; readonly serverKey: Buffer }
  | { readonly kind: 'handshake1'; readonly clientId: Buffer; readonly cookie: Buffer; readonly message: Buffer }
  | { readonly kind: 'handshake2'; readonly index: number; readonly message: Buffer }
  | { readonly kind: 'refusal'; readonly index: number; readonly clientId: Buffer; readonly code: number; readonly detail: string }
  | { readonly kind: 'session'; readonly index: number; readonly datagram: Buffer }
  | { readonly kind: 'room'; readonly keyId: number; readonly datagram: Buffer };

/** Why a datagram is not a SEALED envelope for this side (a counted drop). */
export type EnvelopeFault = 'oversize' | 'truncated' | 'magic' | 'version' | 'type' | 'kind' | 'checksum' | 'length' | 'utf8';

/** The 9-byte envelope header (also the associated-data header of SESSION and ROOM datagrams). */
export function envelopeHeader(direction: Direction, kind: EnvelopeKind, index: number): Buffer {
  if (!DIRECTIONS[kind].includes(direction)) throw new RangeError(`a ${kind} envelope does not travel ${direction}`);
  const out = Buffer.alloc(ENVELOPE_HEADER_BYTES);
  out.set([MAGIC[0], MAGIC[1], VERSION, direction === 'toServer' ? SEALED_TO_SERVER : SEALED_TO_CLIENT, KIND_CODE[kind]]);
  out.writeUInt32BE(index, 5);
  return out;
}

function withTrailer(direction: Direction, kind: EnvelopeKind, index: number, ...fields: Uint8Array[]): Buffer {
  const body = Buffer.concat([envelopeHeader(direction, kind, index), ...fields]);
  const out = Buffer.alloc(body.length + CRC_BYTES);
  body.copy(out);
  out.writeUInt32BE(crc32(body), body.length);
  return out;
}

function exactly(bytes: Uint8Array, length: number, what: string): Uint8Array {
  if (bytes.length !== length) throw new RangeError(`${what} is ${length} bytes`);
  return bytes;
}

/** HELLO: clientId, zero padding to HELLO_BYTES. Throws a RangeError on bad field sizes (misuse). */
export function encodeHello(clientId: Uint8Array): Buffer {
  const padding = Buffer.alloc(HELLO_BYTES - ENVELOPE_HEADER_BYTES - ID_BYTES - CRC_BYTES);
  return withTrailer('toServer', 'hello', 0, exactly(clientId, ID_BYTES, 'clientId'), padding);
}

/** COOKIE: clientId, cookie, the server's X25519 static public key (77 bytes). */
export function encodeCookie(clientId: Uint8Array, cookie: Uint8Array, serverKey: Uint8Array): Buffer {
  return withTrailer('toClient', 'cookie', 0, exactly(clientId, ID_BYTES, 'clientId'), exactly(cookie, ID_BYTES, 'cookie'), exactly(serverKey, KEY_BYTES, 'serverKey'));
}

/**
 * HANDSHAKE1: clientId, cookie, Noise message 1. The clientId (already in clear in HELLO) lets
 * the server check the cookie, which is bound to it, before any DH.
 */
export function encodeHandshake1(clientId: Uint8Array, cookie: Uint8Array, message: Uint8Array): Buffer {
  return withTrailer('toServer', 'handshake1', 0, exactly(clientId, ID_BYTES, 'clientId'), exactly(cookie, ID_BYTES, 'cookie'), message);
}

/** HANDSHAKE2: the client's session index in the envelope, Noise message 2. */
export function encodeHandshake2(index: number, message: Uint8Array): Buffer {
  return withTrailer('toClient', 'handshake2', index, message);
}

/**
 * REFUSAL: clientId, code u8, detail (≤ 200 bytes of UTF-8). `index`: the session index a
 * SESSION datagram named that the server does not know (UNKNOWN_SESSION), else 0.
 */
export function encodeRefusal(clientId: Uint8Array, code: number, detail: string, index = 0): Buffer {
  const text = Buffer.from(detail, 'utf8');
  if (text.length > MAX_DETAIL_BYTES || !Number.isInteger(code) || code < 0 || code > 255) throw new RangeError('refusal code or detail out of range');
  return withTrailer('toClient', 'refusal', index, exactly(clientId, ID_BYTES, 'clientId'), Uint8Array.of(code, text.length), text);
}

/**
 * Decodes a datagram that arrived at `receiver` ('toServer' on the server). Magic, version, type
 * and kind come first, then the length and the CRC of the kinds that have one. SESSION and ROOM
 * come back whole: open them with the session or room channel (ENVELOPE_HEADER_BYTES of header).
 */
export function decodeEnvelope(datagram: Uint8Array, receiver: Direction): Envelope | { fault: EnvelopeFault } {
  const bytes = Buffer.from(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  if (bytes.length > MAX_SEALED_DATAGRAM) return { fault: 'oversize' };
  if (bytes.length < ENVELOPE_HEADER_BYTES) return { fault: 'truncated' };
  if (bytes[0] !== MAGIC[0] || bytes[1] !== MAGIC[1]) return { fault: 'magic' };
  if (bytes[2] !== VERSION) return { fault: 'version' };
  if (bytes[3] !== (receiver === 'toServer' ? SEALED_TO_SERVER : SEALED_TO_CLIENT)) return { fault: 'type' };
  const kind = KIND_OF_CODE.get(bytes[4]!);
  if (kind === undefined || !DIRECTIONS[kind].includes(receiver)) return { fault: 'kind' };
  const index = bytes.readUInt32BE(5);
  if (kind === 'session') return bytes.length < ENVELOPE_HEADER_BYTES + 24 ? { fault: 'truncated' } : { kind, index, datagram: bytes };
  if (kind === 'room') return bytes.length < ENVELOPE_HEADER_BYTES + 88 ? { fault: 'truncated' } : { kind, keyId: index, datagram: bytes };
  if (bytes.length < ENVELOPE_HEADER_BYTES + CRC_BYTES) return { fault: 'truncated' };
  const end = bytes.length - CRC_BYTES;
  if (crc32(bytes.subarray(0, end)) !== bytes.readUInt32BE(end)) return { fault: 'checksum' };
  return decodeBody(kind, index, bytes.subarray(ENVELOPE_HEADER_BYTES, end));
}

function decodeBody(kind: EnvelopeKind, index: number, body: Buffer): Envelope | { fault: EnvelopeFault } {
  const copy = (from: number, length: number): Buffer => Buffer.from(body.subarray(from, from + length));
  switch (kind) {
    case 'hello':
      if (body.length !== HELLO_BYTES - ENVELOPE_HEADER_BYTES - CRC_BYTES) return { fault: 'length' };
      return { kind, clientId: copy(0, ID_BYTES) };
    case 'cookie':
      if (body.length !== COOKIE_BYTES - ENVELOPE_HEADER_BYTES - CRC_BYTES) return { fault: 'length' };
      return { kind, clientId: copy(0, ID_BYTES), cookie: copy(ID_BYTES, ID_BYTES), serverKey: copy(2 * ID_BYTES, KEY_BYTES) };
    case 'handshake1':
      if (body.length < 2 * ID_BYTES + 96) return { fault: 'length' };
      return { kind, clientId: copy(0, ID_BYTES), cookie: copy(ID_BYTES, ID_BYTES), message: copy(2 * ID_BYTES, body.length - 2 * ID_BYTES) };
    case 'handshake2':
      if (body.length < 48) return { fault: 'length' };
      return { kind, index, message: copy(0, body.length) };
    default:
      return decodeRefusal(index, body);
  }
}

function decodeRefusal(index: number, body: Buffer): Envelope | { fault: EnvelopeFault } {
  if (body.length < ID_BYTES + 2 || body[ID_BYTES + 1]! > MAX_DETAIL_BYTES || body.length !== ID_BYTES + 2 + body[ID_BYTES + 1]!) return { fault: 'length' };
  const text = body.subarray(ID_BYTES + 2);
  let detail: string;
  try {
    detail = new TextDecoder('utf-8', { fatal: true }).decode(text);
  } catch {
    return { fault: 'utf8' };
  }
  return { kind: 'refusal', index, clientId: Buffer.from(body.subarray(0, ID_BYTES)), code: body[ID_BYTES]!, detail };
}
