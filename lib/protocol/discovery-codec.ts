/**
 * Codec table entries of the two discovery datagrams, DISCOVER and OFFER (docs/protocol.md
 * §4.2.16–17, §5.7). See {@link TypeCodec} for what size, write and read check.
 */
import { DISCOVER_BYTES, HEADER_BYTES, CHECKSUM_BYTES, MAX_SERVER_NAME_BYTES, NONCE_BYTES } from './constants.js';
import { consistent, field, fixed } from './codec-fields.js';
import type { TypeCodec } from './codec-fields.js';
import type { DiscoverMessage, OfferMessage } from './messages.js';
import { utf8Length } from './wire.js';

/** Zero bytes that fill a DISCOVER up to {@link DISCOVER_BYTES}. */
export const DISCOVER_PADDING = DISCOVER_BYTES - HEADER_BYTES - NONCE_BYTES - CHECKSUM_BYTES;

/** Bytes of an OFFER before its name: header, nonce, protocol, port, users, passphrase, nameLen; and the trailer. */
const OFFER_FIXED = HEADER_BYTES + NONCE_BYTES + 1 + 2 + 4 + 1 + 1 + CHECKSUM_BYTES;

/** Byte length of a server name, which must be 1–63 bytes of UTF-8 (LocalError otherwise). */
export function serverNameLength(name: string): number {
  const n = utf8Length(name);
  consistent(n >= 1 && n <= MAX_SERVER_NAME_BYTES, `server name must be 1–${MAX_SERVER_NAME_BYTES} bytes`);
  return n;
}

const discover: TypeCodec<DiscoverMessage> = {
  size: () => DISCOVER_BYTES,
  write(w, m) {
    w.bytes(fixed(m.nonce, NONCE_BYTES, 'nonce')).bytes(Buffer.alloc(DISCOVER_PADDING));
  },
  read(r) {
    const nonce = r.bytes(NONCE_BYTES);
    const padding = r.bytes(DISCOVER_PADDING);
    field(padding.every((b) => b === 0), 'discover padding must be zero');
    return { type: 'discover', nonce };
  },
};

const offer: TypeCodec<OfferMessage> = {
  // Checks the fields the size does not depend on too, before the name (as before the table).
  size(m) {
    consistent(Number.isInteger(m.protocol) && m.protocol >= 1 && m.protocol <= 0xff, 'offer protocol must be 1–255');
    consistent(Number.isInteger(m.port) && m.port >= 1 && m.port <= 0xffff, 'offer port must be 1–65535');
    consistent(Number.isInteger(m.users) && m.users >= 0 && m.users <= 0xffff_ffff, 'offer users out of range');
    consistent(typeof m.passphrase === 'boolean', 'offer passphrase must be true or false');
    return OFFER_FIXED + serverNameLength(m.name);
  },
  write(w, m) {
    const n = Buffer.byteLength(m.name, 'utf8');
    w.bytes(fixed(m.nonce, NONCE_BYTES, 'nonce'))
      .u8(m.protocol)
      .u16(m.port)
      .u32(m.users)
      .u8(m.passphrase ? 1 : 0)
      .u8(n)
      .text(m.name, n);
  },
  read(r) {
    const nonce = r.bytes(NONCE_BYTES);
    const protocol = r.u8();
    field(protocol >= 1, 'offer protocol must be ≥ 1');
    const port = r.u16();
    field(port >= 1, 'offer port must be ≥ 1');
    const users = r.u32();
    const flag = r.u8();
    field(flag <= 1, 'offer passphrase must be 0 or 1');
    const n = r.u8();
    field(n >= 1 && n <= MAX_SERVER_NAME_BYTES, `server name must be 1–${MAX_SERVER_NAME_BYTES} bytes`);
    return { type: 'offer', nonce, protocol, port, users, passphrase: flag === 1, name: r.text(n) };
  },
};

/** The discovery entries of the codec table. */
export const DISCOVERY_CODECS = { discover, offer } as const;
