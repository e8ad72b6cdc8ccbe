/**
 * The cryptographic functions of Noise_*_25519_ChaChaPoly_SHA256 (Noise Protocol Framework,
 * revision 34, §4 and §12) on node:crypto: X25519, ChaCha20-Poly1305 (RFC 8439) with Noise's nonce
 * layout, SHA-256, HMAC-SHA256 and Noise's HKDF. Keys in, bytes out: no I/O, no clock, no
 * randomness (callers pass private keys in).
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, createPrivateKey, createPublicKey, createSecretKey, diffieHellman } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/** Length of an X25519 key, a ChaCha20-Poly1305 key and a SHA-256 output. */
export const KEY_BYTES = 32;
export const HASH_BYTES = 32;
/** Length of a Poly1305 authentication tag. */
export const TAG_BYTES = 16;

// DER prefix of a PKCS #8 X25519 private key (RFC 8410): the raw 32 bytes follow.
const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');

/** An X25519 key pair: raw 32-byte keys, and the private key as a node:crypto object. */
export interface KeyPair {
  readonly publicKey: Buffer;
  readonly privateKey: Buffer;
  readonly privateKeyObject: KeyObject;
}

const PLACEHOLDER_X = Buffer.alloc(KEY_BYTES).toString('base64url');

/**
 * Whether a private key imported as JWK with a placeholder public part "x" yields the public key of
 * its "d". On Node 20 and 22 it does, and JWK import takes a tenth of the time of PKCS #8 DER under
 * OpenSSL 3.0 (≈ 0.3 ms against 2.3 ms on a loaded machine); Node 24 refuses a JWK whose x does not
 * match, and its OpenSSL 3.5 imports DER quickly. This probe on the RFC 7748 §6.1 key decides once.
 */
const JWK_IMPORT_DERIVES_PUBLIC = ((): boolean => {
  const d = Buffer.from('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a', 'hex');
  try {
    const key = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: d.toString('base64url'), x: PLACEHOLDER_X }, format: 'jwk' });
    const x = createPublicKey(key).export({ format: 'jwk' }).x;
    return x === Buffer.from('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a', 'hex').toString('base64url');
  } catch {
    return false;
  }
})();

function x25519PrivateKey(raw: Uint8Array): KeyObject {
  if (raw.length !== KEY_BYTES) throw new RangeError(`an X25519 private key is ${KEY_BYTES} bytes`);
  if (JWK_IMPORT_DERIVES_PUBLIC) {
    const d = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64url');
    return createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d, x: PLACEHOLDER_X }, format: 'jwk' });
  }
  return createPrivateKey({ key: Buffer.concat([PKCS8_X25519, raw]), format: 'der', type: 'pkcs8' });
}

function x25519PublicKey(raw: Uint8Array): KeyObject {
  const x = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64url');
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x }, format: 'jwk' });
}

/**
 * The X25519 key pair of a 32-byte private key (any 32 bytes; X25519 clamps them). Make it once
 * per key and pass it around: the import is the dear part. Throws a RangeError if the private key
 * is not 32 bytes (our own misuse).
 */
export function x25519KeyPair(privateKey: Uint8Array): KeyPair {
  const privateKeyObject = x25519PrivateKey(privateKey);
  const x = createPublicKey(privateKeyObject).export({ format: 'jwk' }).x ?? '';
  return { publicKey: Buffer.from(x, 'base64url'), privateKey: Buffer.from(privateKey), privateKeyObject };
}

/**
 * X25519(key pair's private key, publicKey): the 32-byte shared secret, or undefined when the
 * peer's public key is unusable (wrong length, or a low-order point, which OpenSSL refuses because
 * the result would be all zero). A peer's key is network input, so this never throws for it.
 */
export function x25519(own: KeyPair | Uint8Array, publicKey: Uint8Array): Buffer | undefined {
  if (publicKey.length !== KEY_BYTES) return undefined;
  const privateKey = own instanceof Uint8Array ? x25519PrivateKey(own) : own.privateKeyObject;
  try {
    return diffieHellman({ privateKey, publicKey: x25519PublicKey(publicKey) });
  } catch {
    return undefined;
  }
}

/**
 * A ChaCha20-Poly1305 key: 32 raw bytes, or (dearer to make, cheaper to use: node:crypto skips
 * importing the bytes on every call) the {@link aeadKey} made of them once.
 */
export type AeadKey = Uint8Array | KeyObject;

/** The key object of a 32-byte ChaCha20-Poly1305 key, for keys used for many datagrams. */
export function aeadKey(raw: Uint8Array): KeyObject {
  if (raw.length !== KEY_BYTES) throw new RangeError(`a ChaCha20-Poly1305 key is ${KEY_BYTES} bytes`);
  return createSecretKey(raw);
}

// One nonce buffer for every call: node:crypto copies the nonce when the cipher is made, and
// nothing runs between writing it and that.
const NONCE = Buffer.alloc(12);

/**
 * Noise's ChaChaPoly nonce: 32 bits of zeros, then the 64-bit counter little-endian (§12.3). A
 * counter may come as a number (a datagram counter, below 2⁵³: no BigInt to make) or a bigint.
 */
function chachaNonce(n: bigint | number): Buffer {
  if (typeof n === 'number') {
    NONCE.writeUInt32LE(n >>> 0, 4);
    NONCE.writeUInt32LE(Math.floor(n / 2 ** 32), 8);
  } else {
    NONCE.writeBigUInt64LE(n, 4);
  }
  return NONCE;
}

/** ENCRYPT(k, n, ad, plaintext): ciphertext followed by the 16-byte tag. */
export function aeadEncrypt(key: AeadKey, n: bigint | number, ad: Uint8Array, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv('chacha20-poly1305', key, chachaNonce(n), { authTagLength: TAG_BYTES });
  cipher.setAAD(ad, { plaintextLength: plaintext.length });
  const head = cipher.update(plaintext);
  const tail = cipher.final();
  return Buffer.concat([head, tail, cipher.getAuthTag()]);
}

/**
 * DECRYPT(k, n, ad, ciphertext): the plaintext, or undefined if the ciphertext is shorter than a
 * tag or the tag does not verify (forged, damaged, wrong key or wrong associated data).
 */
export function aeadDecrypt(key: AeadKey, n: bigint | number, ad: Uint8Array, ciphertext: Uint8Array): Buffer | undefined {
  if (ciphertext.length < TAG_BYTES) return undefined;
  const body = ciphertext.subarray(0, ciphertext.length - TAG_BYTES);
  const decipher = createDecipheriv('chacha20-poly1305', key, chachaNonce(n), { authTagLength: TAG_BYTES });
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - TAG_BYTES));
  decipher.setAAD(ad, { plaintextLength: body.length });
  const head = decipher.update(body);
  let tail: Buffer;
  try {
    tail = decipher.final();
  } catch {
    return undefined;
  }
  // A stream cipher: final() checks the tag and adds no bytes (concat would copy the plaintext).
  return tail.length === 0 ? head : Buffer.concat([head, tail]);
}

/** SHA-256 of the concatenation of the parts. */
export function sha256(...parts: Uint8Array[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** HMAC-SHA256(key, concatenation of the parts). */
export function hmacSha256(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** Noise's HKDF(chainingKey, inputKeyMaterial, numOutputs) with HMAC-SHA256 (§4.3). */
export function hkdf(chainingKey: Uint8Array, inputKeyMaterial: Uint8Array, outputs: 2): [Buffer, Buffer];
export function hkdf(chainingKey: Uint8Array, inputKeyMaterial: Uint8Array, outputs: 3): [Buffer, Buffer, Buffer];
export function hkdf(chainingKey: Uint8Array, inputKeyMaterial: Uint8Array, outputs: 2 | 3): Buffer[] {
  const tempKey = hmacSha256(chainingKey, inputKeyMaterial);
  const out1 = hmacSha256(tempKey, Uint8Array.of(1));
  const out2 = hmacSha256(tempKey, out1, Uint8Array.of(2));
  if (outputs === 2) return [out1, out2];
  return [out1, out2, hmacSha256(tempKey, out2, Uint8Array.of(3))];
}
