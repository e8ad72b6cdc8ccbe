/**
 * Noise SymmetricState (revision 34, §5.2): the chaining key ck, the handshake hash h and a
 * CipherState, for SHA-256 and ChaChaPoly.
 */
import { CipherState } from './cipher-state.js';
import { HASH_BYTES, hkdf, sha256 } from './primitives.js';

export class SymmetricState {
  #ck: Buffer;
  #h: Buffer;
  #cipher: CipherState;

  /** InitializeSymmetric(protocolName): h = the name padded to 32 bytes, or its hash if longer. */
  constructor(protocolName: string | SymmetricState) {
    if (protocolName instanceof SymmetricState) {
      this.#ck = protocolName.#ck;
      this.#h = protocolName.#h;
      this.#cipher = protocolName.#cipher.clone();
      return;
    }
    const name = Buffer.from(protocolName, 'ascii');
    this.#h = name.length <= HASH_BYTES ? Buffer.concat([name, Buffer.alloc(HASH_BYTES - name.length)]) : sha256(name);
    this.#ck = this.#h;
    this.#cipher = new CipherState();
  }

  /** MixKey(ikm): ck, k = HKDF(ck, ikm, 2); the cipher gets k and n = 0. */
  mixKey(inputKeyMaterial: Uint8Array): void {
    const [ck, k] = hkdf(this.#ck, inputKeyMaterial, 2);
    this.#ck = ck;
    this.#cipher.initializeKey(k);
  }

  /** MixHash(data): h = HASH(h || data). */
  mixHash(data: Uint8Array): void {
    this.#h = sha256(this.#h, data);
  }

  /** MixKeyAndHash(ikm): for pre-shared keys (§9). */
  mixKeyAndHash(inputKeyMaterial: Uint8Array): void {
    const [ck, tempH, k] = hkdf(this.#ck, inputKeyMaterial, 3);
    this.#ck = ck;
    this.mixHash(tempH);
    this.#cipher.initializeKey(k);
  }

  /** GetHandshakeHash(): h, a value both sides share once the handshake is done (channel binding). */
  handshakeHash(): Buffer {
    return Buffer.from(this.#h);
  }

  /** EncryptAndHash(plaintext): encrypt with h as associated data, then mix the ciphertext in. */
  encryptAndHash(plaintext: Uint8Array): Buffer {
    const ciphertext = this.#cipher.encryptWithAd(this.#h, plaintext);
    this.mixHash(ciphertext);
    return ciphertext;
  }

  /** DecryptAndHash(ciphertext): the plaintext, or undefined (and nothing mixed) if it fails. */
  decryptAndHash(ciphertext: Uint8Array): Buffer | undefined {
    const plaintext = this.#cipher.decryptWithAd(this.#h, ciphertext);
    if (plaintext !== undefined) this.mixHash(ciphertext);
    return plaintext;
  }

  /** Split(): the two transport keys, initiator → responder first. */
  split(): [Buffer, Buffer] {
    return hkdf(this.#ck, Buffer.alloc(0), 2);
  }

  /** A copy to try a message on without committing to it. */
  clone(): SymmetricState {
    return new SymmetricState(this);
  }
}
