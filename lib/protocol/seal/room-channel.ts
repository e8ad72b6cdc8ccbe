/**
 * Room fan-out, sealed once (docs/sealed-design.md, "Room datagrams"): the server seals a room
 * datagram with the room key — the same bytes go to every member — and signs it with its Ed25519
 * key, so a member who knows the room key can read the room but cannot forge a server datagram to
 * another member.
 *
 *     header ‖ counter u64 ‖ ChaCha20-Poly1305(room key, counter, header ‖ counter; plaintext) ‖ tag
 *            ‖ Ed25519 signature (64) of everything before it
 *
 * A member checks, in this order and changing nothing until all pass: length, replay window, tag
 * (cheap: refuses outsiders), signature (dearer: refuses members). Pure: keys in, bytes out.
 */
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { aeadDecrypt, aeadEncrypt, aeadKey, KEY_BYTES, TAG_BYTES } from './primitives.js';
import { MAX_COUNTER, ReplayWindow } from './replay-window.js';
import { COUNTER_BYTES, readCounter, writeCounter } from './session-channel.js';

/** Length of an Ed25519 signature. */
export const SIGNATURE_BYTES = 64;
/** What room sealing adds besides the header: counter, tag and signature. */
export const ROOM_SEAL_OVERHEAD = COUNTER_BYTES + TAG_BYTES + SIGNATURE_BYTES;

// DER prefixes of PKCS #8 and SPKI Ed25519 keys (RFC 8410): the raw 32 bytes follow.
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

/** An Ed25519 private key object from its raw 32-byte seed. Throws a RangeError for another length. */
export function ed25519PrivateKey(seed: Uint8Array): KeyObject {
  if (seed.length !== KEY_BYTES) throw new RangeError(`an Ed25519 private key is ${KEY_BYTES} bytes`);
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
}

/** The raw 32-byte Ed25519 public key of a raw private key (seed). */
export function ed25519PublicKey(seed: Uint8Array): Buffer {
  const spki = createPublicKey(ed25519PrivateKey(seed)).export({ format: 'der', type: 'spki' });
  return Buffer.from(spki.subarray(SPKI_ED25519.length));
}

/** An Ed25519 public key object from 32 raw bytes, or undefined if they are not a valid key. */
export function ed25519PublicKeyObject(raw: Uint8Array): KeyObject | undefined {
  if (raw.length !== KEY_BYTES) return undefined;
  try {
    return createPublicKey({ key: Buffer.concat([SPKI_ED25519, raw]), format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
}

/** The server's side of one room key: seals and signs with consecutive counters from 0. */
export class RoomSealer {
  readonly #key: KeyObject;
  readonly #signingKey: KeyObject;
  #counter = 0;

  /** The 32-byte room key and the server's raw Ed25519 private key. Throws a RangeError on bad lengths. */
  constructor(roomKey: Uint8Array, signingPrivateKey: Uint8Array) {
    if (roomKey.length !== KEY_BYTES) throw new RangeError(`a room key is ${KEY_BYTES} bytes`);
    this.#key = aeadKey(roomKey);
    this.#signingKey = ed25519PrivateKey(signingPrivateKey);
  }

  /** header ‖ counter ‖ ciphertext ‖ tag ‖ signature. Throws a RangeError once the counter is used up. */
  seal(header: Uint8Array, plaintext: Uint8Array): Buffer {
    if (this.#counter >= MAX_COUNTER) throw new RangeError('room counter exhausted: new room key');
    const counter = this.#counter++;
    const head = Buffer.allocUnsafe(header.length + COUNTER_BYTES);
    head.set(header, 0);
    writeCounter(head, counter, header.length);
    const signed = Buffer.concat([head, aeadEncrypt(this.#key, counter, head, plaintext)]);
    return Buffer.concat([signed, sign(null, signed, this.#signingKey)]);
  }
}

/** A member's side of one room key. */
export class RoomOpener {
  readonly #key: KeyObject;
  readonly #serverKey: KeyObject;
  readonly #window = new ReplayWindow();

  /**
   * The 32-byte room key and the server's Ed25519 public key object (ed25519PublicKeyObject, made
   * once: creating it per datagram would cost more than the verification). Throws on a bad room key.
   */
  constructor(roomKey: Uint8Array, serverSigningKey: KeyObject) {
    if (roomKey.length !== KEY_BYTES) throw new RangeError(`a room key is ${KEY_BYTES} bytes`);
    this.#key = aeadKey(roomKey);
    this.#serverKey = serverSigningKey;
  }

  /**
   * The plaintext of a room datagram with a `headerLength`-byte header, or undefined if it is too
   * short, replayed, too old, not sealed with this room key, or not signed by the server; then
   * nothing changes.
   */
  open(datagram: Uint8Array, headerLength: number): Buffer | undefined {
    const bodyAt = headerLength + COUNTER_BYTES;
    const signatureAt = datagram.length - SIGNATURE_BYTES;
    if (signatureAt < bodyAt + TAG_BYTES) return undefined;
    const counter = readCounter(datagram, headerLength);
    if (!this.#window.check(counter)) return undefined;
    const plaintext = aeadDecrypt(this.#key, counter, datagram.subarray(0, bodyAt), datagram.subarray(bodyAt, signatureAt));
    if (plaintext === undefined) return undefined;
    if (!verify(null, datagram.subarray(0, signatureAt), this.#serverKey, datagram.subarray(signatureAt))) return undefined;
    this.#window.accept(counter);
    return plaintext;
  }
}
