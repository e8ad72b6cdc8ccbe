/**
 * Stateless join cookies (docs/protocol.md §5.1): HMAC-SHA256(key, "<ip>|<port>|<bucket>")
 * truncated to 16 bytes, bucket = floor(now / bucketMs). Valid in the current and previous bucket.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { COOKIE_BYTES } from '../protocol/constants.js';
import type { PeerAddress } from './peer-address.js';

export function makeCookie(key: Buffer, from: PeerAddress, bucket: number): Buffer {
  return createHmac('sha256', key).update(`${from.address}|${from.port}|${bucket}`).digest().subarray(0, COOKIE_BYTES);
}

/** True if `cookie` was made for `from` in the current or the previous bucket. */
export function verifyCookie(key: Buffer, from: PeerAddress, cookie: Buffer, now: number, bucketMs: number): boolean {
  const bucket = Math.floor(now / bucketMs);
  // Both comparisons always run, so timing does not tell which bucket matched.
  const a = timingSafeEqual(cookie, makeCookie(key, from, bucket));
  const b = timingSafeEqual(cookie, makeCookie(key, from, bucket - 1));
  return a || b;
}
