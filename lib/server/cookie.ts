/**
 * Stateless join cookies (docs/protocol.md §5.1). A cookie is 4 random bytes (a nonce) followed by
 * the first 12 bytes of HMAC-SHA256(key, "<ip>|<port>|<bucket>|<clientId hex>|<nonce hex>"),
 * bucket = floor(now / bucketMs). It is valid in its bucket and the next one.
 *
 * The nonce makes every COOKIE reply a fresh cookie: a cookie creates at most one session, and a
 * client that quits and joins again from the same address and port (or a new process that reuses
 * the port) gets a new cookie at once instead of being dropped until the old one expires.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CLIENT_ID_BYTES, COOKIE_BYTES } from '../protocol/constants.js';
import type { PeerAddress } from './peer-address.js';

const NONCE_BYTES = 4;

function mac(key: Buffer, from: PeerAddress, clientId: Buffer, bucket: number, nonce: Buffer): Buffer {
  return createHmac('sha256', key)
    .update(`${from.address}|${from.port}|${bucket}|${clientId.toString('hex')}|${nonce.toString('hex')}`)
    .digest()
    .subarray(0, COOKIE_BYTES - NONCE_BYTES);
}

/** A cookie for `from` and `clientId` in `bucket`, with the given 4-byte nonce. */
export function makeCookie(key: Buffer, from: PeerAddress, clientId: Buffer, bucket: number, nonce: Buffer): Buffer {
  if (nonce.length !== NONCE_BYTES || clientId.length !== CLIENT_ID_BYTES) throw new RangeError('makeCookie: nonce must be 4 bytes, clientId 16');
  return Buffer.concat([nonce, mac(key, from, clientId, bucket, nonce)]);
}

/** Bytes of randomness a cookie needs. */
export const COOKIE_NONCE_BYTES = NONCE_BYTES;

/** True if `cookie` was made for `from` and `clientId` in the current or the previous bucket. */
export function verifyCookie(key: Buffer, from: PeerAddress, clientId: Buffer, cookie: Buffer, now: number, bucketMs: number): boolean {
  if (cookie.length !== COOKIE_BYTES) return false;
  const bucket = Math.floor(now / bucketMs);
  const nonce = cookie.subarray(0, NONCE_BYTES);
  const tag = cookie.subarray(NONCE_BYTES);
  // Both comparisons always run, so timing does not tell which bucket matched.
  const a = timingSafeEqual(tag, mac(key, from, clientId, bucket, nonce));
  const b = timingSafeEqual(tag, mac(key, from, clientId, bucket - 1, nonce));
  return a || b;
}
