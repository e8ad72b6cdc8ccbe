/**
 * Long-term keys of sealed sessions (docs/sealed-design.md, "Identities"), pure: randomness comes
 * in, keys and text go out; files are the shells' business (lib/state/key-file.ts).
 *
 * - A server has an X25519 static key (the Noise `s` its clients pin) and an Ed25519 key that signs
 *   room datagrams; its fingerprint is that of the X25519 public key.
 * - A user has an X25519 static key (the initiator's `s` in IK): the server binds nicks to it.
 *
 * Fingerprints are OpenSSH's format, `SHA256:` and the unpadded base64 of the SHA-256 of the public
 * key (43 characters): people who have compared SSH host keys recognise it, it carries the whole
 * hash (a truncated one could be matched by a ground key), and a prefix names the algorithm.
 */
import { x25519KeyPair, KEY_BYTES } from './primitives.js';
import { ed25519PublicKey } from './room-channel.js';

/** Random bytes from a cryptographically secure generator (crypto.randomBytes in the shells). */
export type Random = (bytes: number) => Uint8Array;

/** A server's long-term private keys, raw 32 bytes each. */
export interface ServerKeys {
  readonly x25519: Buffer;
  readonly ed25519: Buffer;
}

/** The public halves a client learns: the pinned static key and the room-signing key. */
export interface ServerPublicKeys {
  readonly x25519: Buffer;
  readonly ed25519: Buffer;
}

/** New server keys from 64 random bytes. */
export function generateServerKeys(random: Random): ServerKeys {
  return { x25519: Buffer.from(checked(random, KEY_BYTES)), ed25519: Buffer.from(checked(random, KEY_BYTES)) };
}

/** A new user key: 32 random bytes, the private X25519 key. */
export function generateUserKey(random: Random): Buffer {
  return Buffer.from(checked(random, KEY_BYTES));
}

/** The public keys of a server's private keys. Throws a RangeError for keys that are not 32 bytes. */
export function serverPublicKeys(keys: ServerKeys): ServerPublicKeys {
  return { x25519: x25519KeyPair(keys.x25519).publicKey, ed25519: ed25519PublicKey(keys.ed25519) };
}

/** `SHA256:` + unpadded base64 of SHA-256(public key), e.g. `SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU`. */
export { fingerprint } from './fingerprint.js';

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** True if `text` is a fingerprint in the format above (for input from a user). */
export function isFingerprint(text: string): boolean {
  return FINGERPRINT.test(text);
}

function checked(random: Random, bytes: number): Uint8Array {
  const out = random(bytes);
  if (out.length !== bytes) throw new RangeError(`the random source gave ${out.length} bytes, not ${bytes}`);
  return out;
}
