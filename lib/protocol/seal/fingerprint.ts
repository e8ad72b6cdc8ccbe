/**
 * A public key's fingerprint, OpenSSH's format: `SHA256:` and the unpadded base64 of the key's
 * SHA-256 (identity.ts explains the choice). Its own module, with nothing but node:crypto, so that
 * showing a fingerprint (`/whois`) does not load the sealing code into every client.
 */
import { createHash } from 'node:crypto';

export function fingerprint(publicKey: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(publicKey).digest('base64').replace(/=+$/, '')}`;
}
