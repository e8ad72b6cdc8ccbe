/**
 * Byte-level reader and writer used by the codec. A Reader never reads past the datagram:
 * every read checks the remaining length first and throws UDPCHAT_ERR_TRUNCATED. Reading raises
 * {@link ProtocolError} (the peer's bytes); measuring what we are about to write raises
 * {@link LocalError} (our value).
 */
import { crc32 } from 'node:zlib';
import { CHECKSUM_BYTES, MAX_NICK_BYTES } from './constants.js';
import { LocalError } from './local-error.js';
import { ProtocolError } from './protocol-error.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class Reader {
  private offset: number;

  constructor(
    private readonly buf: Buffer,
    offset: number,
  ) {
    this.offset = offset;
  }

  private need(n: number): number {
    if (this.buf.length - this.offset < n) throw new ProtocolError('UDPCHAT_ERR_TRUNCATED');
    const at = this.offset;
    this.offset += n;
    return at;
  }

  u8(): number {
    return this.buf[this.need(1)] as number;
  }

  u16(): number {
    return this.buf.readUInt16BE(this.need(2));
  }

  u32(): number {
    return this.buf.readUInt32BE(this.need(4));
  }

  u48(): number {
    return this.buf.readUIntBE(this.need(6), 6);
  }

  /** A copy of the next n bytes (copied so a message never aliases the receive buffer). */
  bytes(n: number): Buffer {
    const at = this.need(n);
    return Buffer.from(this.buf.subarray(at, at + n));
  }

  /** UTF-8 text of exactly n bytes. */
  text(n: number): string {
    const at = this.need(n);
    try {
      return UTF8.decode(this.buf.subarray(at, at + n));
    } catch {
      throw new ProtocolError('UDPCHAT_ERR_BAD_UTF8');
    }
  }

  end(): void {
    if (this.offset !== this.buf.length) throw new ProtocolError('UDPCHAT_ERR_TRAILING_BYTES');
  }
}

export class Writer {
  private offset = 0;
  readonly buf: Buffer;

  /**
   * `own`: give the bytes memory of their own rather than a slice of Node's shared 8 KiB pool,
   * for buffers kept a long time (a kept slice pins its whole pool slab). A Buffer: write into it,
   * filling it exactly.
   */
  constructor(size: number | Buffer, own = false) {
    if (typeof size !== 'number') this.buf = size;
    else this.buf = own ? Buffer.allocUnsafeSlow(size) : Buffer.allocUnsafe(size);
  }

  u8(v: number): this {
    this.buf[this.offset++] = v;
    return this;
  }

  u16(v: number): this {
    this.offset = this.buf.writeUInt16BE(v, this.offset);
    return this;
  }

  u32(v: number): this {
    this.offset = this.buf.writeUInt32BE(v, this.offset);
    return this;
  }

  u48(v: number): this {
    this.offset = this.buf.writeUIntBE(v, this.offset, 6);
    return this;
  }

  bytes(b: Buffer): this {
    this.offset += b.copy(this.buf, this.offset);
    return this;
  }

  /** Writes UTF-8 that the caller already measured with {@link utf8Length}. */
  text(s: string, byteLength: number): this {
    this.offset += this.buf.write(s, this.offset, byteLength, 'utf8');
    return this;
  }

  /** Appends the CRC-32 of everything written so far (the trailer, §2) and returns the datagram. */
  seal(): Buffer {
    this.offset = this.buf.writeUInt32BE(crc32(this.buf.subarray(0, this.offset)), this.offset);
    return this.done();
  }

  done(): Buffer {
    if (this.offset !== this.buf.length) throw new Error(`writer: wrote ${this.offset} of ${this.buf.length} bytes`);
    return this.buf;
  }
}

/** The UTF-8 text of `bytes`, or undefined if they are not well-formed UTF-8 (the same decoder as {@link Reader.text}). */
export function utf8OrUndefined(bytes: Uint8Array): string | undefined {
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** UTF-8 length of a string; throws LocalError UDPCHAT_ERR_BAD_UTF8 for lone surrogates (they cannot round-trip). */
export function utf8Length(s: string): number {
  if (!s.isWellFormed()) throw new LocalError('UDPCHAT_ERR_BAD_UTF8');
  return Buffer.byteLength(s, 'utf8');
}

/** True if the trailer is the CRC-32 of the bytes before it. */
export function checksumOk(buf: Buffer): boolean {
  const end = buf.length - CHECKSUM_BYTES;
  return end >= 0 && crc32(buf.subarray(0, end)) === buf.readUInt32BE(end);
}

/** UTF-8 length of a nickname, which must be 1–64 bytes (LocalError UDPCHAT_ERR_BAD_FIELD otherwise). */
export function nickLength(nick: string): number {
  const n = utf8Length(nick);
  if (n < 1 || n > MAX_NICK_BYTES) throw new LocalError('UDPCHAT_ERR_BAD_FIELD', 'nick must be 1–64 bytes');
  return n;
}

/** A length-prefixed nickname (u8 length, 1–64, then UTF-8). */
export function readNick(r: Reader): string {
  const n = r.u8();
  if (n < 1 || n > MAX_NICK_BYTES) throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', 'nick must be 1–64 bytes');
  return r.text(n);
}
