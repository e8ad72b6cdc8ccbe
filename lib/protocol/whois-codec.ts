/**
 * Codec table entries of nick ownership (docs/protocol.md §4.2 WHOIS and OWNER, capability bit 2,
 * identity): WHOIS asks who owns a nickname, OWNER answers with the owner's user key. See
 * {@link TypeCodec} for what size, write and read check.
 */
import { TOKEN_BYTES } from './constants.js';
import { FRAME_BYTES, type TypeCodec, consistent, field, fixed } from './codec-fields.js';
import type { OwnerMessage, WhoisMessage } from './messages.js';
import { nickLength, readNick } from './wire.js';

/** Capability bit of identity in JOIN and WELCOME caps (§4.5): WHOIS/OWNER and the NICK_OWNED code. */
export const CAP_IDENTITY = 1 << 2;

/** Bytes of a user key in OWNER (an X25519 public key). */
export const OWNER_KEY_BYTES = 32;

const FLAG_BOUND = 1;
const FLAG_ONLINE = 2;

const whois: TypeCodec<WhoisMessage> = {
  size: (m) => FRAME_BYTES + TOKEN_BYTES + 1 + nickLength(m.nick),
  write(w, m) {
    const n = Buffer.byteLength(m.nick, 'utf8');
    w.bytes(fixed(m.token, TOKEN_BYTES, 'token')).u8(n).text(m.nick, n);
  },
  read(r) {
    const token = r.bytes(TOKEN_BYTES);
    return { type: 'whois', token, nick: readNick(r) };
  },
};

/** Size of an OWNER: 64 + the nick's UTF-8 bytes. */
export function ownerBytes(m: OwnerMessage): number {
  return FRAME_BYTES + TOKEN_BYTES + 1 + 6 + OWNER_KEY_BYTES + 1 + nickLength(m.nick);
}

const owner: TypeCodec<OwnerMessage> = {
  size: ownerBytes,
  write(w, m) {
    consistent(m.bound || (m.lastUsed === 0 && m.key.every((b) => b === 0)), 'an unbound nick has lastUsed 0 and a zero key');
    consistent(Number.isSafeInteger(m.lastUsed) && m.lastUsed >= 0 && m.lastUsed < 2 ** 48, 'lastUsed out of range');
    const n = Buffer.byteLength(m.nick, 'utf8');
    w.bytes(fixed(m.token, TOKEN_BYTES, 'token'))
      .u8((m.bound ? FLAG_BOUND : 0) | (m.online ? FLAG_ONLINE : 0))
      .u48(m.lastUsed)
      .bytes(fixed(m.key, OWNER_KEY_BYTES, 'key'))
      .u8(n)
      .text(m.nick, n);
  },
  read(r) {
    const token = r.bytes(TOKEN_BYTES);
    const flags = r.u8();
    field((flags & ~(FLAG_BOUND | FLAG_ONLINE)) === 0, 'owner flags: only bits 0 and 1 are defined');
    const bound = (flags & FLAG_BOUND) !== 0;
    const lastUsed = r.u48();
    const key = r.bytes(OWNER_KEY_BYTES);
    field(bound || (lastUsed === 0 && key.every((b) => b === 0)), 'an unbound nick has lastUsed 0 and a zero key');
    return { type: 'owner', token, bound, online: (flags & FLAG_ONLINE) !== 0, lastUsed, key, nick: readNick(r) };
  },
};

export const WHOIS_CODECS = { whois, owner } as const;
