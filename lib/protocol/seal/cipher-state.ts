/**
 * Noise CipherState (revision 34, §5.1): a key k (or none) and a 64-bit nonce n. Encryption uses n
 * and then increments it; SetNonce moves it for transports that carry the nonce explicitly.
 */
import { aeadDecrypt, aeadEncrypt, KEY_BYTES } from './primitives.js';

/** 2⁶⁴ − 1 is reserved (§5.1): a CipherState refuses to use it. */
const MAX_NONCE = 0xffff_ffff_ffff_ffffn;

export class CipherState {
  #key: Buffer | undefined;
  #nonce = 0n;

  /** InitializeKey(key): a 32-byte key, or undefined for "no key" (then encryption is identity). */
  constructor(key?: Uint8Array) {
    this.initializeKey(key);
  }

  /** InitializeKey(key) and n = 0. Throws a RangeError for a key that is not 32 bytes (misuse). */
  initializeKey(key: Uint8Array | undefined): void {
    if (key !== undefined && key.length !== KEY_BYTES) throw new RangeError(`a cipher key is ${KEY_BYTES} bytes`);
    this.#key = key === undefined ? undefined : Buffer.from(key);
    this.#nonce = 0n;
  }

  hasKey(): boolean {
    return this.#key !== undefined;
  }

  /** The nonce the next operation uses. */
  get nonce(): bigint {
    return this.#nonce;
  }

  /** SetNonce(n). Throws a RangeError outside 0 … 2⁶⁴ − 2 (misuse). */
  setNonce(n: bigint): void {
    if (n < 0n || n >= MAX_NONCE) throw new RangeError('nonce out of range');
    this.#nonce = n;
  }

  /**
   * EncryptWithAd(ad, plaintext): with a key, the ciphertext and tag under the current nonce, which
   * is then incremented; without one, the plaintext. Throws a RangeError when the nonce is used up.
   */
  encryptWithAd(ad: Uint8Array, plaintext: Uint8Array): Buffer {
    if (this.#key === undefined) return Buffer.from(plaintext);
    if (this.#nonce >= MAX_NONCE) throw new RangeError('nonce exhausted');
    const out = aeadEncrypt(this.#key, this.#nonce, ad, plaintext);
    this.#nonce += 1n;
    return out;
  }

  /**
   * DecryptWithAd(ad, ciphertext): the plaintext, or undefined when the tag does not verify; the
   * nonce is incremented only on success (so a forged message changes nothing).
   */
  decryptWithAd(ad: Uint8Array, ciphertext: Uint8Array): Buffer | undefined {
    if (this.#key === undefined) return Buffer.from(ciphertext);
    if (this.#nonce >= MAX_NONCE) return undefined;
    const out = aeadDecrypt(this.#key, this.#nonce, ad, ciphertext);
    if (out !== undefined) this.#nonce += 1n;
    return out;
  }

  /** A copy with the same key and nonce (to try a message without committing to it). */
  clone(): CipherState {
    const copy = new CipherState(this.#key);
    copy.#nonce = this.#nonce;
    return copy;
  }
}
