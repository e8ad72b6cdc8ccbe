/**
 * The cryptographic functions of Noise_*_25519_ChaChaPoly_SHA256 (Noise Protocol Framework,
 * revision 34, §4 and §12) on node:crypto: X25519, ChaCha20-Poly1305 (RFC 8439) with Noise's nonce
 * layout, SHA-256, HMAC-SHA256 and Noise's HKDF. Keys in, bytes out: no I/O, no clock, no
 * randomness (callers pass private keys in).
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/** Length of an X25519 key, a ChaCha20-Poly1305 key and a SHA-256 output. */
export const KEY_BYTES = 32;
export const HASH_BYTES = 32;
/** Length of a Poly1305 authentication tag. */
export const TAG_BYTES = 16;

// DER prefixes of PKCS #8 and SPKI X25519 keys (RFC 8410): the raw 32 bytes follow.
const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_X25519 = Buffer.from('302a300506032b656e032100', 'hex');

/** An X25519 key pair as raw 32-byte strings. */
export interface KeyPair {
  readonly publicKey: Buffer;
  readonly privateKey: Buffer;
}

function x25519PrivateKey(raw: Uint8Array): KeyObject {
  if (raw.length !== KEY_BYTES) throw new RangeError(`an X25519 private key is ${KEY_BYTES} bytes`);
  return createPrivateKey({ key: Buffer.concat([PKCS8_X25519, raw]), format: 'der', type: 'pkcs8' });
}

/**
 * The X25519 key pair of a 32-byte private key (any 32 bytes; X25519 clamps them). Throws a
 * RangeError if the private key is not 32 bytes (our own misuse).
 */
export function x25519KeyPair(privateKey: Uint8Array): KeyPair {
  const spki = createPublicKey(x25519PrivateKey(privateKey)).export({ format: 'der', type: 'spki' });
  return { publicKey: Buffer.from(spki.subarray(SPKI_X25519.length)), privateKey: Buffer.from(privateKey) };
}

/**
 * X25519(privateKey, publicKey): the 32-byte shared secret, or undefined when the peer's public key
 * is unusable (OpenSSL refuses a low-order point, whose result would be all zero). A peer's key is
 * network input, so this never throws for it.
 */
export function x25519(privateKey: Uint8Array, publicKey: Uint8Array): Buffer | undefined {
  if (publicKey.length !== KEY_BYTES) return undefined;
  const priv = x25519PrivateKey(privateKey);
  try {
    const pub = createPublicKey({ key: Buffer.concat([SPKI_X25519, publicKey]), format: 'der', type: 'spki' });
    return diffieHellman({ privateKey: priv, publicKey: pub });
  } catch {
    return undefined;
  }
}

/** Noise's ChaChaPoly nonce: 32 bits of zeros, then the 64-bit counter little-endian (§12.3). */
function chachaNonce(n: bigint): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeBigUInt64LE(n, 4);
  return nonce;
}

/** ENCRYPT(k, n, ad, plaintext): ciphertext followed by the 16-byte tag. */
export function aeadEncrypt(key: Uint8Array, n: bigint, ad: Uint8Array, plaintext: Uint8Array): Buffer {
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
export function aeadDecrypt(key: Uint8Array, n: bigint, ad: Uint8Array, ciphertext: Uint8Array): Buffer | undefined {
  if (ciphertext.length < TAG_BYTES) return undefined;
  const body = ciphertext.subarray(0, ciphertext.length - TAG_BYTES);
  const decipher = createDecipheriv('chacha20-poly1305', key, chachaNonce(n), { authTagLength: TAG_BYTES });
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - TAG_BYTES));
  decipher.setAAD(ad, { plaintextLength: body.length });
  const head = decipher.update(body);
  try {
    return Buffer.concat([head, decipher.final()]);
  } catch {
    return undefined;
  }
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
