/**
 * Bodies of the two discovery datagrams, DISCOVER and OFFER (docs/protocol.md §4.2.16–17, §5.7).
 * The codec (codec.ts) writes the header and trailer and calls these for the body.
 */
import { DISCOVER_BYTES, HEADER_BYTES, CHECKSUM_BYTES, MAX_SERVER_NAME_BYTES, NONCE_BYTES } from './constants.js';
import type { DiscoverMessage, OfferMessage } from './messages.js';
import { ProtocolError } from './protocol-error.js';
import { type Reader, type Writer, utf8Length } from './wire.js';

/** Zero bytes that fill a DISCOVER up to {@link DISCOVER_BYTES}. */
export const DISCOVER_PADDING = DISCOVER_BYTES - HEADER_BYTES - NONCE_BYTES - CHECKSUM_BYTES;

/** Bytes of an OFFER before its name: header, nonce, protocol, port, users, passphrase, nameLen. */
const OFFER_FIXED = HEADER_BYTES + NONCE_BYTES + 1 + 2 + 4 + 1 + 1;

function bad(what: string): never {
  throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', what);
}

function nonceOf(b: Buffer): Buffer {
  if (b.length !== NONCE_BYTES) bad(`nonce must be ${NONCE_BYTES} bytes`);
  return b;
}

/** Byte length of a server name, which must be 1–63 bytes of UTF-8. */
export function serverNameLength(name: string): number {
  const n = utf8Length(name);
  if (n < 1 || n > MAX_SERVER_NAME_BYTES) bad(`server name must be 1–${MAX_SERVER_NAME_BYTES} bytes`);
  return n;
}

/** Size of a DISCOVER without its trailer (what `header()` is given). */
export function discoverSize(): number {
  return DISCOVER_BYTES - CHECKSUM_BYTES;
}

export function writeDiscover(w: Writer, m: DiscoverMessage): Writer {
  return w.bytes(nonceOf(m.nonce)).bytes(Buffer.alloc(DISCOVER_PADDING));
}

export function readDiscover(r: Reader): DiscoverMessage {
  const nonce = r.bytes(NONCE_BYTES);
  const padding = r.bytes(DISCOVER_PADDING);
  if (padding.some((b) => b !== 0)) bad('discover padding must be zero');
  return { type: 'discover', nonce };
}

/** Size of an OFFER without its trailer; checks the fields the size does not depend on too. */
export function offerSize(m: OfferMessage): number {
  if (!Number.isInteger(m.protocol) || m.protocol < 1 || m.protocol > 0xff) bad('offer protocol must be 1–255');
  if (!Number.isInteger(m.port) || m.port < 1 || m.port > 0xffff) bad('offer port must be 1–65535');
  if (!Number.isInteger(m.users) || m.users < 0 || m.users > 0xffff_ffff) bad('offer users out of range');
  if (typeof m.passphrase !== 'boolean') bad('offer passphrase must be true or false');
  return OFFER_FIXED + serverNameLength(m.name);
}

export function writeOffer(w: Writer, m: OfferMessage): Writer {
  const n = serverNameLength(m.name);
  return w
    .bytes(nonceOf(m.nonce))
    .u8(m.protocol)
    .u16(m.port)
    .u32(m.users)
    .u8(m.passphrase ? 1 : 0)
    .u8(n)
    .text(m.name, n);
}

export function readOffer(r: Reader): OfferMessage {
  const nonce = r.bytes(NONCE_BYTES);
  const protocol = r.u8();
  if (protocol < 1) bad('offer protocol must be ≥ 1');
  const port = r.u16();
  if (port < 1) bad('offer port must be ≥ 1');
  const users = r.u32();
  const flag = r.u8();
  if (flag > 1) bad('offer passphrase must be 0 or 1');
  const n = r.u8();
  if (n < 1 || n > MAX_SERVER_NAME_BYTES) bad(`server name must be 1–${MAX_SERVER_NAME_BYTES} bytes`);
  return { type: 'offer', nonce, protocol, port, users, passphrase: flag === 1, name: r.text(n) };
}
