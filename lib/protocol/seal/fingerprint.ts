/**
 * A public key's fingerprint, OpenSSH's format: `SHA256:` and the unpadded base64 of the key's
 * SHA-256 (identity.ts explains the choice). Its own module, with nothing but node:crypto, so that
 * showing a fingerprint (`/whois`) does not load the sealing code into every client.
 */
import { createHash } from 'node:crypto';

/** What fingerprint() returns: `SHA256:` and the 43 base64 characters of a SHA-256 (how `--server-key` is checked). */
export const FINGERPRINT_FORMAT = /^SHA256:[A-Za-z0-9+/]{43}$/;

export function fingerprint(publicKey: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(publicKey).digest('base64').replace(/=+$/, '')}`;
}
