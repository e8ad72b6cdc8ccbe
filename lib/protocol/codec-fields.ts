/**
 * What every entry of the codec table (codec-table.ts) is made of: the {@link TypeCodec} shape and
 * the field checks. Encoding checks raise {@link LocalError} (the caller handed us a value the wire
 * format cannot carry); decoding checks raise {@link ProtocolError} (the peer sent it).
 */
import { CHECKSUM_BYTES, HEADER_BYTES } from './constants.js';
import { LocalError } from './local-error.js';
import type { Message } from './messages.js';
import { ProtocolError } from './protocol-error.js';
import type { Reader, Writer } from './wire.js';

/**
 * How one datagram type is sized, written and read (docs/protocol.md §4.2), kept together.
 * - `size(m)`: the whole datagram's length (header, body, trailer). It measures the variable
 *   fields and refuses what cannot be measured or counted (bad UTF-8, nick length, entry counts),
 *   so those refusals come before UDPCHAT_ERR_OVERSIZE.
 * - `write(w, m)`: the body, into a writer that already holds the header; checks each remaining
 *   field as it writes it, in wire order.
 * - `read(r)`: the body, from a reader past the header and before the trailer; checks each field
 *   as it reads it, in wire order (§4.7: the first bad field decides the error).
 */
export interface TypeCodec<M extends Message> {
  size(m: M): number;
  write(w: Writer, m: M): void;
  read(r: Reader): M;
}

/** Header and trailer: what every datagram spends besides its body. */
export const FRAME_BYTES = HEADER_BYTES + CHECKSUM_BYTES;

/** A byte field of fixed length (tokens, ids, cookies). */
export function fixed(b: Buffer, n: number, name: string): Buffer {
  if (b.length !== n) throw new LocalError('UDPCHAT_ERR_BAD_FIELD', `${name} must be ${n} bytes`);
  return b;
}

export function u32In(v: number, min: number, name: string): number {
  if (!Number.isInteger(v) || v < min || v > 0xffff_ffff) throw new LocalError('UDPCHAT_ERR_BAD_FIELD', `${name} out of range`);
  return v;
}

// u8/u16 fields are checked too: Buffer.writeUInt16BE would throw a RangeError and a plain
// byte store would silently truncate, and encode promises LocalError only.
export function u16In(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new LocalError('UDPCHAT_ERR_BAD_FIELD', `${name} out of range`);
  return v;
}

export function u8In(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new LocalError('UDPCHAT_ERR_BAD_FIELD', `${name} out of range`);
  return v;
}

/** Encoding: refuses a message whose fields disagree with each other. */
export function consistent(ok: boolean, what: string): void {
  if (!ok) throw new LocalError('UDPCHAT_ERR_BAD_FIELD', what);
}

/** Decoding: refuses a datagram whose field breaks a range rule of §4.7. */
export function field(ok: boolean, what: string): void {
  if (!ok) throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', what);
}
