/**
 * Sealed datagrams of one session after the handshake (docs/sealed-design.md, "Envelope"):
 *
 *     header (caller's bytes, in clear) ‖ counter u64 big-endian ‖ ChaCha20-Poly1305(plaintext) ‖ tag
 *
 * The nonce is the counter (Noise's SetNonce, so the AEAD is exactly Noise's CipherState with an
 * explicit nonce); the associated data is header ‖ counter, so neither can be changed. The
 * receiver keeps a replay window: a datagram is accepted at most once, reordering within 2016
 * counters is fine, and a forged, damaged or replayed datagram is refused without changing any state.
 * Pure: keys in, bytes out.
 */
import type { KeyObject } from 'node:crypto';
import { aeadDecrypt, aeadEncrypt, aeadKey, KEY_BYTES, TAG_BYTES } from './primitives.js';
import { MAX_COUNTER, ReplayWindow } from './replay-window.js';

/** Bytes of the explicit counter after the header. */
export const COUNTER_BYTES = 8;
/** What sealing adds to a plaintext besides the header: the counter and the tag. */
export const SEAL_OVERHEAD = COUNTER_BYTES + TAG_BYTES;

/** Writes a counter (< 2⁵³) as u64 big-endian at `offset`. */
export function writeCounter(out: Buffer, counter: number, offset: number): void {
  out.writeUInt32BE(Math.floor(counter / 2 ** 32), offset);
  out.writeUInt32BE(counter >>> 0, offset + 4);
}

/** Reads a u64 big-endian counter, or −1 if it is 2⁵³ or more (never sent by a sender here). */
export function readCounter(bytes: Uint8Array, offset: number): number {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const high = view.readUInt32BE(offset);
  if (high >= 2 ** 21) return -1;
  return high * 2 ** 32 + view.readUInt32BE(offset + 4);
}

/** The sending half: seals with consecutive counters from 0. */
export class Sealer {
  readonly #key: KeyObject;
  #counter = 0;

  /** A 32-byte key (Split() output). Throws a RangeError for another length (misuse). */
  constructor(key: Uint8Array) {
    if (key.length !== KEY_BYTES) throw new RangeError(`a transport key is ${KEY_BYTES} bytes`);
    this.#key = aeadKey(key);
  }

  /** The counter the next datagram gets. */
  get counter(): number {
    return this.#counter;
  }

  /** header ‖ counter ‖ ciphertext ‖ tag. Throws a RangeError once 2⁵³ datagrams were sealed. */
  seal(header: Uint8Array, plaintext: Uint8Array): Buffer {
    if (this.#counter >= MAX_COUNTER) throw new RangeError('transport counter exhausted: rekey');
    const counter = this.#counter++;
    const out = Buffer.allocUnsafe(header.length + COUNTER_BYTES);
    out.set(header, 0);
    writeCounter(out, counter, header.length);
    return Buffer.concat([out, aeadEncrypt(this.#key, counter, out, plaintext)]);
  }
}

/** The receiving half: opens datagrams once each, in any order within the window. */
export class Opener {
  readonly #key: KeyObject;
  readonly #window = new ReplayWindow();

  constructor(key: Uint8Array) {
    if (key.length !== KEY_BYTES) throw new RangeError(`a transport key is ${KEY_BYTES} bytes`);
    this.#key = aeadKey(key);
  }

  /** The highest counter accepted so far (−1 if none). */
  get highestCounter(): number {
    return this.#window.top;
  }

  /**
   * The plaintext of a datagram whose first `headerLength` bytes are the header, or undefined if
   * it is too short, replayed, too old, forged or damaged; then nothing changes.
   */
  open(datagram: Uint8Array, headerLength: number): Buffer | undefined {
    const bodyAt = headerLength + COUNTER_BYTES;
    if (datagram.length < bodyAt + TAG_BYTES) return undefined;
    const counter = readCounter(datagram, headerLength);
    if (!this.#window.check(counter)) return undefined;
    const plaintext = aeadDecrypt(this.#key, counter, datagram.subarray(0, bodyAt), datagram.subarray(bodyAt));
    if (plaintext !== undefined) this.#window.accept(counter);
    return plaintext;
  }
}

/** Both directions of a session: what Split() gave this side. */
export class SessionChannel {
  readonly sealer: Sealer;
  readonly opener: Opener;

  constructor(keys: { readonly sendKey: Uint8Array; readonly receiveKey: Uint8Array }) {
    this.sealer = new Sealer(keys.sendKey);
    this.opener = new Opener(keys.receiveKey);
  }

  seal(header: Uint8Array, plaintext: Uint8Array): Buffer {
    return this.sealer.seal(header, plaintext);
  }

  open(datagram: Uint8Array, headerLength: number): Buffer | undefined {
    return this.opener.open(datagram, headerLength);
  }
}
